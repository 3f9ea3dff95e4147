import { ErrorSummary, SelectField, TextField, type FieldErrors, type FormValues } from '../../platform/views/form.tsx';
import { Layout, type ViewContext } from '../../platform/views/layout.tsx';
import { DataTable } from '../../platform/views/list.tsx';
import { PostForm } from '../../platform/views/post-form.tsx';
import { Notice } from '../shared-pages.tsx';
import type { DepartmentRoleHolder } from './repository.ts';
import { DEPARTMENT_ROLE_NAMES, DEPARTMENT_ROLES, isDepartmentRole } from './schema.ts';

/** The console page where a console administrator grants and revokes department roles. */

/** What each role opens, as the page explains it (the rule itself is DEPARTMENT_ROLE_ACTIONS in policy.ts). */
const ROLE_SCOPE: Record<(typeof DEPARTMENT_ROLES)[number], string> = {
  'console-admin': 'the whole console, including these roles, applications and the audit log',
  'help-desk':
    'find people, and unlock, sign out, reset the password of or correct the details of people who hold no powers; close their partial matches',
  'licensure-evaluator': 'ELAR only: evaluates license applications',
  'licensure-supervisor': 'ELAR only: supervises evaluations',
  payments: 'ELAR only: payments and refunds',
};

/** Which role and whom a notice is about, given only when the stored roles bear it out. */
export interface NoticeAbout {
  role: string;
  /** "Gus Granted (GGranted)" */
  person: string;
}

const NOTICES: Record<string, (about: NoticeAbout | undefined) => string> = {
  granted: (a) =>
    a
      ? `${a.role} is granted to ${a.person}. It counts from their next page.`
      : 'The role is granted. It counts from the person’s next page.',
  'already-held': (a) =>
    a ? `${a.person} already held ${a.role}: nothing changed.` : 'The person already held this role: nothing changed.',
  revoked: (a) =>
    a
      ? `${a.role} is revoked from ${a.person}. It no longer counts from their next page; nothing else of theirs ended.`
      : 'The role is revoked. It no longer counts from the person’s next page; nothing else of theirs ended.',
  'not-held': (a) =>
    a ? `${a.person} did not hold ${a.role}: nothing changed.` : 'The person did not hold this role: nothing changed.',
};

const roleName = (role: string) => (isDepartmentRole(role) ? DEPARTMENT_ROLE_NAMES[role] : role);

function utc(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function DepartmentRolesPage(props: {
  ctx: ViewContext;
  holders: DepartmentRoleHolder[];
  values: FormValues;
  errors?: FieldErrors;
  notice?: string;
  noticeAbout?: NoticeAbout | undefined;
}) {
  const errorEntries = Object.entries(props.errors ?? {});
  const notice = props.notice ? NOTICES[props.notice]?.(props.noticeAbout) : undefined;
  // The system keeps one console administrator: their Revoke could only be refused.
  const lastConsoleAdministrator = props.holders.filter((h) => h.role === 'console-admin').length === 1;
  return (
    <Layout ctx={props.ctx} title="Department roles" hasErrors={errorEntries.length > 0}>
      {errorEntries.length > 0 && <ErrorSummary errors={errorEntries} />}
      {notice && <Notice text={notice} />}
      <h1>Department roles</h1>
      <p>Each role opens only its part. A person may hold several.</p>
      <ul class="usa-list">
        {DEPARTMENT_ROLES.map((role) => (
          <li key={role}>
            <strong>{DEPARTMENT_ROLE_NAMES[role]}</strong> (<code>{role}</code>): {ROLE_SCOPE[role]}.
          </li>
        ))}
      </ul>
      <PostForm ctx={props.ctx} class="usa-form" action="/directory/department-roles" submitLabel="Grant role">
        <h2>Grant a role</h2>
        <TextField
          name="username"
          label="User Name"
          hint="The person’s completed profile; upper or lower case does not matter"
          value={props.values.username}
          error={props.errors?.username}
          spellcheck={false}
          autocomplete="off"
        />
        <SelectField
          name="role"
          label="Role"
          options={DEPARTMENT_ROLES.map((role) => [role, DEPARTMENT_ROLE_NAMES[role]])}
          value={props.values.role}
          error={props.errors?.role}
        />
      </PostForm>
      <h2>Who holds a role</h2>
      {props.holders.length === 0 ? (
        <p>No one holds a department role.</p>
      ) : (
        <DataTable
          caption="Department roles held"
          rows={props.holders}
          rowKey={(h) => `${h.profile_id}:${h.role}`}
          columns={[
            { label: 'Name', rowHeader: true, cell: (h) => `${h.last_name}, ${h.first_name}` },
            { label: 'User Name', cell: (h) => h.user_name },
            { label: 'Role', cell: (h) => <span data-department-role={h.role}>{roleName(h.role)}</span> },
            { label: 'Granted', cell: (h) => `${utc(h.granted_at)}${h.granted_by ? ` by ${h.granted_by}` : ''}` },
            {
              label: 'Action',
              cell: (h) =>
                lastConsoleAdministrator && h.role === 'console-admin' ? (
                  'Kept: the last console administrator'
                ) : (
                  <PostForm
                    ctx={props.ctx}
                    action="/directory/department-roles/revoke"
                    fields={{ username: h.user_name, role: h.role }}
                    submitLabel="Revoke"
                    submitFor={`${roleName(h.role)} from ${h.user_name}`}
                    look="unstyled"
                  />
                ),
            },
          ]}
        />
      )}
    </Layout>
  );
}
