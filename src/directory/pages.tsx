import type { Application, Organization, Profile } from '../platform/db.ts';
import { DateField, ErrorSummary, FormPage, SelectField, TextField, type FieldErrors, type FormValues } from '../platform/views/form.tsx';
import { HelpDeskPhone, Layout, type ViewContext } from '../platform/views/layout.tsx';
import { DataTable, Pager, SearchForm } from '../platform/views/list.tsx';
import { AUDIT_EVENT_TYPES } from '../platform/audit.ts';
import { hasReplaceableSecret, isPartOfPortal, signsInThroughPortal } from './service.ts';
import { ApplicationSettingsFields } from './application-pages.tsx';
import { actorWords, eventWords } from './audit-words.ts';
import { COUNT_CAP, type AuditRow, type ConflictRow, type GrantRow, type MemberRow, type Membership, type Page, type PublicAdministrator, type StaffRow } from './repository.ts';

/** Pages of Directory Administration and the department console. */

const ORG_TYPES: Record<string, string> = { district: 'District', school: 'School', other: 'Other organization' };

function withQuery(path: string, params: Record<string, string | number | undefined>): string {
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

/** Which parts of the department console the signed-in person's roles open. */
export interface ConsoleLinks {
  organizations: boolean;
  people: boolean;
  conflicts: boolean;
  applications: boolean;
  departmentRoles: boolean;
  audit: boolean;
}

export function DirectoryHome(props: {
  ctx: ViewContext;
  /** A console administrator: every organization is theirs to see. */
  department: boolean;
  consoleLinks: ConsoleLinks;
  /** A Directory Administrator of some organization. */
  administers: boolean;
  organizations: Page<Organization>;
  openConflicts: number;
}) {
  const links = props.consoleLinks;
  const anyConsole = Object.values(links).some(Boolean);
  return (
    <Layout ctx={props.ctx} title="Directory Administration">
      <h1>Directory Administration</h1>
      {anyConsole && (
        <>
          <h2>Department console</h2>
          <ul class="usa-list">
            {links.organizations && (
              <li>
                <a href="/directory/organizations">Organizations</a>
              </li>
            )}
            {links.people && (
              <li>
                <a href="/directory/people">Find a person</a>
              </li>
            )}
            {links.conflicts && (
              <li>
                <a href="/directory/conflicts">Partial matches to resolve</a> ({props.openConflicts} open)
              </li>
            )}
            {links.applications && (
              <li>
                <a href="/directory/applications">Applications and roles</a>
              </li>
            )}
            {links.departmentRoles && (
              <li>
                <a href="/directory/department-roles">Department roles</a>
              </li>
            )}
            {links.audit && (
              <li>
                <a href="/directory/audit">Audit log</a>
              </li>
            )}
          </ul>
        </>
      )}
      {!links.conflicts && (
        <p>
          <a href="/directory/conflicts">Partial matches of your staff</a> ({props.openConflicts} open): details someone gave
          that conflict with a profile of your staff. Correct the profile if your records were wrong.
        </p>
      )}
      {(props.department || props.administers) && (
        <>
          <h2>{props.department ? 'Organizations' : 'Your organizations'}</h2>
          <OrganizationTable orgs={props.organizations.items} />
          {props.organizations.total > props.organizations.items.length && (
            <p>
              <a href="/directory/organizations">All {props.organizations.total} organizations</a>
            </p>
          )}
        </>
      )}
    </Layout>
  );
}

function OrganizationTable({ orgs, caption = 'Organizations' }: { orgs: Organization[]; caption?: string }) {
  if (orgs.length === 0) return <p>No organizations found.</p>;
  return (
    <DataTable
      caption={caption}
      rows={orgs}
      rowKey={(o) => o.id}
      columns={[
        { label: 'Code', cell: (o) => o.code },
        { label: 'Name', rowHeader: true, cell: (o) => <a href={`/directory/organizations/${o.code}`}>{o.name}</a> },
        { label: 'Type', cell: (o) => ORG_TYPES[o.type] },
        { label: 'Town', cell: (o) => o.town ?? '' },
        { label: 'Status', cell: (o) => (o.status === 'active' ? 'Active' : 'Inactive') },
      ]}
    />
  );
}

export function OrganizationList({ ctx, q, result, canManage }: { ctx: ViewContext; q: string; result: Page<Organization>; canManage: boolean }) {
  return (
    <Layout ctx={ctx} title="Organizations">
      <h1>Organizations</h1>
      {canManage && (
        <p>
          <a class="usa-button usa-button--outline" href="/directory/organizations/new">
            Add an organization
          </a>{' '}
          Many at once: <code>npm run cli -- org import FILE.csv</code>
        </p>
      )}
      <SearchForm action="/directory/organizations" q={q} label="Search by organization name or code" />
      <p>{result.total === 1 ? '1 organization' : `${result.total} organizations`}</p>
      <OrganizationTable orgs={result.items} />
      <Pager page={result.page} pages={result.pages} href={(page) => withQuery('/directory/organizations', { q, page })} />
    </Layout>
  );
}

function StaffTable({ staff, members }: { staff: StaffRow[]; members?: { manyOrganizations: boolean } }) {
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
        { label: 'Profile', cell: (p) => (member(p).pending ? 'Waiting for the person to confirm' : p.status === 'active' ? 'Active' : 'Not yet completed') },
        ...(members?.manyOrganizations ? [{ label: 'Organization', cell: (p: StaffRow) => member(p).organizations }] : []),
        ...(members ? [{ label: 'Work email', cell: (p: StaffRow) => member(p).work_email ?? '' }] : []),
      ]}
    />
  );
}

