import type { FastifyInstance } from 'fastify';
import type { Portal } from '../app.tsx';
import { Layout, type ViewContext } from '../platform/views/layout.tsx';

export function registerHomeRoutes(app: FastifyInstance, _portal: Portal) {
  app.get('/', async (request, reply) => {
    const signedOut = (request.query as Record<string, unknown>).signedOut === '1';
    return reply.page(<HomePage ctx={request.view} signedOut={signedOut && !request.session} />);
  });
}

function HomePage({ ctx, signedOut }: { ctx: ViewContext; signedOut: boolean }) {
  if (ctx.user) {
    return (
      <Layout ctx={ctx} title="Your applications">
        <h1>Welcome, {ctx.user.displayName}</h1>
        <p class="usa-intro">Your User Name is <strong>{ctx.user.userName}</strong>.</p>
        <h2>Your applications</h2>
        <ul class="usa-card-group">
          <li class="usa-card tablet:grid-col-6">
            <div class="usa-card__container">
              <div class="usa-card__header">
                <h3 class="usa-card__heading">ELAR</h3>
              </div>
              <div class="usa-card__body">
                <p>Educator Licensure And Renewal: your licensure profile and account.</p>
              </div>
              <div class="usa-card__footer">
                <a class="usa-button" href="/elar">
                  Open ELAR
                </a>
              </div>
            </div>
          </li>
        </ul>
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
        One User Name and password for the agency's online services: ELAR for educator licensure, and the data
        applications your school or district gives you access to.
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
          <a href="/help">Help with the portal</a>
        </li>
      </ul>
    </Layout>
  );
}
