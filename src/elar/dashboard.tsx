import { HelpDeskPhone, Layout, type ViewContext } from '../platform/views/layout.tsx';
import {
  formatDollars,
  latestChanges,
  listApplications,
  noticesOf,
  whenWords,
  type ApplicationDeps,
  type ApplicationSummary,
  type LatestChange,
} from './applications/index.ts';
import { dateWords, dayWords } from './dates.ts';
import { licensesHeldBy, type LicenseHeld, type LicenseStatus } from './licenses/index.ts';
import { can, STAFF_ROLE_NAMES, type ElarActor } from './staff.ts';

/**
 * The ELAR Welcome Page (CONTRACT.md: GET /elar) is the educator's dashboard: the licenses
 * they hold, their applications with live status, and what is waiting for them. It reads a
 * fixed handful of queries however many applications the person has (issue 13: 50
 * applications under 20 ms), and is whole without JavaScript; public/elar-live.js keeps an
 * open page current.
 */
export interface Dashboard {
  licenses: LicenseHeld[];
  applications: ApplicationSummary[];
  latest: Map<string, LatestChange>;
  notices: { id: string; text: string; created_at: Date }[];
}

export async function loadDashboard(deps: ApplicationDeps, personSub: string): Promise<Dashboard> {
  const { db } = deps;
  const [licenses, applications, latest, notices] = await Promise.all([
    licensesHeldBy(db, personSub),
    listApplications(deps, personSub),
    latestChanges(db, personSub),
    noticesOf(db, personSub),
  ]);
  return { licenses, applications, latest, notices };
}

/** The staff work a person may do in ELAR, as `can()` decides it. */
const STAFF_WORK = [
  ['application.evaluate', 'evaluate license applications'],
  ['application.assign', 'assign applications to evaluators'],
  ['application.decide', 'approve or deny applications'],
  ['payment.manage', 'manage fees, payments and refunds'],
] as const;

function StaffNotice({ actor }: { actor: ElarActor }) {
  const roles = actor.staffRoles.map((role) => STAFF_ROLE_NAMES[role]);
  const work = STAFF_WORK.filter(([permission]) => can(actor, permission)).map(([, words]) => words);
  return (
    <section
      class="usa-alert usa-alert--info usa-alert--slim"
      aria-labelledby="staff-heading"
      data-elar-staff={actor.staffRoles.join(' ')}
    >
      <div class="usa-alert__body">
        <h2 id="staff-heading" class="usa-alert__heading">
          You are signed in as a {roles.join(' and a ')}
        </h2>
        <p class="usa-alert__text">
          As Department staff in ELAR you may {work.join(', ')}. <a href="/elar/staff">Go to your staff pages</a>
        </p>
      </div>
    </section>
  );
}

const LICENSE_STATUS_WORDS: Record<LicenseStatus, string> = {
  active: 'Active',
  expired: 'Expired',
  inactive: 'Inactive/invalid',
  suspended: 'Suspended',
  revoked: 'Revoked',
};

export function DashboardPage({
  ctx,
  claims,
  actor,
  changePassword,
  dashboard,
}: {
  ctx: ViewContext;
  claims: Record<string, unknown>;
  actor: ElarActor;
  changePassword: string;
  dashboard: Dashboard;
}) {
  const text = (key: string) => (typeof claims[key] === 'string' ? (claims[key] as string) : '');
  const lastEventId = [...dashboard.latest.values()].reduce(
    (max, change) => (BigInt(change.eventId) > BigInt(max) ? change.eventId : max),
    '0',
  );
  return (
    <Layout ctx={ctx} title="ELAR Welcome Page">
      <span class="portal-caption">Educator Licensure And Renewal (ELAR)</span>
      <h1>Welcome, {text('given_name')}</h1>
      {actor.staffRoles.length > 0 && <StaffNotice actor={actor} />}
      <div class="portal-actions margin-y-3">
        <a class="usa-button" href="/elar/applications/new">
          Apply for a New License or Advance to the next level
        </a>
        <a class="usa-button usa-button--outline" href="/elar/renewals/new">
          Apply to Renew your Professional License
        </a>
      </div>
      <div data-live-status data-last-event-id={lastEventId} hidden />
      <p class="usa-sr-only" aria-live="polite" data-live-announcer />
      <Waiting dashboard={dashboard} />
      <Applications dashboard={dashboard} />
      <Licenses dashboard={dashboard} />
      <section aria-labelledby="profile-heading">
        <h2 id="profile-heading">Your profile</h2>
        <dl class="portal-summary">
          <dt>Name</dt>
          <dd>{text('name')}</dd>
          <dt>User Name</dt>
          <dd data-username>{text('preferred_username')}</dd>
          <dt>MEPID</dt>
          <dd data-mepid>{text('mepid')}</dd>
        </dl>
        <p>
          <a class="usa-button usa-button--outline" href={changePassword}>
            Change Password
          </a>
        </p>
        <p>
          Questions about a license? Call the Licensure Help Desk at <HelpDeskPhone ctx={ctx} />, {ctx.helpdesk.hours}.
        </p>
      </section>
      <form method="post" action="/elar/logout">
        <input type="hidden" name="_csrf" value={ctx.csrfToken()} />
        <button type="submit" class="usa-button usa-button--unstyled">
          Log out of ELAR and the portal
        </button>
      </form>
      <script src="/assets/elar-live.js" defer />
    </Layout>
  );
}

