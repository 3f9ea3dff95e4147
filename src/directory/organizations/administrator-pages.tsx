import type { Organization } from '../schema.ts';
import { FormPage, SelectField, TextField, type FieldErrors, type FormValues } from '../../platform/views/form.tsx';
import { HelpDeskPhone, Layout, type ViewContext } from '../../platform/views/layout.tsx';
import { DataTable, Pager, SearchForm } from '../../platform/views/list.tsx';
import type { Page, PublicAdministrator, StaffRow } from '../repository.ts';
import { withQuery, type FieldsInput, type FormInput } from '../shared-pages.tsx';

/** Directory Administrators: designating them, their published contacts, the public list (D4). */

const LEVELS: Record<string, string> = {
  district: 'District administrator',
  school: 'School administrator',
  other: 'Administrator',
};

/** The level an administrator sits at for this organization: its own, or its district's. */
export function actsAs(a: PublicAdministrator): string {
  const level = LEVELS[a.acting_organization_type] ?? 'Administrator';
  return a.acting_organization_id === a.organization_id ? level : `${level} (${a.acting_organization_name})`;
}

/** How people reach a Directory Administrator, as designated and as changed later by the administrator. */
function PublishedContactFields({ values, errors }: FieldsInput) {
  return (
    <>
      <TextField
        name="email"
        label="Email address to publish"
        optional
        type="email"
        value={values.email}
        error={errors?.email}
        spellcheck={false}
      />
      <TextField
        name="phone"
        label="Phone number to publish"
        optional
        type="tel"
        value={values.phone}
        error={errors?.phone}
        width="md"
      />
    </>
  );
}

export function PublishContactsPage({ ctx, org, values, errors }: FormInput & { org: Organization }) {
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
          People of {org.name} find you on the{' '}
          <a href="/directory-administrators">public list of Directory Administrators</a>. Your name is always shown;
          publish an email address or phone number where they can reach you about access, or leave them empty.
        </p>
      }
    >
      <PublishedContactFields values={values} errors={errors} />
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
          {org.name} has no staff with a completed profile yet.{' '}
          {props.byUserName ? 'Enter a User Name below, or add' : 'Add'} the person as staff first.
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
      <PublishedContactFields values={values} errors={errors} />
    </FormPage>
  );
}

export function PublicAdministratorsPage({
  ctx,
  q,
  result,
}: {
  ctx: ViewContext;
  q: string;
  result: Page<PublicAdministrator>;
}) {
  return (
    <Layout ctx={ctx} title="Find your Directory Administrator">
      <h1>Find your Directory Administrator</h1>
      <p class="usa-intro">
        Directory Administrators give the staff of their school, district or organization access to the Department's
        applications, and can reset their passwords. A district's administrators act for every school of the district.
      </p>
      <SearchForm action="/directory-administrators" q={q} label="Organization name or code" />
      {result.items.length === 0 ? (
        <p>
          {q ? 'No Directory Administrators found for that search.' : 'No Directory Administrators are listed yet.'}
        </p>
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
      <Pager
        page={result.page}
        pages={result.pages}
        href={(page) => withQuery('/directory-administrators', { q, page })}
      />
      <p>
        Cannot find yours? Call the help desk at <HelpDeskPhone ctx={ctx} />, {ctx.helpdesk.hours}.
      </p>
    </Layout>
  );
}
