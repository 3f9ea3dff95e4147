import type { Application, Organization } from '../schema.ts';
import type { Profile } from '../../portal/index.ts';
import { ConfirmPage } from '../../platform/views/confirm-page.tsx';
import { ErrorSummary, FormPage, SelectField, TextField, type FieldErrors } from '../../platform/views/form.tsx';
import { Layout, type ViewContext } from '../../platform/views/layout.tsx';
import { DataTable, Pager, SearchForm } from '../../platform/views/list.tsx';
import { PostForm } from '../../platform/views/post-form.tsx';
import { SummaryList } from '../../platform/views/summary-list.tsx';
import { COUNT_CAP, type GrantRow, type Membership, type Page, type StaffRow } from '../repository.ts';
import { withQuery, Notice, StaffTable, NameAndBirthFields, type FormInput } from '../shared-pages.tsx';

/** A person as an administrator sees them, and what may be done for them. */

const NOTICES: Record<string, string> = {
  'added-new':
    'Added. A profile was started for this person: they finish it with Create a profile and receive their User Name.',
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
  const roleOptions: Array<[string, string]> = props.applications.flatMap((a) =>
    a.roles.map((r) => [`${a.id}:${r}`, `${a.name}: ${r}`] as [string, string]),
  );
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
      <SummaryList
        rows={[
          { label: 'User Name', value: p.user_name, data: 'username' },
          { label: 'MEPID', value: p.mepid, data: 'mepid' },
          { label: 'Profile', value: p.status === 'active' ? 'Active' : 'Not yet completed by the person' },
          {
            label: 'Organizations',
            value:
              props.orgs
                .map((o) => `${o.name} (${o.code})${o.work_email ? ` · work email ${o.work_email}` : ''}`)
                .join('; ') || 'None',
          },
        ]}
      />

      <RolesSection {...props} />
      {props.actingOrgs.length > 0 && (
        <PostForm ctx={props.ctx} class="usa-form" action={`/directory/people/${p.id}/roles`} submitLabel="Grant role">
          <h3>Grant a role</h3>
          <SelectField
            name="organization"
            label="Organization"
            value={props.actingOrgs.length === 1 ? props.actingOrgs[0]!.code : undefined}
            options={props.actingOrgs.map((o) => [o.code, `${o.name} (${o.code})`])}
            error={props.errors?.organization}
          />
          <SelectField
            name="applicationRole"
            label="Application and role"
            options={roleOptions}
            error={props.errors?.applicationRole}
          />
        </PostForm>
      )}

      <StaffSection {...props} />

      <h2>Password, sessions and lockout</h2>
      <p>
        You never choose a person's password: a reset gives a temporary one, shown once and valid for three days, that
        they must change at their next login.
      </p>
      <p>
        Sign out everywhere ends the person's sessions in the portal and in every application, for example after a lost
        or shared computer.
      </p>
      {props.lockedUntil && (
        <div class="usa-alert usa-alert--warning usa-alert--slim margin-bottom-2">
          <div class="usa-alert__body">
            <p class="usa-alert__text">
              The account is locked until {utcTime(props.lockedUntil)} after too many failed attempts (password or hint
              answer). Unlock it if you know the person is the one trying.
            </p>
          </div>
        </div>
      )}
      {/* Each opens a page that says what will happen; only its button acts. */}
      <div class="portal-actions">
        <a class="usa-button usa-button--secondary" href={`/directory/people/${p.id}/reset-password`}>
          Reset password
        </a>
        <a class="usa-button usa-button--outline" href={`/directory/people/${p.id}/sessions/end`}>
          Sign out everywhere
        </a>
        {props.lockedUntil && (
          <PostForm
            ctx={props.ctx}
            action={`/directory/people/${p.id}/unlock`}
            submitLabel="Unlock account"
            look="outline"
          />
        )}
      </div>
      {!props.lockedUntil && <p>The account is not locked.</p>}
      <h2>Identity details</h2>
      <p>
        <a href={`/directory/people/${p.id}/fix`}>Correct name, date of birth or SSN</a> (for example, to resolve a
        partial match).
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
                <PostForm
                  ctx={props.ctx}
                  action={`/directory/people/${props.person.id}/roles/revoke`}
                  fields={{ organization: g.organization_code, application: g.application_id, role: g.role }}
                  submitLabel="Revoke"
                  submitFor={`${g.application_name} ${g.role}`}
                  look="unstyled"
                />
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
          <p>
            Someone who has left an organization is taken off its staff: their roles there end, and so does your access
            to their profile.
          </p>
          <div class="portal-actions">
            {props.removableFrom!.map((o) => (
              <PostForm
                key={o.code}
                ctx={props.ctx}
                action={`/directory/organizations/${o.code}/staff/${props.person.id}/remove`}
                submitLabel={`Remove from the staff of ${o.name}`}
                look="outline"
              />
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
      <SummaryList
        rows={[
          { label: 'User Name', value: p.user_name, data: 'username' },
          { label: 'Organizations', value: orgs.map((o) => `${o.name} (${o.code})`).join('; ') || 'None' },
        ]}
      />
      {props.grants.length > 0 && <RolesSection {...props} />}
      <StaffSection {...props} />
    </Layout>
  );
}

export function TemporaryPasswordPage({
  ctx,
  person,
  password,
}: {
  ctx: ViewContext;
  person: Profile;
  password: string;
}) {
  return (
    <Layout ctx={ctx} title="Temporary password">
      <h1>
        Temporary password for {person.first_name} {person.last_name}
      </h1>
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

export function FixDataPage({ ctx, person, values, errors }: FormInput & { person: Profile }) {
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
          Enter the details exactly as the person gives them from their official documents: the date of birth and Social
          Security number on record are not shown. Open partial matches for this profile are closed.
        </p>
      }
    >
      <NameAndBirthFields values={values} errors={errors} />
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
      {q && (
        <p>
          {result.total === 1
            ? '1 person'
            : result.total > COUNT_CAP
              ? `More than ${COUNT_CAP.toLocaleString('en-US')} people: add a first name to narrow the search`
              : `${result.total} people`}
        </p>
      )}
      {q && <StaffTable staff={result.items} />}
      <Pager page={result.page} pages={result.pages} href={(page) => withQuery('/directory/people', { q, page })} />
    </Layout>
  );
}

const fullName = (p: Profile) => `${p.first_name} ${p.last_name}`;

export function ConfirmResetPasswordPage({ ctx, person }: { ctx: ViewContext; person: Profile }) {
  return (
    <ConfirmPage
      ctx={ctx}
      caption={`${fullName(person)} (${person.user_name})`}
      title={`Reset the password of ${fullName(person)}?`}
      action={`/directory/people/${person.id}/reset-password`}
      submitLabel="Reset password"
      back={`/directory/people/${person.id}`}
      intro={
        <ul class="usa-list">
          <li>Their current password stops working at once.</li>
          <li>
            You are shown a temporary password, once, to give them in person or by phone. It is valid for three days.
          </li>
          <li>They must choose their own password when they next log in.</li>
          <li>They are signed out of the portal and of every application, and a lockout is lifted.</li>
        </ul>
      }
    />
  );
}

/** A reset that is refused (a pre-created profile, attack F8): why, and the way back. */
export function ResetRefusedPage({ ctx, person, message }: { ctx: ViewContext; person: Profile; message: string }) {
  return (
    <Layout ctx={ctx} title="The password cannot be reset">
      <span class="portal-caption">{fullName(person)}</span>
      <h1>The password cannot be reset</h1>
      <p class="usa-intro">{message}.</p>
      <p>
        <a href={`/directory/people/${person.id}`}>Back to {fullName(person)}</a>
      </p>
    </Layout>
  );
}

export function ConfirmSignOutPage({ ctx, person }: { ctx: ViewContext; person: Profile }) {
  return (
    <ConfirmPage
      ctx={ctx}
      caption={`${fullName(person)} (${person.user_name})`}
      title={`Sign ${fullName(person)} out everywhere?`}
      action={`/directory/people/${person.id}/sessions/end`}
      submitLabel="Sign out everywhere"
      back={`/directory/people/${person.id}`}
      intro={
        <p>
          Every session of {fullName(person)} ends, in the portal and in every application, for example after a lost or
          shared computer. Their password does not change: they can log in again at once.
        </p>
      }
    />
  );
}