/** What the person has to do: drafts to finish, fees to pay, questions to answer, and ELAR's notices. */
function Waiting({ dashboard }: { dashboard: Dashboard }) {
  const actions = dashboard.applications.flatMap((a) => {
    const page = `/elar/applications/${a.id}`;
    // `data-action-for` lets the live script take an action away once the application moves on.
    const item = (link: string, rest: string) => (
      <li data-action-for={a.id} data-action-state={a.state}>
        <a href={page}>{link}</a>
        {rest}
      </li>
    );
    if (a.state === 'draft')
      return [
        item(
          `Finish application ${a.reference}`,
          a.draftExpiresAt ? `: it will be deleted on ${dayWords(a.draftExpiresAt)} unless you submit it.` : '.',
        ),
      ];
    if (a.state === 'awaiting-payment')
      return [
        item(
          `Pay the fee for application ${a.reference}`,
          a.feeCents === null ? '.' : `: ${formatDollars(a.feeCents)}. You can pay by card now or later.`,
        ),
      ];
    if (a.state === 'information-requested')
      return [item(`Answer the evaluator on application ${a.reference}`, ': see what they asked for and by when.')];
    return [];
  });
  return (
    <section aria-labelledby="waiting-heading">
      <h2 id="waiting-heading">What is waiting for you</h2>
      {actions.length === 0 && dashboard.notices.length === 0 ? (
        <p>Nothing is waiting for you.</p>
      ) : (
        <>
          {actions.length > 0 && <ul class="usa-list">{actions}</ul>}
          {dashboard.notices.map((notice) => (
            <div class="usa-alert usa-alert--warning usa-alert--slim" data-notice={notice.id}>
              <div class="usa-alert__body">
                <p class="usa-alert__text">
                  {notice.text} <span class="text-base">({dayWords(notice.created_at)})</span>
                </p>
              </div>
            </div>
          ))}
        </>
      )}
    </section>
  );
}

function Applications({ dashboard }: { dashboard: Dashboard }) {
  const { applications, latest } = dashboard;
  return (
    <section aria-labelledby="applications-heading">
      <h2 id="applications-heading">Your applications</h2>
      {applications.length === 0 ? (
        <p>You have no applications. Apply for a license to start one: your answers are saved as you go.</p>
      ) : (
        <table class="usa-table usa-table--borderless usa-table--stacked width-full">
          <thead>
            <tr>
              <th scope="col">Application</th>
              <th scope="col">Licenses</th>
              <th scope="col">Status</th>
              <th scope="col">Last change</th>
            </tr>
          </thead>
          <tbody>
            {applications.map((a) => {
              const change = latest.get(a.id);
              return (
                <tr data-application-id={a.id}>
                  <th scope="row" data-label="Application">
                    <a href={`/elar/applications/${a.id}`}>{a.reference}</a>
                  </th>
                  <td data-label="Licenses">
                    {a.licenses.length === 0 ? (
                      'None chosen yet'
                    ) : (
                      <ul class="usa-list usa-list--unstyled">
                        {a.licenses.map((l) => (
                          <li>{l.name}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td data-label="Status">
                    <strong class="usa-tag" data-application-status={a.state}>
                      {a.stateName}
                    </strong>
                  </td>
                  <td data-label="Last change" data-application-change>
                    {change && (
                      <>
                        {change.text} <time datetime={change.at.toISOString()}>{whenWords(change.at)}</time>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Licenses({ dashboard }: { dashboard: Dashboard }) {
  const { licenses } = dashboard;
  return (
    <section aria-labelledby="licenses-heading">
      <h2 id="licenses-heading">Your licenses</h2>
      {licenses.length === 0 ? (
        <p>
          You hold no Massachusetts educator license on record in ELAR. When an application is approved, the license is
          listed here.
        </p>
      ) : (
        <table class="usa-table usa-table--borderless usa-table--stacked width-full">
          <thead>
            <tr>
              <th scope="col">License number</th>
              <th scope="col">License</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Valid from</th>
              <th scope="col">Valid until</th>
            </tr>
          </thead>
          <tbody>
            {licenses.map((l) => (
              <tr>
                <th scope="row" data-label="License number" data-license-number={l.number}>
                  {l.number}
                </th>
                <td data-label="License">{l.title}</td>
                <td data-label="Type">{l.typeName}</td>
                <td data-label="Status">{LICENSE_STATUS_WORDS[l.status]}</td>
                <td data-label="Valid from">{dateWords(l.validFrom)}</td>
                <td data-label="Valid until">
                  {l.validUntil
                    ? dateWords(l.validUntil)
                    : `While employed under it (${l.employmentYears} years so far)`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