const LEVELS: Record<string, string> = { district: 'District administrator', school: 'School administrator', other: 'Administrator' };

/** The level an administrator sits at for this organization: its own, or its district's. */
function actsAs(a: PublicAdministrator): string {
  const level = LEVELS[a.acting_organization_type] ?? 'Administrator';
  return a.acting_organization_id === a.organization_id ? level : `${level} (${a.acting_organization_name})`;
}

const ORGANIZATION_NOTICES: Record<string, string> = {
  added: 'The organization is added. Designate its Directory Administrators below.',
  updated: 'The organization’s details are saved.',
  contacts: 'Your contact details on the public list of Directory Administrators are saved.',
  removed: 'The person is no longer on the staff, and their roles here have ended.',
  'added-pending':
    'Added. This person already has their own profile. They must confirm that this organization is their employer before you can act on them: they are asked when they next log in. Until then the staff list shows them as waiting.',
  'already-pending':
    'This person is already on your staff list, and must still confirm that this organization is their employer before you can act on them. The work email you gave, if any, is kept.',
};

export function OrganizationPage(props: {
  ctx: ViewContext;
  org: Organization;
  district: Organization | undefined;
  /** A district's schools (its staff list includes theirs). */
  schools: Organization[];
  staff: Page<MemberRow>;
  q: string;
  administrators: PublicAdministrator[];
  canDesignate: boolean;
  canManage: boolean;
  /** The signed-in person is one of this organization's Directory Administrators. */
  designated: boolean;
  notice: string;
}) {
  const { org } = props;
  const base = `/directory/organizations/${org.code}`;
  const active = org.status === 'active';
  return (
    <Layout ctx={props.ctx} title={org.name}>
      {ORGANIZATION_NOTICES[props.notice] && <Notice text={ORGANIZATION_NOTICES[props.notice]!} />}
      <span class="portal-caption">
        {ORG_TYPES[org.type]} {org.code}
        {props.district && ` · ${props.district.name}`}
      </span>
      <h1>{org.name}</h1>
      <p>
        {[org.town, org.phone].filter(Boolean).join(' · ')}
        {props.canManage && (
          <>
            {org.town || org.phone ? ' · ' : ''}
            <a href={`${base}/edit`}>
              Edit details<span class="usa-sr-only"> of {org.name}</span>
            </a>
          </>
        )}
      </p>
      {active ? (
        <div class="portal-actions margin-bottom-3">
          <a class="usa-button" href={`${base}/staff/new`}>
            Add a staff member
          </a>
          {props.canDesignate && (
            <a class="usa-button usa-button--outline" href={`${base}/administrators/new`}>
              Designate a Directory Administrator
            </a>
          )}
        </div>
      ) : (
        <div class="usa-alert usa-alert--warning usa-alert--slim margin-bottom-3">
          <div class="usa-alert__body">
            <p class="usa-alert__text">
              This organization is inactive: it takes no new staff, roles or Directory Administrators, and its roles give
              no access to applications. It is not on the public list of Directory Administrators.
            </p>
          </div>
        </div>
      )}
      <h2>Staff</h2>
      <SearchForm action={base} q={props.q} label="Search staff by name, User Name or MEPID" />
      <p>{props.staff.total === 1 ? '1 person' : `${props.staff.total} people`}</p>
      <StaffTable staff={props.staff.items} members={{ manyOrganizations: props.schools.length > 0 }} />
      <Pager page={props.staff.page} pages={props.staff.pages} href={(page) => withQuery(base, { q: props.q, page })} />
      {props.schools.length > 0 && (
        <>
          <h2>Schools</h2>
          <OrganizationTable orgs={props.schools} caption="Schools of the district" />
        </>
      )}
      <h2>Directory Administrators</h2>
      {props.administrators.length === 0 ? (
        <p>None designated{org.type === 'school' ? ', here or for the district' : ''}.</p>
      ) : (
        <ul class="usa-list">
          {props.administrators.map((a) => (
            <li key={`${a.acting_organization_id}-${a.profile_id}`}>
              {a.first_name} {a.last_name} · {actsAs(a)}
              {a.email && ` · ${a.email}`}
              {a.phone && ` · ${a.phone}`}
              {/* A district's administrator is revoked on the district's page. */}
              {props.canDesignate && a.acting_organization_id === org.id && (
                <form method="post" action={`${base}/administrators/${a.profile_id}/revoke`} class="portal-inline-form">
                  <CsrfField ctx={props.ctx} />{' '}
                  <button type="submit" class="usa-button usa-button--unstyled">
                    Revoke<span class="usa-sr-only"> {a.first_name} {a.last_name}</span>
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
      )}
      {props.designated && (
        <p>
          <a href={`${base}/administrators/me`}>Change the contact details published for you</a>
        </p>
      )}
    </Layout>
  );
}

export function PublishContactsPage({ ctx, org, values, errors }: { ctx: ViewContext; org: Organization; values: FormValues; errors?: FieldErrors }) {
  return (
    <FormPage
      ctx={ctx}
      caption={org.name}
      title="Your published contact details"
      action={`/directory/organizations/${org.code}/administrators/me`}
      errors={errors}
      submitLabel="Save contact details"
      intro={
        <p>
          People of {org.name} find you on the <a href="/directory-administrators">public list of Directory Administrators</a>. Your
          name is always shown; publish an email address or phone number where they can reach you about access, or leave them
          empty.
        </p>
      }
    >
      <TextField name="email" label="Email address to publish" optional type="email" value={values.email} error={errors?.email} spellcheck={false} />
      <TextField name="phone" label="Phone number to publish" optional type="tel" value={values.phone} error={errors?.phone} width="md" />
    </FormPage>
  );
}

export function AddStaffPage({ ctx, org, values, errors }: { ctx: ViewContext; org: Organization; values: FormValues; errors?: FieldErrors }) {
  return (
    <FormPage
      ctx={ctx}
      caption={org.name}
      title="Add a staff member"
      action={`/directory/organizations/${org.code}/staff/new`}
      errors={errors}
      submitLabel="Add staff member"
      intro={
        <p>
          We look for the person's existing profile with these details. If they have none, we start one for them: they
          finish it themselves with <strong>Create a profile</strong> and then receive their User Name.
        </p>
      }
    >
      <TextField name="firstName" label="First name" value={values.firstName} error={errors?.firstName} spellcheck={false} />
      <TextField name="lastName" label="Last name" value={values.lastName} error={errors?.lastName} spellcheck={false} />
      <DateField prefix="dob" legend="Date of birth" hint="For example: 3 27 1985" values={values} error={errors?.dobMonth} />
      <TextField name="ssn" label="Social Security number" hint="9 digits" value={values.ssn} error={errors?.ssn} inputMode="numeric" autocomplete="off" width="md" />
      <TextField name="email" label="Work email address" optional type="email" value={values.email} error={errors?.email} spellcheck={false} />
    </FormPage>
  );
}

export function DesignatePage(props: {
  ctx: ViewContext;
  org: Organization;
  staff: StaffRow[];
  /** The department may also designate someone not yet on the staff, by User Name. */
  byUserName: boolean;
  values: FormValues;
  errors?: FieldErrors;
}) {
  const { org, values, errors } = props;
  return (
    <FormPage
      ctx={props.ctx}
      caption={org.name}
      title="Designate a Directory Administrator"
      action={`/directory/organizations/${org.code}/administrators/new`}
      errors={errors}
      submitLabel="Designate"
      intro={<p>The contact details you enter here are published on the public list of Directory Administrators.</p>}
    >
      {props.staff.length > 0 ? (
        <SelectField
          name="profileId"
          label={`Staff member of ${org.name}`}
          options={props.staff.map((p) => [p.id, `${p.last_name}, ${p.first_name} (${p.user_name})`])}
          value={values.profileId}
          error={errors?.profileId}
        />
      ) : (
        <p id="profileId">
          {org.name} has no staff with a completed profile yet. {props.byUserName ? 'Enter a User Name below, or add' : 'Add'} the person as
          staff first.
        </p>
      )}
      {props.byUserName && (
        <TextField
          name="username"
          label="User Name"
          optional
          hint="Someone not on the staff. Upper or lower case does not matter here"
          value={values.username}
          error={errors?.username}
          spellcheck={false}
          autocomplete="off"
        />
      )}
      <TextField name="email" label="Email address to publish" optional type="email" value={values.email} error={errors?.email} spellcheck={false} />
      <TextField name="phone" label="Phone number to publish" optional type="tel" value={values.phone} error={errors?.phone} width="md" />
    </FormPage>
  );
}

/** A form an inactive organization no longer serves, refused with a page that says why. */
export function InactiveOrganizationPage({ ctx, org, canManage }: { ctx: ViewContext; org: Organization; canManage: boolean }) {
  return (
    <Layout ctx={ctx} title={`${org.name} is inactive`}>
      <span class="portal-caption">
        {ORG_TYPES[org.type]} {org.code}
      </span>
      <h1>{org.name} is inactive</h1>
      <p class="usa-intro">An inactive organization takes no new staff, roles or Directory Administrators, and its roles give no access.</p>
      <p>
        {canManage ? 'You can make it active again on its page: ' : 'The Department can make it active again. '}
        <a href={`/directory/organizations/${org.code}`}>Back to {org.name}</a>
      </p>
    </Layout>
  );
}

const NOTICES: Record<string, string> = {
  'added-new': 'Added. A profile was started for this person: they finish it with Create a profile and receive their User Name.',
  'added-existing': 'Added. This person already had a profile.',
  'already-member': 'This person is already on your staff.',
  unlocked: 'The account is unlocked.',
  'signed-out': 'The person is signed out of the portal and of every application. Their password is unchanged.',
  fixed: 'The details are corrected and the open partial matches are closed.',
};

export interface PersonPageProps {
  ctx: ViewContext;
  person: Profile;
  orgs: Membership[];
  actingOrgs: Organization[];
  grants: GrantRow[];
  applications: Application[];
  /** Until when the account (password or hint answer) is locked; null when it is not. */
  lockedUntil: Date | null;
  notice: string;
  /** The role or organization the notice is about, checked against what is stored. */
  noticeDetail?: string;
  errors?: FieldErrors;
  /** Organizations where the administrator may take the person off the staff. */
  removableFrom?: Organization[];
  /** Why the administrator can do nothing for this person (powers beyond theirs). */
  beyondReach?: string;
}

/** "14:32 UTC on 2026-12-02": staff across the state read one unambiguous time. */
function utcTime(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(11, 16)} UTC on ${iso.slice(0, 10)}`;
}

export function PersonPage(props: PersonPageProps) {
  if (props.beyondReach) return <PersonBeyondReachPage {...props} reason={props.beyondReach} />;
  const p = props.person;
  const roleOptions: Array<[string, string]> = props.applications.flatMap((a) => a.roles.map((r) => [`${a.id}:${r}`, `${a.name}: ${r}`] as [string, string]));
  const errorEntries = Object.entries(props.errors ?? {});
  // A grant or revocation is told by its detail alone, and only when the data bears it out.
  const notice = [NOTICES[props.notice], props.noticeDetail].filter(Boolean).join(' ');
  return (
    <Layout ctx={props.ctx} title={`${p.first_name} ${p.last_name}`} hasErrors={errorEntries.length > 0}>
      {errorEntries.length > 0 && <ErrorSummary errors={errorEntries} />}
      {notice && <Notice text={notice} />}
      <h1>
        {p.first_name} {p.last_name}
      </h1>
      <dl class="portal-summary">
        <dt>User Name</dt>
        <dd data-username>{p.user_name}</dd>
        <dt>MEPID</dt>
        <dd data-mepid>{p.mepid}</dd>
        <dt>Profile</dt>
        <dd>{p.status === 'active' ? 'Active' : 'Not yet completed by the person'}</dd>
        <dt>Organizations</dt>
        <dd>{props.orgs.map((o) => `${o.name} (${o.code})${o.work_email ? ` · work email ${o.work_email}` : ''}`).join('; ') || 'None'}</dd>
      </dl>

      <RolesSection {...props} />
      {props.actingOrgs.length > 0 && (
        <form class="usa-form" method="post" action={`/directory/people/${p.id}/roles`}>
          <CsrfField ctx={props.ctx} />
          <h3>Grant a role</h3>
          <SelectField name="organization" label="Organization" value={props.actingOrgs.length === 1 ? props.actingOrgs[0]!.code : undefined} options={props.actingOrgs.map((o) => [o.code, `${o.name} (${o.code})`])} error={props.errors?.organization} />
          <SelectField name="applicationRole" label="Application and role" options={roleOptions} error={props.errors?.applicationRole} />
          <button class="usa-button" type="submit">
            Grant role
          </button>
        </form>
      )}

      <StaffSection {...props} />

      <h2>Password, sessions and lockout</h2>
      <p>You never choose a person's password: a reset gives a temporary one, shown once and valid for three days, that they must change at their next login.</p>
      <p>Sign out everywhere ends the person's sessions in the portal and in every application, for example after a lost or shared computer.</p>
      {props.lockedUntil && (
        <div class="usa-alert usa-alert--warning usa-alert--slim margin-bottom-2">
          <div class="usa-alert__body">
            <p class="usa-alert__text">
              The account is locked until {utcTime(props.lockedUntil)} after too many failed attempts (password or hint answer).
              Unlock it if you know the person is the one trying.
            </p>
          </div>
        </div>
      )}
      {/* Each opens a page that says what will happen; only its button acts. */}
      <div class="portal-actions">
        <a class="usa-button usa-button--secondary" href={`/directory/people/${p.id}/reset-password`}>Reset password</a>
        <a class="usa-button usa-button--outline" href={`/directory/people/${p.id}/sessions/end`}>Sign out everywhere</a>
        {props.lockedUntil && (
          <form method="post" action={`/directory/people/${p.id}/unlock`}>
            <CsrfField ctx={props.ctx} />
            <button class="usa-button usa-button--outline" type="submit">
              Unlock account
            </button>
          </form>
        )}
      </div>
      {!props.lockedUntil && <p>The account is not locked.</p>}
      <h2>Identity details</h2>
      <p>
        <a href={`/directory/people/${p.id}/fix`}>Correct name, date of birth or SSN</a> (for example, to resolve a partial match).
      </p>
    </Layout>
  );
}

/** The roles the administrator's organizations gave the person, each with its Revoke button. */
function RolesSection(props: PersonPageProps) {
  return (
    <>
      <h2>Application roles</h2>
      {props.grants.length === 0 ? (
        <p>No roles in your organizations.</p>
      ) : (
        <DataTable
          caption="Roles"
          rows={props.grants}
          rowKey={(g) => g.id}
          columns={[
            { label: 'Application', rowHeader: true, cell: (g) => g.application_name },
            { label: 'Role', cell: (g) => g.role },
            { label: 'Organization', cell: (g) => g.organization_name },
            {
              label: 'Action',
              cell: (g) => (
                <form method="post" action={`/directory/people/${props.person.id}/roles/revoke`}>
                  <CsrfField ctx={props.ctx} />
                  <input type="hidden" name="organization" value={g.organization_code} />
                  <input type="hidden" name="application" value={g.application_id} />
                  <input type="hidden" name="role" value={g.role} />
                  <button type="submit" class="usa-button usa-button--unstyled">
                    Revoke<span class="usa-sr-only"> {g.application_name} {g.role}</span>
                  </button>
                </form>
              ),
            },
          ]}
        />
      )}
    </>
  );
}

/** Where the administrator may take the person off the staff. */
function StaffSection(props: PersonPageProps) {
  return (
    <>
      {(props.removableFrom ?? []).length > 0 && (
        <>
          <h2>Staff</h2>
          <p>Someone who has left an organization is taken off its staff: their roles there end, and so does your access to their profile.</p>
          <div class="portal-actions">
            {props.removableFrom!.map((o) => (
              <form method="post" action={`/directory/organizations/${o.code}/staff/${props.person.id}/remove`}>
                <CsrfField ctx={props.ctx} />
                <button type="submit" class="usa-button usa-button--outline">
                  Remove from the staff of {o.name}
                </button>
              </form>
            ))}
          </div>
        </>
      )}
    </>
  );
}

/**
 * A person with powers beyond the administrator's: who they are, why nothing else can be
 * done, and only the forms that take away what the administrator's organizations gave.
 */
function PersonBeyondReachPage(props: PersonPageProps & { reason: string }) {
  const { ctx, person: p, orgs, reason } = props;
  const notice = [NOTICES[props.notice], props.noticeDetail].filter(Boolean).join(' ');
  return (
    <Layout ctx={ctx} title={`${p.first_name} ${p.last_name}`}>
      {notice && <Notice text={notice} />}
      <h1>
        {p.first_name} {p.last_name}
      </h1>
      <div class="usa-alert usa-alert--warning" role="status">
        <div class="usa-alert__body">
          <p class="usa-alert__text">{reason}</p>
        </div>
      </div>
      <dl class="portal-summary">
        <dt>User Name</dt>
        <dd data-username>{p.user_name}</dd>
        <dt>Organizations</dt>
        <dd>{orgs.map((o) => `${o.name} (${o.code})`).join('; ') || 'None'}</dd>
      </dl>
      {props.grants.length > 0 && <RolesSection {...props} />}
      <StaffSection {...props} />
    </Layout>
  );
}

export function TemporaryPasswordPage({ ctx, person, password }: { ctx: ViewContext; person: Profile; password: string }) {
  return (
    <Layout ctx={ctx} title="Temporary password">
      <h1>Temporary password for {person.first_name} {person.last_name}</h1>
      <p class="usa-intro">Give this to {person.first_name} in person or by phone. It is shown only once.</p>
      <p class="portal-secret" data-temporary-password>
        {password}
      </p>
      <p>
        User Name: <strong>{person.user_name}</strong>. They must choose their own password when they next log in. Every
        place they were logged in has been signed out.
      </p>
      <a class="usa-button" href={`/directory/people/${person.id}`}>
        Back to {person.first_name} {person.last_name}
      </a>
    </Layout>
  );
}

export function FixDataPage({ ctx, person, values, errors }: { ctx: ViewContext; person: Profile; values: FormValues; errors?: FieldErrors }) {
  return (
    <FormPage
      ctx={ctx}
      caption={`${person.first_name} ${person.last_name} (${person.user_name})`}
      title="Correct identity details"
      action={`/directory/people/${person.id}/fix`}
      errors={errors}
      submitLabel="Save corrections"
      intro={
        <p>
          Enter the details exactly as the person gives them from their official documents: the date of birth and Social Security number on record
          are not shown. Open partial matches for this profile are closed.
        </p>
      }
    >
      <TextField name="firstName" label="First name" value={values.firstName} error={errors?.firstName} spellcheck={false} />
      <TextField name="lastName" label="Last name" value={values.lastName} error={errors?.lastName} spellcheck={false} />
      <DateField prefix="dob" legend="Date of birth" hint="For example: 3 27 1985" values={values} error={errors?.dobMonth} />
      <TextField
        name="ssn"
        label="Social Security number"
        optional
        hint={person.ssn_last4 ? 'Leave empty to keep the one on record' : 'None on record'}
        value={values.ssn}
        error={errors?.ssn}
        inputMode="numeric"
        autocomplete="off"
        width="md"
      />
      <TextField name="email" label="Email address" optional type="email" value={values.email} error={errors?.email} />
    </FormPage>
  );
}

export function PeopleSearchPage({ ctx, q, result }: { ctx: ViewContext; q: string; result: Page<StaffRow> }) {
  return (
    <Layout ctx={ctx} title="Find a person">
      <h1>Find a person</h1>
      <SearchForm action="/directory/people" q={q} label="Last name (or Last, First), User Name or MEPID" />
      {q && <p>{result.total === 1 ? '1 person' : result.total > COUNT_CAP ? `More than ${COUNT_CAP.toLocaleString('en-US')} people: add a first name to narrow the search` : `${result.total} people`}</p>}
      {q && <StaffTable staff={result.items} />}
      <Pager page={result.page} pages={result.pages} href={(page) => withQuery('/directory/people', { q, page })} />
    </Layout>
  );
}

/** The identity fields, as the person entered them on the form. */
const CONFLICT_FIELDS: Array<[string, string]> = [
  ['firstName', 'First name'],
  ['lastName', 'Last name'],
  ['dateOfBirth', 'Date of birth'],
  ['ssn', 'Social Security number'],
];

export function conflictFieldWords(fields: string[]): string {
  return CONFLICT_FIELDS.filter(([f]) => fields.includes(f)).map(([, words]) => words).join(', ');
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
  return c.attempts === 1 ? when(c.created_at) : `${c.attempts} attempts, first ${when(c.created_at)}, last ${when(c.last_attempt_at)}`;
}

export function ConflictsPage({ ctx, result, department, notice }: { ctx: ViewContext; result: Page<ConflictRow>; department: boolean; notice: string }) {
  return (
    <Layout ctx={ctx} title="Partial matches">
      {notice === 'closed' && <Notice text="The case is closed. The reason is kept with it." />}
      <h1>{department ? 'Partial matches to resolve' : 'Partial matches of your staff'}</h1>
      <p>
        Someone's details matched a profile only in part. Correct the profile if it is wrong (the person can then try again)
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
                    Close<span class="usa-sr-only"> the case of {c.first_name} {c.last_name}</span>
                  </a>
                ) : (
                  <a href={`/directory/people/${c.profile_id}/fix`}>
                    Correct the profile<span class="usa-sr-only"> of {c.first_name} {c.last_name}</span>
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

export function AuditPage({ ctx, type, user, result }: { ctx: ViewContext; type: string; user: string; result: Page<AuditRow> }) {
  return (
    <Layout ctx={ctx} title="Audit log">
      <h1>Audit log</h1>
      <form class="usa-form margin-bottom-3" method="get" action="/directory/audit">
        <SelectField name="type" label="Event" value={type} options={AUDIT_EVENT_TYPES.map((t) => [t, eventWords(t)])} />
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
      <Pager page={result.page} pages={result.pages} href={(page) => withQuery('/directory/audit', { type, user, page })} />
    </Layout>
  );
}

export function ApplicationsPage({ ctx, applications }: { ctx: ViewContext; applications: Application[] }) {
  return (
    <Layout ctx={ctx} title="Applications and roles">
      <h1>Applications and roles</h1>
      <p>
        <a class="usa-button usa-button--outline" href="/directory/applications/new">
          Register an application
        </a>{' '}
        Or from a script: <code>npm run cli -- app add</code>
      </p>
      <DataTable
        caption="Applications"
        rows={applications}
        rowKey={(a) => a.id}
        columns={[
          { label: 'Application', rowHeader: true, cell: (a) => <a href={`/directory/applications/${a.id}`}>{a.name}</a> },
          { label: 'Client id', cell: (a) => a.id },
          { label: 'Access', cell: (a) => (a.access === 'open' ? 'Open to every profile' : 'Needs a role in an organization') },
          { label: 'Roles', cell: (a) => a.roles.join(', ') },
          {
            label: 'Signs in through the portal',
            cell: (a) => (isPartOfPortal(a) ? 'Part of the portal' : signsInThroughPortal(a) ? 'Yes' : 'Not yet'),
          },
        ]}
      />
    </Layout>
  );
}

const ORGANIZATION_TYPE_OPTIONS: Array<[string, string]> = Object.entries(ORG_TYPES);

export function AddOrganizationPage({ ctx, values, errors }: { ctx: ViewContext; values: FormValues; errors?: FieldErrors }) {
  return (
    <FormPage ctx={ctx} caption="Organizations" title="Add an organization" action="/directory/organizations/new" errors={errors} submitLabel="Add organization">
      <TextField name="name" label="Name" value={values.name} error={errors?.name} />
      <TextField
        name="code"
        label="Organization code"
        hint="8 digits. A district’s code ends in 0000; a school’s starts with its district’s first 4 digits, like 00350505"
        value={values.code}
        error={errors?.code}
        inputMode="numeric"
        maxLength={8}
        width="sm"
        autocomplete="off"
      />
      <SelectField name="type" label="Kind of organization" options={ORGANIZATION_TYPE_OPTIONS} value={values.type} error={errors?.type} />
      <TextField name="town" label="Town" optional value={values.town} error={errors?.town} width="lg" />
      <TextField name="phone" label="Phone number" optional type="tel" value={values.phone} error={errors?.phone} width="md" />
    </FormPage>
  );
}

export function EditOrganizationPage({ ctx, org, values, errors }: { ctx: ViewContext; org: Organization; values: FormValues; errors?: FieldErrors }) {
  return (
    <FormPage
      ctx={ctx}
      caption={`${ORG_TYPES[org.type]} ${org.code}`}
      title={`Edit ${org.name}`}
      action={`/directory/organizations/${org.code}/edit`}
      errors={errors}
      submitLabel="Save details"
      intro={<p>The code and kind of an organization cannot change: they tie it to its district, its staff and the applications that use it.</p>}
    >
      <TextField name="name" label="Name" value={values.name} error={errors?.name} />
      <TextField name="town" label="Town" optional value={values.town} error={errors?.town} width="lg" />
      <TextField name="phone" label="Phone number" optional type="tel" value={values.phone} error={errors?.phone} width="md" />
      <SelectField
        name="status"
        label="Status"
        hint="An inactive organization keeps its staff and history, but takes no new staff, roles or Directory Administrators, and its roles give no access"
        options={[
          ['active', 'Active'],
          ['inactive', 'Inactive'],
        ]}
        value={values.status}
        error={errors?.status}
      />
    </FormPage>
  );
}

export function RegisterApplicationPage({ ctx, values, errors }: { ctx: ViewContext; values: FormValues; errors?: FieldErrors }) {
  return (
    <FormPage
      ctx={ctx}
      caption="Applications"
      title="Register an application"
      action="/directory/applications/new"
      errors={errors}
      submitLabel="Register application"
      intro={
        <p>
          The application signs people in through the portal with OpenID Connect (authorization code with PKCE). You will be
          shown its client secret once, to give to the application's administrators.
        </p>
      }
    >
      <TextField name="name" label="Name" hint="As people will see it on the portal home, like Gradebook" value={values.name} error={errors?.name} />
      <TextField
        name="clientId"
        label="Client id"
        hint="2 to 63 lower-case letters, digits, hyphens or underscores, like gradebook. It cannot change later"
        value={values.clientId}
        error={errors?.clientId}
        spellcheck={false}
        autocomplete="off"
        width="lg"
      />
      <ApplicationSettingsFields values={values} errors={errors} />
    </FormPage>
  );
}

export function ApplicationPage({ ctx, application: a, notice = '' }: { ctx: ViewContext; application: Application; notice?: string }) {
  const rows: Array<[string, string | string[]]> = [
    ['Client id', a.id],
    ['Who may open it', a.access === 'open' ? 'Every profile' : 'Only people given a role in an organization'],
    ['Roles', a.roles.join(', ')],
    ['Redirect URIs', a.redirect_uris],
    ['Post-logout redirect URIs', a.post_logout_redirect_uris],
    ['Back-channel logout URI', a.backchannel_logout_uri ?? ''],
    ['Launch URL', a.launch_url ?? ''],
  ];
  return (
    <Layout ctx={ctx} title={a.name}>
      {notice === 'updated' && <Notice text="The application’s settings are saved." />}
      <span class="portal-caption">Applications</span>
      <h1>{a.name}</h1>
      {a.description && <p class="usa-intro">{a.description}</p>}
      {!isPartOfPortal(a) && (
        <p>
          <a href={`/directory/applications/${a.id}/edit`}>
            Edit settings<span class="usa-sr-only"> of {a.name}</span>
          </a>
        </p>
      )}
      <dl class="portal-summary">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>
              {Array.isArray(value) && value.length > 0 ? (
                <ul class="usa-list usa-list--unstyled">
                  {value.map((uri) => (
                    <li key={uri}>{uri}</li>
                  ))}
                </ul>
              ) : (
                (Array.isArray(value) ? '' : value) || 'None'
              )}
            </dd>
          </div>
        ))}
      </dl>
      {isPartOfPortal(a) ? (
        <p>{a.name} is part of the portal itself: its sign-in is managed by the portal.</p>
      ) : !hasReplaceableSecret(a) ? (
        <p>
          {a.name} does not sign in through the portal yet. <a href={`/directory/applications/new?clientId=${encodeURIComponent(a.id)}`}>Register it</a> with its
          redirect URIs to give it a client secret.
        </p>
      ) : (
        <>
          <h2>Client secret</h2>
          <p>
            If the secret may have leaked, issue a new one. The old secret stops working at once: the application cannot sign
            anyone in until its administrators install the new one.
          </p>
          <form method="post" action={`/directory/applications/${a.id}/secret`}>
            <CsrfField ctx={ctx} />
            <button type="submit" class="usa-button usa-button--secondary">
              Issue a new client secret
            </button>
          </form>
        </>
      )}
    </Layout>
  );
}

export function ClientSecretPage({ ctx, application, secret, issuer }: { ctx: ViewContext; application: Application; secret: string; issuer: string }) {
  return (
    <Layout ctx={ctx} title="Client secret">
      <h1>Client secret for {application.name}</h1>
      <p class="usa-intro">Give it to the application's administrators over a secure channel. It is shown only once.</p>
      <dl class="portal-summary">
        <div>
          <dt>Client id</dt>
          <dd data-client-id>{application.id}</dd>
        </div>
        <div>
          <dt>Client secret</dt>
          <dd class="portal-secret" data-client-secret>
            {secret}
          </dd>
        </div>
        <div>
          <dt>Discovery</dt>
          <dd>{`${issuer}/.well-known/openid-configuration`}</dd>
        </div>
      </dl>
      <a class="usa-button" href={`/directory/applications/${application.id}`}>
        Back to {application.name}
      </a>
    </Layout>
  );
}

export function PublicAdministratorsPage({ ctx, q, result }: { ctx: ViewContext; q: string; result: Page<PublicAdministrator> }) {
  return (
    <Layout ctx={ctx} title="Find your Directory Administrator">
      <h1>Find your Directory Administrator</h1>
      <p class="usa-intro">
        Directory Administrators give the staff of their school, district or organization access to the Department's
        applications, and can reset their passwords. A district's administrators act for every school of the district.
      </p>
      <SearchForm action="/directory-administrators" q={q} label="Organization name or code" />
      {result.items.length === 0 ? (
        <p>{q ? 'No Directory Administrators found for that search.' : 'No Directory Administrators are listed yet.'}</p>
      ) : (
        <DataTable
          caption="Directory Administrators"
          rows={result.items}
          rowKey={(a) => `${a.organization_id}-${a.acting_organization_id}-${a.profile_id}`}
          columns={[
            { label: 'Organization', rowHeader: true, cell: (a) => `${a.organization_name} (${a.organization_code})` },
            { label: 'Directory Administrator', cell: (a) => `${a.first_name} ${a.last_name}` },
            { label: 'Acts as', cell: (a) => actsAs(a) },
            { label: 'Email', cell: (a) => (a.email ? <a href={`mailto:${a.email}`}>{a.email}</a> : '') },
            { label: 'Phone', cell: (a) => a.phone ?? '' },
          ]}
        />
      )}
      <Pager page={result.page} pages={result.pages} href={(page) => withQuery('/directory-administrators', { q, page })} />
      <p>Cannot find yours? Call the help desk at <HelpDeskPhone ctx={ctx} />, {ctx.helpdesk.hours}.</p>
    </Layout>
  );
}
