import type { ComponentChildren } from 'preact';

export interface SummaryRow {
  label: string;
  value: ComponentChildren;
  /** A `data-` attribute that marks the value for tests and scripts, e.g. `username` for `data-username`. */
  data?: string;
  class?: string;
}

/**
 * The one summary list: each label with its value. A `div` groups each pair (allowed in a
 * `dl` since HTML 5.2) so a pair stays together however the list is styled.
 */
export function SummaryList({ rows }: { rows: SummaryRow[] }) {
  return (
    <dl class="portal-summary">
      {rows.map((row) => (
        <div key={row.label}>
          <dt>{row.label}</dt>
          <dd class={row.class} {...(row.data ? { [`data-${row.data}`]: true } : {})}>
            {row.value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
