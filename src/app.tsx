import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Config } from './platform/config.ts';
import type { Db } from './platform/db.ts';
import { cookieNames, cookieOptions, createHttpServer, type CookieNames } from './platform/http.tsx';
import type { AccountRules } from './portal/accounts.ts';
import type { LoginRules } from './portal/login.ts';
import { POLICIES } from './portal/password-policy.ts';
import type { WizardDeps } from './portal/profile-wizard.ts';
import { endSession, loadSession, tokenHash } from './portal/sessions.ts';
import { registerAccountRoutes } from './portal/account-routes.tsx';
import { registerHelpRoutes } from './portal/help-routes.tsx';
import { registerHomeRoutes } from './portal/home-routes.tsx';
import { registerLoginRoutes } from './portal/login-routes.tsx';
import { registerStatementRoutes } from './portal/statement-routes.tsx';
import { registerWizardRoutes } from './portal/wizard-routes.tsx';
import { registerElarRoutes } from './elar/routes.tsx';
import { ElarRelyingParty, ensureElarRegistration } from './elar/relying-party.ts';
import { registerDirectoryRoutes } from './directory/routes.tsx';
import type { StaffLookupRules } from './directory/staff-lookup.tsx';
import { secretBox, type SecretBox } from './platform/secrets.ts';
import { signingKeys } from './sso/keys.ts';
import { applicationLogout, BACKCHANNEL_LOGOUT_JOB, deliverBackchannelLogout, endProviderSessions } from './sso/logout.ts';
import type { JobRunner } from './platform/jobs/runner.ts';
import { createProvider } from './sso/provider.ts';
import { providerRequestIp, registerSsoRoutes } from './sso/routes.tsx';
import { audit } from './platform/audit.ts';

/** Everything the portal's routes need, built once from the configuration. */
export interface Portal {
  config: Config;
  db: Db;
  /** Seals and opens the secrets kept in the database (client secrets, signing keys). */
  box: SecretBox;
  cookies: CookieNames;
  cookieOptions: ReturnType<typeof cookieOptions>;
  accounts: AccountRules;
  login: LoginRules;
  wizard: WizardDeps;
  staffLookup: StaffLookupRules;
  isReady: () => boolean;
  /** Back-channel logout of these applications for the account (its grants are already revoked). */
  applicationLogout: (accountId: string, applicationIds: string[]) => Promise<void>;
  /** Ends single sign-on for this browser, or for every browser of an account (S3). */
  singleSignOut: (
    which: { browserCookies: Record<string, string | undefined> } | { accountId: string; exceptBrowserCookies?: Record<string, string | undefined> },
  ) => Promise<void>;
}

export interface BuildOptions {
  config: Config;
  db: Db;
  ssnKey: string;
  secretsKey: string;
  logger?: boolean | object;
  isReady?: () => boolean;
  /** The instance's job runner: the app registers its handlers; whoever owns it starts and stops it. */
  jobs: JobRunner;
  /** Sees every route as it is registered (tests list the routes from here). */
  onRoute?: (route: RouteOptions) => void;
}

