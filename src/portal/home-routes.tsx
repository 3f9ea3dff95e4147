import type { FastifyInstance } from 'fastify';
import { publicRoute } from '../platform/access.ts';
import {
  applicationsFor,
  findApplication,
  hasDirectoryAccess,
  loadActor,
  pendingMembershipsOf,
  type Application,
  type PendingMembership,
} from '../directory/index.ts';
import { Layout, type ViewContext } from '../platform/views/layout.tsx';
import type { Portal } from './context.ts';
import { membershipNotice, PendingMemberships, registerMembershipRoutes } from './membership-routes.tsx';

export function registerHomeRoutes(app: FastifyInstance, portal: Portal) {
  registerMembershipRoutes(app, portal);
  app.get(
    '/',
    publicRoute('portal home: the signed-in person’s own applications, or the welcome page'),
    async (request, reply) => {
      const signedOut = (request.query as Record<string, unknown>).signedOut === '1';
      const profile = request.session?.profile;
      if (!profile) return reply.page(<HomePage ctx={request.view} signedOut={signedOut} />);
      // SPEC S4: every application this person may open, and the directory workspace if they run one.
      const [applications, actor, directory, pending, notice] = await Promise.all([
        applicationsFor(portal.db, profile.id),
        loadActor(portal.db, profile),
        findApplication(portal.db, 'directory'),
        pendingMembershipsOf(portal.db, profile.id),
        membershipNotice(portal, profile.id, request.query as Record<string, unknown>),
      ]);
      const all =
        hasDirectoryAccess(actor) && directory && !applications.some((a) => a.id === 'directory')
          ? [directory, ...applications]
          : applications;
      return reply.page(
        <HomePage ctx={request.view} signedOut={false} applications={all} pending={pending} notice={notice} />,
      );
    },
  );
}

function ApplicationCard({ app }: { app: Application }) {
  return (
    <li class="usa-card tablet:grid-col-6 desktop:grid-col-4">
      <div class="usa-card__container">
        <div class="usa-card__header">
          <h3 class="usa-card__heading">{app.name}</h3>
        </div>
        <div class="usa-card__body">
          <p>{app.description}</p>
        </div>
        <div class="usa-card__footer">
          {app.launch_url ? (
            <a class="usa-button" href={app.launch_url}>
              Open {app.name}
            </a>
          ) : (
            <p class="text-base">Opened from the Department's website with this User Name.</p>
          )}
        </div>
      </div>
    </li>
  );
}

function HomePage(props: {
  ctx: ViewContext;
  signedOut: boolean;
  applications?: Application[];
  pending?: PendingMembership[];
  notice?: string;
}) {
  const { ctx, signedOut, applications } = props;
  if (ctx.user && applications) {
    return (
      <Layout ctx={ctx} title="Your applications">
        {props.notice && (
          <div class="usa-alert usa-alert--success usa-alert--slim margin-bottom-3" role="status">
            <div class="usa-alert__body">
              <p class="usa-alert__text">{props.notice}</p>
            </div>
          </div>
        )}
        <h1>Welcome, {ctx.user.displayName}</h1>
        <PendingMemberships ctx={ctx} memberships={props.pending ?? []} />
        <p class="usa-intro">
          Your User Name is <strong>{ctx.user.userName}</strong>.
        </p>
        <h2>Your applications</h2>
        <ul class="usa-card-group">
          {applications.map((a) => (
            <ApplicationCard key={a.id} app={a} />
          ))}
        </ul>
        <p>
          Need another application? Your organization's <a href="/directory-administrators">Directory Administrator</a>{' '}
          can give you access.
        </p>
        <p>
          <a href="/account">Your account</a>: change your password or sign out everywhere.
        </p>
      </Layout>
    );
  }
  return (
    <Layout ctx={ctx} title="Welcome">
      {signedOut && (
        <div class="usa-alert usa-alert--success usa-alert--slim margin-bottom-3" role="status">
          <div class="usa-alert__body">
            <p class="usa-alert__text">You have logged out.</p>
          </div>
        </div>
      )}
      <h1>Educator Security Portal</h1>
      <p class="usa-intro">
        One User Name and password for the agency's online services: ELAR, to find out what an educator license needs,
        apply for one or advance, pay the fee online and follow your application; and the data applications your school
        or district gives you access to.
      </p>
      <p>
        Before you apply, read <a href="/elar/requirements">what each license requires</a>. You do not need to log in.
      </p>
      <div class="portal-actions">
        <a class="usa-button" href="/login">
          Log in
        </a>
        <a class="usa-button usa-button--outline" href="/profile/new">
          Create a profile
        </a>
      </div>
      <h2>Can't log in?</h2>
      <ul class="usa-list">
        <li>
          <a href="/account/recover">Retrieve your User Name or reset your password</a>
        </li>
        <li>
          <a href="/directory-administrators">Find your Directory Administrator</a>
        </li>
        <li>
          <a href="/help">Help with the portal</a>
        </li>
      </ul>
    </Layout>
  );
}
