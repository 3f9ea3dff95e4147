import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { publicRoute } from '../platform/access.ts';
import { clientIp, cookieOptions } from '../platform/http.tsx';
import { HelpDeskPhone, Layout, type ViewContext } from '../platform/views/layout.tsx';
import { registerLiveStatus } from './applications/live.ts';
import { applicantFrom, registerApplicationRoutes } from './applications/routes.tsx';
import type { EventBus, SseStreams } from '../platform/events/index.ts';
import type { ApplicationSettings } from './applications/settings.ts';
import type { ElarConfig } from './config.ts';
import { elarErrors } from './errors.ts';
import type { ElarRelyingParty } from './relying-party.ts';
import type { ElarDb } from './schema.ts';
import { registerStaffRoutes } from './staff/routes.tsx';
import { endElarSessions, liveElarSessions, loadElarSession, startElarSession } from './sessions.ts';
import { can, STAFF_ROLE_NAMES, staffRolesFrom, type ElarActor } from './staff.ts';

/**
 * ELAR, the licensure application: for now its Welcome Page (SPEC E1, P7). It signs in
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
    if (!session) return signIn(request, reply);
    const { preferred_username: userName, name } = session.claims;
    if (typeof userName === 'string')
      request.view.user = { userName, displayName: typeof name === 'string' ? name : userName };
    return reply.page(
      <WelcomePage
        ctx={request.view}
        claims={session.claims}
        actor={session}
        changePassword={portalPage('/account/password')}
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

function WelcomePage({
  ctx,
  claims,
  actor,
  changePassword,
}: {
  ctx: ViewContext;
  claims: Record<string, unknown>;
  actor: ElarActor;
  changePassword: string;
}) {
  const text = (key: string) => (typeof claims[key] === 'string' ? (claims[key] as string) : '');
  return (
    <Layout ctx={ctx} title="ELAR Welcome Page">
      <span class="portal-caption">Educator Licensure And Renewal (ELAR)</span>
      <h1>Welcome, {text('given_name')}</h1>
      {actor.staffRoles.length > 0 && <StaffNotice actor={actor} />}
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
            <a class="usa-button" href={changePassword}>
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
            Questions about a license? Call the Licensure Help Desk at <HelpDeskPhone ctx={ctx} />, {ctx.helpdesk.hours}
            .
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
