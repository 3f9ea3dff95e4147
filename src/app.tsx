import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Config } from './platform/config.ts';
import { createOutbox } from './platform/mail/outbox.ts';
import type { Db } from './database.ts';
import { publicRoute } from './platform/access.ts';
import { cookieNames, cookieOptions, createHttpServer, showNotFoundPage } from './platform/http.tsx';
import { standardNavigation } from './platform/views/navigation.ts';
import type { AccountRules } from './portal/accounts.ts';
import type { Portal } from './portal/context.ts';
import { POLICIES } from './portal/password-policy.ts';
import { portalPlugin } from './portal/plugin.ts';
import { usePortalSessions } from './portal/session-hooks.ts';
import { endSession } from './portal/session-repository.ts';
import { loadSession, tokenHash } from './portal/sessions.ts';
import {
  ELAR_PREFIX,
  elarClientRegistration,
  elarPlugin,
  loadElarConfig,
  type ElarConfig,
  elarTables,
} from './elar/index.ts';
import { directoryAdministratorsPlugin, directoryPlugin } from './directory/plugin.ts';
import { ensureApplication } from './directory/index.ts';
import { secretBox } from './platform/secrets.ts';
import { signingKeys } from './sso/keys.ts';
import { BACKCHANNEL_LOGOUT_JOB, deliverBackchannelLogout, endProviderSessions } from './sso/logout.ts';
import type { EventBus } from './platform/events/index.ts';
import type { JobRunner } from './platform/jobs/runner.ts';
import { createProvider } from './sso/provider.ts';
import { providerRequestIp, ssoLoginStepPlugin, ssoProtocolPlugin } from './sso/routes.tsx';
import { audit } from './portal/audit-events.ts';

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
  /** ELAR's settings (src/elar/config.ts); by default ELAR is co-hosted at PUBLIC_URL. */
  elar?: ElarConfig;
  /** Co-hosted ELAR's job runner, on ELAR's own queue (`elarTables(db)`); started and stopped like `jobs`. */
  elarJobs: JobRunner;
  /** The process's event bus on this database (src/platform/events): live status for co-hosted ELAR. Its owner closes it after the app. */
  events: EventBus;
}

/** The header and footer links: each module's pages, in the order people look for them. */
const navigation = standardNavigation('/logout');

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
    sendQueuedLogouts: () => undefined,
  };

  // ELAR is a client like any other: the directory registers it with ELAR's URIs of the
  // day, and ELAR is handed the resulting secret (or its own, when configured).
  const elarConfig = options.elar ?? loadElarConfig({}, { hostUrl: config.publicUrl });
  const { clientId: elarClientId, ...elarUris } = elarClientRegistration(elarConfig);
  const provider = createProvider({
    config,
    db,
    // Only the licensure application shows an educator's date of birth (on an application).
    personalDetailsClients: [elarClientId],
    box,
    jwks: await signingKeys(db, box),
    cookieSecret: options.secretsKey,
    sessionCookie: portal.cookies.session,
    navigation,
  });
  // Logging out from an application (RP-initiated logout) also ends the portal session,
  // before the provider answers: the event is synchronous, so the work is parked on the
  // request's state and awaited by the middleware around it.
  provider.on(
    'end_session.success',
    (ctx: {
      cookies: { get(name: string): string | undefined };
      state: Record<string, unknown>;
      req: IncomingMessage;
      oidc?: { client?: { clientId: string } };
    }) => {
      const token = ctx.cookies.get(portal.cookies.session);
      if (token)
        ctx.state.portalLogout = logoutFromApplication(
          token,
          providerRequestIp.get(ctx.req) ?? null,
          ctx.oidc?.client?.clientId ?? null,
        );
    },
  );
  /** Like the portal's own logout, audited: who, from where, and which application asked. */
  async function logoutFromApplication(token: string, ip: string | null, application: string | null) {
    const session = await loadSession(db, token, config.session);
    await endSession(db, tokenHash(token));
    if (session)
      await audit(db, {
        type: 'logout',
        actorId: session.profile.id,
        subjectId: session.profile.id,
        ip,
        detail: { application },
      });
  }
  provider.use(async (ctx, next) => {
    await next();
    await ctx.state.portalLogout;
  });
  portal.singleSignOut = async (which) => {
    const sessionIdIn = (cookies: Record<string, string | undefined> | undefined) =>
      cookies?.[provider.cookieName('session')];
    if ('accountId' in which) {
      const exceptSessionId = sessionIdIn(which.exceptBrowserCookies);
      await endProviderSessions(db, {
        accountId: which.accountId,
        ...(exceptSessionId ? { exceptSessionId } : {}),
      });
    } else {
      const sessionId = sessionIdIn(which.browserCookies);
      if (sessionId) await endProviderSessions(db, { sessionId });
    }
    // The back-channel logouts it queued go out now rather than at the next poll.
    options.jobs.nudge();
  };
  options.jobs.handle(BACKCHANNEL_LOGOUT_JOB, deliverBackchannelLogout(provider));
  portal.sendQueuedLogouts = () => options.jobs.nudge();
  const elarClient = await ensureApplication(db, box, {
    id: elarClientId,
    ...elarUris,
    secret: elarConfig.clientSecret,
  });

  const app = await createHttpServer(config, options.logger ?? false, options.secretsKey, navigation, options.onRoute);
  // The portal's session slot (declared by the portal, src/portal/sessions.ts); only the
  // plugins under usePortalSessions fill it.
  app.decorateRequest('session', null);

  app.get('/healthz', publicRoute('readiness probe'), async (_request, reply) => {
    if (!portal.isReady()) return reply.code(503).send({ status: 'starting' });
    return { status: 'ok' };
  });

  // Each module is a plugin. The portal's session hooks cover the plugins registered inside
  // this one (encapsulation) and nothing else: ELAR, the provider's protocol endpoints,
  // static files and the readiness probe never read the portal's session.
  await app.register(async (withSession) => {
    usePortalSessions(withSession, portal);
    // An unknown page still shows who is signed in (and the must-change-password gate).
    showNotFoundPage(withSession);
    await withSession.register(portalPlugin, { portal });
    await withSession.register(directoryPlugin, { prefix: '/directory', portal });
    await withSession.register(directoryAdministratorsPlugin, { portal });
    await withSession.register(ssoLoginStepPlugin, { portal, provider });
  });
  await app.register(ssoProtocolPlugin, { portal, provider });
  if (elarConfig.cohosted) {
    await app.register(elarPlugin, {
      prefix: ELAR_PREFIX,
      config: { ...elarConfig, ...elarClient },
      db: elarTables(db),
      jobs: options.elarJobs,
      outbox: createOutbox(config.mail),
      live: { bus: options.events, sse: config.sse },
    });
  } else {
    // ELAR runs elsewhere: the portal's links and bookmarks to it still arrive, deep ones too
    // (the portal's pages link to ELAR's public requirements pages). The path stays under
    // /elar on ELAR's own origin, so this cannot be steered to another site.
    const toElar = publicRoute('ELAR runs as its own process: a bookmark is sent there');
    app.get(ELAR_PREFIX, toElar, async (_request, reply) =>
      reply.redirect(`${elarConfig.publicUrl}${ELAR_PREFIX}`, 303),
    );
    app.get(`${ELAR_PREFIX}/*`, toElar, async (request, reply) =>
      reply.redirect(`${elarConfig.publicUrl}${request.url}`, 303),
    );
  }
  return app;
}