export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config, db } = options;
  const lockMs = config.lockout.durationMs;
  const accounts: AccountRules = {
    policy: POLICIES[config.passwordPolicy],
    historySize: config.passwordHistory,
    ssnKey: options.ssnKey,
  };
  const box = secretBox(options.secretsKey);
  const portal: Portal = {
    config,
    db,
    box,
    cookies: cookieNames(config),
    cookieOptions: cookieOptions(config),
    accounts,
    login: {
      account: { threshold: config.lockout.threshold, windowMs: lockMs, lockMs },
      source: { threshold: config.lockout.ipThreshold, windowMs: lockMs, lockMs },
    },
    wizard: {
      db,
      rules: accounts,
      ttlMs: config.wizardTtlMs,
      hintThrottle: { threshold: config.lockout.threshold, windowMs: lockMs, lockMs },
      partialMatchThrottle: { threshold: config.lockout.ipThreshold, windowMs: lockMs, lockMs },
    },
    // An administrator is one person, like an account; the address shares the wizard's counter.
    staffLookup: {
      perAdministrator: { threshold: config.lockout.threshold, windowMs: lockMs, lockMs },
      perAddress: { threshold: config.lockout.ipThreshold, windowMs: lockMs, lockMs },
    },
    isReady: options.isReady ?? (() => true),
    singleSignOut: async () => undefined,
    applicationLogout: async () => undefined,
  };

  const provider = createProvider({
    config,
    db,
    box,
    jwks: await signingKeys(db, box),
    cookieSecret: options.secretsKey,
    sessionCookie: portal.cookies.session,
  });
  // Logging out from an application (RP-initiated logout) also ends the portal session,
  // before the provider answers: the event is synchronous, so the work is parked on the
  // request's state and awaited by the middleware around it.
  provider.on(
    'end_session.success',
    (ctx: { cookies: { get(name: string): string | undefined }; state: Record<string, unknown>; req: IncomingMessage; oidc?: { client?: { clientId: string } } }) => {
      const token = ctx.cookies.get(portal.cookies.session);
      if (token) ctx.state.portalLogout = logoutFromApplication(token, providerRequestIp.get(ctx.req) ?? null, ctx.oidc?.client?.clientId ?? null);
    },
  );
  /** Like the portal's own logout, audited: who, from where, and which application asked. */
  async function logoutFromApplication(token: string, ip: string | null, application: string | null) {
    const session = await loadSession(db, token, config.session);
    await endSession(db, tokenHash(token));
    if (session) await audit(db, { type: 'logout', actorId: session.profile.id, subjectId: session.profile.id, ip, detail: { application } });
  }
  provider.use(async (ctx, next) => {
    await next();
    await ctx.state.portalLogout;
  });
  portal.singleSignOut = async (which) => {
    const sessionIdIn = (cookies: Record<string, string | undefined> | undefined) => cookies?.[provider.cookieName('session')];
    if ('accountId' in which) {
      const exceptSessionId = sessionIdIn(which.exceptBrowserCookies);
      await endProviderSessions(provider, db, { accountId: which.accountId, ...(exceptSessionId ? { exceptSessionId } : {}) });
    } else {
      const sessionId = sessionIdIn(which.browserCookies);
      if (sessionId) await endProviderSessions(provider, db, { sessionId });
    }
    // The back-channel logouts it queued go out now rather than at the next poll.
    options.jobs.nudge();
  };
  options.jobs.handle(BACKCHANNEL_LOGOUT_JOB, deliverBackchannelLogout(provider));
  portal.applicationLogout = async (accountId, applicationIds) => {
    if ((await applicationLogout(provider, db, accountId, applicationIds)) > 0) options.jobs.nudge();
  };
  const elar = new ElarRelyingParty(await ensureElarRegistration(db, box, config.publicUrl));

  const app = await createHttpServer(config, options.logger ?? false, options.secretsKey, options.onRoute);

  app.addHook('onRequest', async (request) => {
    // ELAR is a relying party with its own session: it never reads the portal's (and saves
    // the lookup on every ELAR page).
    const url = request.url;
    if (url.startsWith('/assets/') || url.startsWith('/oidc/') || url === '/healthz' || url === '/elar' || url.startsWith('/elar/') || url.startsWith('/elar?')) return;
    const token = request.cookies[portal.cookies.session];
    if (!token) return;
    request.session = await loadSession(db, token, config.session);
    if (request.session) {
      const p = request.session.profile;
      request.view.user = { userName: p.user_name, displayName: `${p.first_name} ${p.last_name}` };
    }
  });

  // A person who must change their password (first login, administrator reset) can do
  // nothing else until they have.
  app.addHook('preHandler', async (request, reply) => {
    const profile = request.session?.profile;
    if (!profile?.must_change_password) return;
    const path = request.view.path;
    if (path === '/account/password' || path === '/logout' || path.startsWith('/help') || path === '/privacy' || path === '/accessibility') return;
    return reply.redirect('/account/password', 303);
  });

  app.get('/healthz', async (_request, reply) => {
    if (!portal.isReady()) return reply.code(503).send({ status: 'starting' });
    return { status: 'ok' };
  });

  registerHomeRoutes(app, portal);
  registerLoginRoutes(app, portal);
  registerAccountRoutes(app, portal);
  registerWizardRoutes(app, portal);
  registerHelpRoutes(app, portal);
  registerStatementRoutes(app, portal);
  registerElarRoutes(app, portal, elar);
  registerDirectoryRoutes(app, portal);
  registerSsoRoutes(app, portal, provider);
  return app;
}

/** The client address as the rate limiter and the audit log see it. */
export function clientIp(request: FastifyRequest): string {
  return request.ip;
}

/** Sends a signed-out person to log in, and back here afterwards. */
export function requireLogin(request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.session) return true;
  const returnTo = encodeURIComponent(request.url);
  reply.redirect(`/login?returnTo=${returnTo}`, 303);
  return false;
}
