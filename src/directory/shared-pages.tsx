import type { ComponentChildren } from 'preact';
import { FormPage, type FieldErrors } from '../platform/views/form.tsx';
import type { ViewContext } from '../platform/views/layout.tsx';
import { DataTable } from '../platform/views/list.tsx';
import type { MemberRow, StaffRow } from './repository.ts';

/** What the pages of Directory Administration share: notices, hidden fields, the staff table, the confirmation page. */

export const ORG_TYPES: Record<string, string> = {
  district: 'District',
  school: 'School',
  other: 'Other organization',
};

export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export function Notice({ text }: { text: string }) {
  return (
    <div class="usa-alert usa-alert--success usa-alert--slim margin-bottom-3" role="status">
      <div class="usa-alert__body">
        <p class="usa-alert__text">{text}</p>
      </div>
    </div>
  );
}

export function CsrfField({ ctx }: { ctx: ViewContext }) {
  return <input type="hidden" name="_csrf" value={ctx.csrfToken()} />;
}

export function StaffTable({ staff, members }: { staff: StaffRow[]; members?: { manyOrganizations: boolean } }) {
  if (staff.length === 0) return <p>No staff found.</p>;
  const member = (p: StaffRow) => p as MemberRow;
  return (
    <DataTable
      caption="Staff"
      rows={staff}
      rowKey={(p) => p.id}
      columns={[
        {
          label: 'Name',
          rowHeader: true,
          // Someone who has not confirmed is not within reach: no page, and nothing about their account.
          cell: (p) =>
            member(p).pending ? (
              `${p.last_name}, ${p.first_name}`
            ) : (
              <a href={`/directory/people/${p.id}`}>
                {p.last_name}, {p.first_name}
              </a>
            ),
        },
        { label: 'User Name', cell: (p) => (member(p).pending ? '' : p.user_name) },
        { label: 'MEPID', cell: (p) => (member(p).pending ? '' : p.mepid) },
        {
          label: 'Profile',
          cell: (p) =>
            member(p).pending
              ? 'Waiting for the person to confirm'
              : p.status === 'active'
                ? 'Active'
                : 'Not yet completed',
        },
        ...(members?.manyOrganizations
          ? [{ label: 'Organization', cell: (p: StaffRow) => member(p).organizations }]
          : []),
        ...(members ? [{ label: 'Work email', cell: (p: StaffRow) => member(p).work_email ?? '' }] : []),
      ]}
    />
  );
}

/**
 * Actions that cannot be taken back ask first: the link opens one of these pages (a GET that
 * changes nothing), whose button posts the change. No JavaScript needed.
 */
export function ConfirmPage(props: {
  ctx: ViewContext;
  title: string;
  caption: string;
  action: string;
  submitLabel: string;
  back: string;
  /** What will happen. */
  intro: ComponentChildren;
  /** Fields of the confirming form, if any. */
  children?: ComponentChildren;
  errors?: FieldErrors | undefined;
}) {
  return (
    <FormPage
      ctx={props.ctx}
      caption={props.caption}
      title={props.title}
      action={props.action}
      errors={props.errors}
      submitLabel={props.submitLabel}
      intro={props.intro}
      after={
        <p class="margin-top-3">
          <a href={props.back}>Cancel and go back</a>
        </p>
      }
    >
      {props.children}
    </FormPage>
  );
}
