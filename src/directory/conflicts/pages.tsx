import { ConfirmPage } from '../../platform/views/confirm-page.tsx';
import { TextAreaField } from '../../platform/views/form.tsx';
import { Layout, type ViewContext } from '../../platform/views/layout.tsx';
import { DataTable, Pager } from '../../platform/views/list.tsx';
import { SummaryList } from '../../platform/views/summary-list.tsx';
import type { ConflictRow, Page } from '../repository.ts';
import { withQuery, Notice, type FormInput } from '../shared-pages.tsx';

/** Partial matches to resolve (SPEC D5). */

/** The identity fields, as the person entered them on the form. */
const CONFLICT_FIELDS: Array<[string, string]> = [
  ['firstName', 'First name'],
  ['lastName', 'Last name'],
  ['dateOfBirth', 'Date of birth'],
  ['ssn', 'Social Security number'],
];

export function conflictFieldWords(fields: string[]): string {
  return CONFLICT_FIELDS.filter(([f]) => fields.includes(f))
    .map(([, words]) => words)
    .join(', ');
}

export function submittedWords(c: ConflictRow): string {
  const s = c.submitted as Record<string, string | null>;
  return `${s.firstName} ${s.lastName}, born ${s.dateOfBirth}, SSN ending ${s.ssnLast4}`;
}

function submittedName(c: ConflictRow): string {
  const s = c.submitted as Record<string, string | null>;
  return `${s.firstName} ${s.lastName}`;
}

export function attemptsWords(c: ConflictRow): string {
  const when = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
  return c.attempts === 1
    ? when(c.created_at)
    : `${c.attempts} attempts, first ${when(c.created_at)}, last ${when(c.last_attempt_at)}`;
}

export function ConflictsPage({
  ctx,
  result,
  department,
  notice,
}: {
  ctx: ViewContext;
  result: Page<ConflictRow>;
  department: boolean;
  notice: string;
}) {
  return (
    <Layout ctx={ctx} title="Partial matches">
      {notice === 'closed' && <Notice text="The case is closed. The reason is kept with it." />}
      <h1>{department ? 'Partial matches to resolve' : 'Partial matches of your staff'}</h1>
      <p>
        Someone's details matched a profile only in part. Correct the profile if it is wrong (the person can then try
        again)
        {department ? ', or close the case.' : '. The Department closes cases that are not about your records.'}
      </p>
      {result.items.length === 0 ? (
        <p>There are no open partial matches.</p>
      ) : (
        <DataTable
          caption="Open partial matches"
          rows={result.items}
          rowKey={(c) => c.id}
          columns={[
            {
              label: 'Profile',
              rowHeader: true,
              cell: (c) => (
                <a href={`/directory/people/${c.profile_id}`}>
                  {c.last_name}, {c.first_name} ({c.user_name})
                </a>
              ),
            },
            { label: 'Fields that differ', cell: (c) => conflictFieldWords(c.conflicting_fields) },
            // What was typed may be the real person's birth date and SSN: only the department sees those.
            { label: 'Submitted', cell: (c) => (department ? submittedWords(c) : submittedName(c)) },
            { label: 'When (UTC)', cell: attemptsWords },
            {
              label: 'Action',
              cell: (c) =>
                department ? (
                  <a href={`/directory/conflicts/${c.id}/resolve`}>
                    Close
                    <span class="usa-sr-only">
                      {' '}
                      the case of {c.first_name} {c.last_name}
                    </span>
                  </a>
                ) : (
                  <a href={`/directory/people/${c.profile_id}/fix`}>
                    Correct the profile
                    <span class="usa-sr-only">
                      {' '}
                      of {c.first_name} {c.last_name}
                    </span>
                  </a>
                ),
            },
          ]}
        />
      )}
      <Pager page={result.page} pages={result.pages} href={(page) => withQuery('/directory/conflicts', { page })} />
    </Layout>
  );
}

export function ConfirmCloseConflictPage({ ctx, conflict, values, errors }: FormInput & { conflict: ConflictRow }) {
  return (
    <ConfirmPage
      ctx={ctx}
      caption="Partial matches"
      title="Close this partial match?"
      action={`/directory/conflicts/${conflict.id}/resolve`}
      submitLabel="Close the case"
      back="/directory/conflicts"
      errors={errors}
      intro={
        <>
          <SummaryList
            rows={[
              {
                label: 'Profile',
                value: (
                  <a href={`/directory/people/${conflict.profile_id}`}>
                    {conflict.last_name}, {conflict.first_name} ({conflict.user_name})
                  </a>
                ),
              },
              { label: 'Fields that differ', value: conflictFieldWords(conflict.conflicting_fields) },
              { label: 'Submitted', value: submittedWords(conflict) },
              { label: 'When (UTC)', value: attemptsWords(conflict) },
            ]}
          />
          <p>
            Closing changes nothing on the profile: the person will meet the same partial match if they try again. To
            let them continue, correct the profile instead.
          </p>
        </>
      }
    >
      <TextAreaField
        name="reason"
        label="Why are you closing it?"
        hint="For example: not the same person, they were called back"
        value={values.reason}
        error={errors?.reason}
      />
    </ConfirmPage>
  );
}
