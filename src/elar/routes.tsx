import type { FastifyInstance } from 'fastify';
import { requireLogin, type Portal } from '../app.tsx';
import type { Profile } from '../platform/db.ts';
import { Layout, type ViewContext } from '../platform/views/layout.tsx';
import { ProfileSummary } from '../portal/account-routes.tsx';

/**
 * ELAR, the licensure application. For now its Welcome Page: the person's profile and
 * Change Password (SPEC E1, P7). It signs in through the portal's session until single
 * sign-on makes it an OpenID Connect client.
 */
export function registerElarRoutes(app: FastifyInstance, _portal: Portal) {
  app.get('/elar', async (request, reply) => {
    if (!requireLogin(request, reply)) return reply;
    return reply.page(<WelcomePage ctx={request.view} profile={request.session!.profile} />);
  });
}

function WelcomePage({ ctx, profile }: { ctx: ViewContext; profile: Profile }) {
  return (
    <Layout ctx={ctx} title="ELAR Welcome Page">
      <span class="portal-caption">Educator Licensure And Renewal (ELAR)</span>
      <h1>Welcome, {profile.first_name}</h1>
      <div class="grid-row grid-gap">
        <section class="tablet:grid-col-7" aria-labelledby="profile-heading">
          <h2 id="profile-heading">Your profile</h2>
          <ProfileSummary profile={profile} />
          <p>
            <a class="usa-button" href="/account/password">
              Change Password
            </a>
          </p>
        </section>
        <section class="tablet:grid-col-5" aria-labelledby="licensure-heading">
          <h2 id="licensure-heading">Licenses and renewals</h2>
          <p>
            Applying for, paying for and renewing licenses online is not open in ELAR yet. Keep your User Name and
            MEPID: you will use them for every license application.
          </p>
          <p>
            Questions about a license? Call the Licensure Help Desk at {ctx.helpdesk.phone}, {ctx.helpdesk.hours}.
          </p>
        </section>
      </div>
    </Layout>
  );
}
