import type { ComponentChildren } from 'preact';

/** Search box for list pages: a GET form, so results have a URL and work without JavaScript. */
export function SearchForm({
  action,
  q,
  label,
  name = 'q',
}: {
  action: string;
  q: string;
  label: string;
  name?: string;
}) {
  return (
    <form class="margin-bottom-3" role="search" method="get" action={action}>
      <label class="usa-label margin-top-0" for={`${name}-search`}>
        {label}
      </label>
      <div class="portal-search-row">
        <input class="usa-input" id={`${name}-search`} type="search" name={name} value={q} />
        <button class="usa-button" type="submit">
          Search
        </button>
      </div>
    </form>
  );
}

/** Previous/next paging that keeps the rest of the query. */
export function Pager({ page, pages, href }: { page: number; pages: number; href: (page: number) => string }) {
  if (pages <= 1) return null;
  return (
    <nav aria-label="Pages" class="usa-pagination">
      <ul class="usa-pagination__list">
        {page > 1 && (
          <li class="usa-pagination__item usa-pagination__arrow">
            <a href={href(page - 1)} class="usa-pagination__link usa-pagination__previous-page">
              <span class="usa-pagination__link-text">Previous</span>
            </a>
          </li>
        )}
        <li class="usa-pagination__item usa-pagination__page-no">
          <span class="usa-pagination__button usa-current" aria-current="page">
            Page {page} of {pages}
          </span>
        </li>
        {page < pages && (
          <li class="usa-pagination__item usa-pagination__arrow">
            <a href={href(page + 1)} class="usa-pagination__link usa-pagination__next-page">
              <span class="usa-pagination__link-text">Next</span>
            </a>
          </li>
        )}
      </ul>
    </nav>
  );
}

export function pageNumber(value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : 1;
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
}

export function queryText(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 100) : '';
}

export interface Column<T> {
  label: string;
  cell: (row: T) => ComponentChildren;
  /** The column that names the row: a row header, for screen readers. */
  rowHeader?: boolean;
}

/** The one data table: USWDS borderless, stacked on narrow screens, each cell labelled. */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
}: {
  caption: string;
  columns: Array<Column<T>>;
  rows: T[];
  rowKey: (row: T) => string;
}) {
  return (
    <table class="usa-table usa-table--borderless usa-table--stacked">
      <caption class="usa-sr-only">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.label} scope="col">
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)}>
            {columns.map((c) =>
              c.rowHeader ? (
                <th key={c.label} scope="row" data-label={c.label}>
                  {c.cell(row)}
                </th>
              ) : (
                <td key={c.label} data-label={c.label}>
                  {c.cell(row)}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
