import { SelectField, TextField } from '../../platform/views/form.tsx';
import { Layout, type ViewContext } from '../../platform/views/layout.tsx';
import { DataTable, Pager } from '../../platform/views/list.tsx';
import { AUDIT_EVENT_TYPES } from '../audit-events.ts';
import { actorWords, eventWords } from '../audit-words.ts';
import type { AuditRow, Page } from '../repository.ts';
import { withQuery } from '../shared-pages.tsx';

/** The audit log (SPEC D5). */

export function AuditPage({
  ctx,
  type,
  user,
  result,
}: {
  ctx: ViewContext;
  type: string;
  user: string;
  result: Page<AuditRow>;
}) {
  return (
    <Layout ctx={ctx} title="Audit log">
      <h1>Audit log</h1>
      <form class="usa-form margin-bottom-3" method="get" action="/directory/audit">
        <SelectField
          name="type"
          label="Event"
          value={type}
          options={AUDIT_EVENT_TYPES.map((t) => [t, eventWords(t)])}
        />
        <TextField name="user" label="User Name (who acted or was acted on)" value={user} spellcheck={false} />
        <button class="usa-button" type="submit">
          Filter
        </button>
      </form>
      <p>{result.total === 1 ? '1 event' : `${result.total} events`}</p>
      <DataTable
        caption="Audit events, newest first"
        rows={result.items}
        rowKey={(e) => e.id}
        columns={[
          { label: 'When (UTC)', cell: (e) => e.at.toISOString().slice(0, 19).replace('T', ' ') },
          { label: 'Event', rowHeader: true, cell: (e) => eventWords(e.type) },
          { label: 'By', cell: actorWords },
          { label: 'About', cell: (e) => e.subject ?? '' },
          { label: 'From', cell: (e) => e.ip ?? '' },
          {
            label: 'Detail',
            cell: (e) =>
              Object.entries((e.detail ?? {}) as Record<string, unknown>)
                .map(([k, v]) => `${k}: ${String(v)}`)
                .join(', '),
          },
        ]}
      />
      <Pager
        page={result.page}
        pages={result.pages}
        href={(page) => withQuery('/directory/audit', { type, user, page })}
      />
    </Layout>
  );
}
