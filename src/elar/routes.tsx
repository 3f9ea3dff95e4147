import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { publicRoute } from '../platform/access.ts';
import { PortalError } from '../platform/errors.ts';
import { HelpDeskPhone, Layout, type ViewContext } from '../platform/views/layout.tsx';
import type { Portal } from '../portal/context.ts';
import { endElarSessions, loadElarSession, startElarSession, type ElarRelyingParty } from './relying-party.ts';

/**
 * ELAR, the licensure application: for now its Welcome Page (SPEC E1, P7). It signs in
 * through the portal with OpenID Connect and keeps its own session. A plugin registered
 * with the prefix /elar, outside the portal's session hooks: it never reads the portal's.
 */
export async function elarPlugin(app: FastifyInstance, { portal, rp }: { portal: Portal; rp: ElarRelyingParty }) {
  const prefix = portal.config.secureCookies ? '__Host-' : '';
  const sessionCookie = `${prefix}elar_session`;
  const authCookie = `${prefix}elar_auth`;
  const cookieOptions = portal.cookieOptions;

  async function signIn(request: FastifyRequest, reply: FastifyReply) {
    const auth = await rp.startSignIn(request.url);
    reply.setCookie(authCookie, auth.cookie, { ...cookieOptions, maxAge: 15 * 60 });
    return reply.redirect(auth.url, 303);
  }

  // ELAR's pages are public to the portal's access check: ELAR has no portal session, and
  // its Welcome Page signs in over OpenID Connect itself (its own session, its own tests).
  const elar = publicRoute('ELAR: a relying party that signs people in over OpenID Connect itself');
  app.get('/', { ...elar, prefixTrailingSlash: 'no-slash' }, async (request, reply) => {
    const session = await loadElarSession(portal.db, request.cookies[sessionCookie], portal.config.session);
    if (!session) return signIn(request, reply);
    const { preferred_username: userName, name } = session.claims;
    if (typeof userName === 'string') request.view.user = { userName, displayName: typeof name === 'string' ? name : userName };
    return reply.page(<WelcomePage ctx={request.view} claims={session.claims} />);
  });

  app.get('/callback', elar, async (request, reply) => {
    const saved = request.cookies[authCookie];
    const query = request.query as Record<string, unknown>;
    if (!saved || typeof query.error === 'string') {
      throw new PortalError('ELAR_ERR_SIGN_IN', 400, 'Signing in to ELAR did not complete. Go to ELAR and try again.');
    }
    let result;
    try {
      result = await rp.finishSignIn(`${portal.config.publicUrl}${request.url}`, saved);
    } catch {
      throw new PortalError('ELAR_ERR_SIGN_IN', 400, 'Signing in to ELAR did not complete. Go to ELAR and try again.');
    }
    const token = await startElarSession(portal.db, result.identity, portal.config.session);
    reply.clearCookie(authCookie, cookieOptions);
    reply.setCookie(sessionCookie, token, cookieOptions);
    return reply.redirect(result.returnTo.startsWith('/elar') ? result.returnTo : '/elar', 303);
  });

  // Called by the portal, server to server, when the person signs out: no CSRF token.
  app.post('/backchannel-logout', { config: { ...elar.config, csrf: false } }, async (request, reply) => {
    const token = (request.body as Record<string, unknown> | undefined)?.logout_token;
    if (typeof token !== 'string') return reply.code(400).send({ error: 'invalid_request' });
    try {
      const who = await rp.verifyLogoutToken(token);
      await endElarSessions(portal.db, who.sid ? { sid: who.sid } : { sub: who.sub });
    } catch {
      return reply.code(400).send({ error: 'invalid_request' });
    }
    return reply.code(200).header('cache-control', 'no-store').send();
  });

  // Where the portal sends the person back once the logout below is done.
  app.get('/logged-out', elar, async (request, reply) => {
    return reply.page(<LoggedOutPage ctx={request.view} />);
  });

  // Leaving ELAR leaves the portal and every application (RP-initiated logout). ELAR's
  // button is the one question: the portal recognizes its ID token and does not ask again.
  app.post('/logout', elar, async (request, reply) => {
    const session = await loadElarSession(portal.db, request.cookies[sessionCookie], portal.config.session);
    reply.clearCookie(sessionCookie, cookieOptions);
    if (!session) return reply.redirect('/', 303);
    await endElarSessions(portal.db, { idHash: session.idHash });
    return reply.redirect(await rp.endSessionUrl(session.idToken), 303);
  });
}

function LoggedOutPage({ ctx }: { ctx: ViewContext }) {
  return (
    <Layout ctx={ctx} title="You have logged out">
      <span class="portal-caption">Educator Licensure And Renewal (ELAR)</span>
      <h1>You have logged out</h1>
      <p class="usa-intro">You have logged out of ELAR, the Security Portal and every application you opened with it.</p>
      <p>
        <a class="usa-button" href="/elar">
          Log in to ELAR again
        </a>
      </p>
      <p>
        <a href="/">Go to the portal home page</a>
      </p>
    </Layout>
  );
}

function WelcomePage({ ctx, claims }: { ctx: ViewContext; claims: Record<string, unknown> }) {
  const text = (key: string) => (typeof claims[key] === 'string' ? (claims[key] as string) : '');
  return (
    <Layout ctx={ctx} title="ELAR Welcome Page">
      <span class="portal-caption">Educator Licensure And Renewal (ELAR)</span>
      <h1>Welcome, {text('given_name')}</h1>
      <div class="grid-row grid-gap">
        <section class="tablet:grid-col-7" aria-labelledby="profile-heading">
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
            Questions about a license? Call the Licensure Help Desk at <HelpDeskPhone ctx={ctx} />, {ctx.helpdesk.hours}.
          </p>
        </section>
      </div>
      <form method="post" action="/elar/logout">
        <input type="hidden" name="_csrf" value={ctx.csrfToken()} />
        <button type="submit" class="usa-button usa-button--unstyled">
          Log out of ELAR and the portal
        </button>
      </form>
    </Layout>
  );
}
