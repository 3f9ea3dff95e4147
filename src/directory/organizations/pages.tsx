import type { Organization } from '../schema.ts';
import { FormPage, SelectField, TextField } from '../../platform/views/form.tsx';
import { Layout, type ViewContext } from '../../platform/views/layout.tsx';
import { DataTable, Pager, SearchForm } from '../../platform/views/list.tsx';
import { PostForm } from '../../platform/views/post-form.tsx';
import type { MemberRow, Page, PublicAdministrator } from '../repository.ts';
import {
  ORG_TYPES,
  withQuery,
  Notice,
  StaffTable,
  NameAndBirthFields,
  type FieldsInput,
  type FormInput,
} from '../shared-pages.tsx';
import { actsAs } from './administrator-pages.tsx';

/** The directory workspace, organizations and their staff. */

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
          <a href="/directory/conflicts">Partial matches of your staff</a> ({props.openConflicts} open): details someone
          gave that conflict with a profile of your staff. Correct the profile if your records were wrong.
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

export function OrganizationList({
  ctx,
  q,
  result,
  canManage,
}: {
  ctx: ViewContext;
  q: string;
  result: Page<Organization>;
  canManage: boolean;
}) {
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
      <Pager
        page={result.page}
        pages={result.pages}
        href={(page) => withQuery('/directory/organizations', { q, page })}
      />
    </Layout>
  );
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
              This organization is inactive: it takes no new staff, roles or Directory Administrators, and its roles
              give no access to applications. It is not on the public list of Directory Administrators.
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
                <>
                  {' '}
                  <PostForm
                    ctx={props.ctx}
                    class="portal-inline-form"
                    action={`${base}/administrators/${a.profile_id}/revoke`}
                    submitLabel="Revoke"
                    submitFor={`${a.first_name} ${a.last_name}`}
                    look="unstyled"
                  />
                </>
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

export function AddStaffPage({ ctx, org, values, errors }: FormInput & { org: Organization }) {
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
      <NameAndBirthFields values={values} errors={errors} />
      <TextField
        name="ssn"
        label="Social Security number"
        hint="9 digits"
        value={values.ssn}
        error={errors?.ssn}
        inputMode="numeric"
        autocomplete="off"
        width="md"
      />
      <TextField
        name="email"
        label="Work email address"
        optional
        type="email"
        value={values.email}
        error={errors?.email}
        spellcheck={false}
      />
    </FormPage>
  );
}

/** A form an inactive organization no longer serves, refused with a page that says why. */
export function InactiveOrganizationPage({
  ctx,
  org,
  canManage,
}: {
  ctx: ViewContext;
  org: Organization;
  canManage: boolean;
}) {
  return (
    <Layout ctx={ctx} title={`${org.name} is inactive`}>
      <span class="portal-caption">
        {ORG_TYPES[org.type]} {org.code}
      </span>
      <h1>{org.name} is inactive</h1>
      <p class="usa-intro">
        An inactive organization takes no new staff, roles or Directory Administrators, and its roles give no access.
      </p>
      <p>
        {canManage ? 'You can make it active again on its page: ' : 'The Department can make it active again. '}
        <a href={`/directory/organizations/${org.code}`}>Back to {org.name}</a>
      </p>
    </Layout>
  );
}

/** An organization's contact details, as added and as edited. */
function TownAndPhoneFields({ values, errors }: FieldsInput) {
  return (
    <>
      <TextField name="town" label="Town" optional value={values.town} error={errors?.town} width="lg" />
      <TextField
        name="phone"
        label="Phone number"
        optional
        type="tel"
        value={values.phone}
        error={errors?.phone}
        width="md"
      />
    </>
  );
}

const ORGANIZATION_TYPE_OPTIONS: Array<[string, string]> = Object.entries(ORG_TYPES);

export function AddOrganizationPage({ ctx, values, errors }: FormInput) {
  return (
    <FormPage
      ctx={ctx}
      caption="Organizations"
      title="Add an organization"
      action="/directory/organizations/new"
      errors={errors}
      submitLabel="Add organization"
    >
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
      <SelectField
        name="type"
        label="Kind of organization"
        options={ORGANIZATION_TYPE_OPTIONS}
        value={values.type}
        error={errors?.type}
      />
      <TownAndPhoneFields values={values} errors={errors} />
    </FormPage>
  );
}

export function EditOrganizationPage({ ctx, org, values, errors }: FormInput & { org: Organization }) {
  return (
    <FormPage
      ctx={ctx}
      caption={`${ORG_TYPES[org.type]} ${org.code}`}
      title={`Edit ${org.name}`}
      action={`/directory/organizations/${org.code}/edit`}
      errors={errors}
      submitLabel="Save details"
      intro={
        <p>
          The code and kind of an organization cannot change: they tie it to its district, its staff and the
          applications that use it.
        </p>
      }
    >
      <TextField name="name" label="Name" value={values.name} error={errors?.name} />
      <TownAndPhoneFields values={values} errors={errors} />
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
