import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { publicRoute } from '../platform/access.ts';
import { clientIp, cookieOptions } from '../platform/http.tsx';
import { Layout, type ViewContext } from '../platform/views/layout.tsx';
import { registerLiveStatus } from './applications/live.ts';
import { applicantFrom, registerApplicationRoutes } from './applications/routes.tsx';
import type { EventBus, SseStreams } from '../platform/events/index.ts';
import type { ApplicationSettings } from './applications/settings.ts';
import type { ElarConfig } from './config.ts';
import { DashboardPage, loadDashboard } from './dashboard.tsx';
import { elarErrors } from './errors.ts';
import type { ElarRelyingParty } from './relying-party.ts';
import { registerRenewalRoutes } from './renewals/index.ts';
import type { ElarDb } from './schema.ts';
import { registerStaffRoutes } from './staff/routes.tsx';
import { endElarSessions, liveElarSessions, loadElarSession, startElarSession } from './sessions.ts';
import { staffRolesFrom } from './staff.ts';

/**
 * ELAR, the licensure application: its Welcome Page, the educator's dashboard (SPEC E1, P7). It signs in
 * through the portal with OpenID Connect and keeps its own session. Paths are relative to
 * the plugin's prefix (/elar).
 */
export function registerElarRoutes(
  app: FastifyInstance,
  config: ElarConfig,
  db: ElarDb,
  rp: ElarRelyingParty,
  applications: ApplicationSettings,
  live: { bus: EventBus; streams: SseStreams; heartbeatMs: number },
) {
  const prefix = config.secureCookies ? '__Host-' : '';
  const sessionCookie = `${prefix}elar_session`;
  const authCookie = `${prefix}elar_auth`;
  const cookies = cookieOptions(config);
  /** A portal page: on this origin when co-hosted, on the issuer's otherwise. */
  const portalPage = (path: string) => (config.issuer === config.publicUrl ? path : `${config.issuer}${path}`);

  async function signIn(request: FastifyRequest, reply: FastifyReply) {
    const auth = await rp.startSignIn(request.url);
    reply.setCookie(authCookie, auth.cookie, { ...cookies, maxAge: 15 * 60 });
    return reply.redirect(auth.url, 303);
  }

  // ELAR's pages are public to the platform's access check: ELAR has no portal session, and
  // its Welcome Page signs in over OpenID Connect itself (its own session, its own tests).
  const elar = publicRoute('ELAR: a relying party that signs people in over OpenID Connect itself');
  app.get('', elar, async (request, reply) => {
    const session = await loadElarSession(db, request.cookies[sessionCookie], config.session);
    const person = session && applicantFrom(session.claims);
    if (!session || !person) return signIn(request, reply);
    const { preferred_username: userName, name } = session.claims;
    if (typeof userName === 'string')
      request.view.user = { userName, displayName: typeof name === 'string' ? name : userName };
    const dashboard = await loadDashboard({ db, settings: applications }, person.sub);
    return reply.page(
      <DashboardPage
        ctx={request.view}
        claims={session.claims}
        actor={session}
        changePassword={portalPage('/account/password')}
        dashboard={dashboard}
      />,
    );
  });

  const applicant = async (request: FastifyRequest, reply: FastifyReply) => {
    const session = await loadElarSession(db, request.cookies[sessionCookie], config.session);
    const person = session && applicantFrom(session.claims);
    if (!session || !person) {
      await signIn(request, reply);
      return null;
    }
    const { preferred_username: userName, name } = session.claims;
    if (typeof userName === 'string')
      request.view.user = { userName, displayName: typeof name === 'string' ? name : userName };
    return person;
  };
  registerApplicationRoutes(app, { deps: { db, settings: applications }, access: elar, applicant });
  registerLiveStatus(app, {
    db,
    ...live,
    access: elar,
    signedIn: async (request) => {
      const session = await loadElarSession(db, request.cookies[sessionCookie], config.session);
      const person = session && applicantFrom(session.claims);
      return session && person ? { person, session: session.idHash } : null;
    },
    liveSessions: (sessions) => liveElarSessions(db, sessions, config.session),
    checkMs: live.heartbeatMs,
  });

  registerStaffRoutes(app, {
    deps: { db, settings: applications },
    member: async (request) => {
      const session = await loadElarSession(db, request.cookies[sessionCookie], config.session);
      const sub = session?.claims.sub;
      if (!session || typeof sub !== 'string') return null;
      const { preferred_username: userName, name } = session.claims;
      if (typeof userName === 'string')
        request.view.user = { userName, displayName: typeof name === 'string' ? name : userName };
      return { sub, staffRoles: session.staffRoles };
    },
    signIn,
  });
  registerRenewalRoutes(app, { db, access: elar, applicant });

  app.get('/callback', elar, async (request, reply) => {
    const saved = request.cookies[authCookie];
    const query = request.query as Record<string, unknown>;
    if (!saved || typeof query.error === 'string') {
      throw elarErrors.signIn();
    }
    let result;
    try {
      result = await rp.finishSignIn(`${config.publicUrl}${request.url}`, saved);
    } catch (err) {
      request.log.info({ err }, 'ELAR sign-in did not complete');
      throw elarErrors.signIn();
    }
    const token = await startElarSession(
      db,
      result.identity,
      staffRolesFrom(result.identity.claims, config.departmentOrg),
      config.session,
      clientIp(request),
    );
    reply.clearCookie(authCookie, cookies);
    reply.setCookie(sessionCookie, token, cookies);
    return reply.redirect(result.returnTo.startsWith(app.prefix) ? result.returnTo : app.prefix, 303);
  });

  // Called by the portal, server to server, when the person signs out: no CSRF token.
  app.post('/backchannel-logout', { config: { ...elar.config, csrf: false } }, async (request, reply) => {
    const token = (request.body as Record<string, unknown> | undefined)?.logout_token;
    if (typeof token !== 'string') return reply.code(400).send({ error: 'invalid_request' });
    // The protocol's own answer (OpenID Connect Back-Channel Logout), for the portal, not a person.
    let who;
    try {
      who = await rp.verifyLogoutToken(token);
    } catch (err) {
      request.log.info({ err }, 'ELAR refused a back-channel logout token');
      return reply.code(400).send({ error: 'invalid_request' });
    }
    // Outside the refusal above: ELAR's database failing is a 500 (logged), which the portal retries.
    await endElarSessions(db, who.sid ? { sid: who.sid } : { sub: who.sub });
    return reply.code(200).header('cache-control', 'no-store').send();
  });

  // Where the portal sends the person back once the logout below is done.
  app.get('/logged-out', elar, async (request, reply) => {
    return reply.page(<LoggedOutPage ctx={request.view} portalHome={portalPage('/')} />);
  });

  // Leaving ELAR leaves the portal and every application (RP-initiated logout). ELAR's
  // button is the one question: the portal recognizes its ID token and does not ask again.
  app.post('/logout', elar, async (request, reply) => {
    const session = await loadElarSession(db, request.cookies[sessionCookie], config.session);
    reply.clearCookie(sessionCookie, cookies);
    if (!session) return reply.redirect(portalPage('/'), 303);
    await endElarSessions(db, { idHash: session.idHash });
    return reply.redirect(await rp.endSessionUrl(session.idToken), 303);
  });
}

function LoggedOutPage({ ctx, portalHome }: { ctx: ViewContext; portalHome: string }) {
  return (
    <Layout ctx={ctx} title="You have logged out">
      <span class="portal-caption">Educator Licensure And Renewal (ELAR)</span>
      <h1>You have logged out</h1>
      <p class="usa-intro">
        You have logged out of ELAR, the Security Portal and every application you opened with it.
      </p>
      <p>
        <a class="usa-button" href="/elar">
          Log in to ELAR again
        </a>
      </p>
      <p>
        <a href={portalHome}>Go to the portal home page</a>
      </p>
    </Layout>
  );
}
