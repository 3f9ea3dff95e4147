/** Search box for list pages: a GET form, so results have a URL and work without JavaScript. */
export function SearchForm({ action, q, label, name = 'q' }: { action: string; q: string; label: string; name?: string }) {
  return (
    <form class="usa-search usa-search--small margin-bottom-3" role="search" method="get" action={action}>
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
