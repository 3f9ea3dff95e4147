import { createHmac } from 'node:crypto';
import Provider, { interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { JWK } from 'jose';
import type { Config } from '../platform/config.ts';
import type { Navigation } from '../platform/views/layout.tsx';
import type { Db } from '../database.ts';
import type { SecretBox } from '../platform/secrets.ts';
import { findProfileById, loadSession } from '../portal/index.ts';
import { postgresAdapter } from './adapter.ts';
import { departmentRolesFor, mayUseApplication, rolesFor } from '../directory/index.ts';
import { endProviderSessions, queueBackchannelLogout } from './logout.ts';
import { loggedOutPage, logoutQuestionPage, providerErrorPage, type Site } from './pages.tsx';

/**
 * The portal as an OpenID Connect provider (SPEC S1–S3), with node-oidc-provider.
 * - Discovery at $PUBLIC_URL/.well-known/openid-configuration; endpoints under /oidc/.
 * - Authorization code with PKCE (S256) for every client, exact redirect URIs, no implicit.
 * - The portal's own session is the login: the provider asks for an interaction whenever
 *   the portal session is missing or belongs to someone else, and the interaction is the
 *   portal's login page (same throttling, lockout and audit).
 * - Applications the department registered need no consent; a restricted application
 *   without a role never gets a code (the interaction shows whom to ask instead).
 */

export const OIDC_SCOPES = ['openid', 'profile', 'email', 'roles', 'offline_access'];

export interface ProviderDeps {
  config: Config;
  db: Db;
  box: SecretBox;
  jwks: JWK[];
  /** Signs the provider's own cookies. */
  cookieSecret: string;
  sessionCookie: string;
  /** The site's links, for the provider's own pages. */
  navigation: Navigation;
  /**
   * The clients told a person's date of birth (`birthdate`, with the profile scope) and email
   * (the email scope). Every other application is granted its scopes without asking the
   * person, so they must not carry them (attack review s18, S5).
   */
  personalDetailsClients: readonly string[];
}

const { base: basePolicy, Check } = interactionPolicy;

export function createProvider(deps: ProviderDeps): Provider {
  const { config, db } = deps;
  const site: Site = { helpdesk: config.helpdesk, agency: config.agency, navigation: deps.navigation };

  /** The portal session that goes with this provider request, if any. */
  async function portalProfileId(ctx: KoaContextWithOIDC): Promise<string | null> {
    const token = ctx.cookies.get(deps.sessionCookie);
    const session = token ? await loadSession(db, token, config.session) : null;
    return session?.profile.id ?? null;
  }

  /** The `roles` claim: the application's roles per organization, then the Department's roles it is told of. */
  async function applicationRoles(profileId: string, clientId: string) {
    const [granted, department] = await Promise.all([
      rolesFor(db, profileId, clientId),
      departmentRolesFor(db, profileId, clientId, config.departmentOrgCode),
    ]);
    return [...granted, ...department];
  }

  const policy = basePolicy();
  const login = policy.get('login')!;
  login.checks.add(
    new Check('portal_session', 'a portal login is required', async (ctx) => {
      const profileId = await portalProfileId(ctx);
      return profileId === null || profileId !== ctx.oidc.session?.accountId
        ? Check.REQUEST_PROMPT
        : Check.NO_NEED_TO_PROMPT;
    }),
  );
  login.checks.add(
    new Check('application_access', 'no role in this application', async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId || !ctx.oidc.client) return Check.NO_NEED_TO_PROMPT;
      return (await mayUseApplication(db, accountId, ctx.oidc.client.clientId))
        ? Check.NO_NEED_TO_PROMPT
        : Check.REQUEST_PROMPT;
    }),
  );

  const providerCookie = { secure: config.secureCookies, sameSite: 'lax' as const };

  /**
   * RP-initiated logout without a second question, when the application's ID token hint
   * was issued in this very provider session (same person, same session id): only that
   * application could have sent it, so the person already confirmed there. The logout is
   * the confirmation step's own: every application told, grants ended, session gone.
   */
  async function logoutWithoutAsking(ctx: KoaContextWithOIDC): Promise<boolean> {
    const hint = ctx.oidc.entities.IdTokenHint as { payload: { sub?: unknown; sid?: unknown } } | undefined;
    const { session, client, params } = ctx.oidc;
    if (!hint || !client || !session?.accountId) return false;
    if (
      hint.payload.sub !== session.accountId ||
      typeof hint.payload.sid !== 'string' ||
      hint.payload.sid !== session.sidFor(client.clientId)
    )
      return false;
    await endProviderSessions(db, { sessionId: session.jti });
    // The request's own copy too, or the provider would save it again on the way out.
    await session.destroy();
    ctx.cookies.set(ctx.oidc.provider.cookieName('session'), null, providerCookie);
    ctx.oidc.provider.emit('end_session.success', ctx);
    // Registered for this client: the provider checked it before asking for this page.
    const target =
      typeof params?.post_logout_redirect_uri === 'string'
        ? new URL(params.post_logout_redirect_uri)
        : new URL(ctx.oidc.urlFor('end_session_success'));
    if (target.href !== ctx.oidc.urlFor('end_session_success') && typeof params?.state === 'string')
      target.searchParams.set('state', params.state);
    ctx.status = 303;
    ctx.redirect(target.href);
    return true;
  }

  const configuration: Configuration = {
    adapter: postgresAdapter(db, deps.box),
    jwks: { keys: deps.jwks },
    cookies: {
      keys: [createHmac('sha256', deps.cookieSecret).update('oidc-cookies').digest('base64url')],
      long: providerCookie,
      short: providerCookie,
    },
    routes: {
      authorization: '/oidc/auth',
      token: '/oidc/token',
      userinfo: '/oidc/me',
      jwks: '/oidc/jwks',
      end_session: '/oidc/session/end',
      revocation: '/oidc/token/revocation',
      introspection: '/oidc/token/introspection',
      registration: '/oidc/reg',
      pushed_authorization_request: '/oidc/request',
      backchannel_authentication: '/oidc/backchannel',
      code_verification: '/oidc/device',
      device_authorization: '/oidc/device/auth',
      challenge: '/oidc/challenge',
      credential: '/oidc/credential',
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    scopes: OIDC_SCOPES,
    claims: {
      openid: ['sub'],
      profile: ['preferred_username', 'name', 'given_name', 'family_name', 'birthdate', 'mepid'],
      email: ['email', 'email_verified'],
      roles: ['roles'],
    },
    conformIdTokenClaims: false,
    // Confidential clients with HTTP Basic only (docs/security.md), at every endpoint.
    clientAuthMethods: ['client_secret_basic'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    features: {
      devInteractions: { enabled: false },
      // A token is its own client's business: another application learns nothing about it
      // (introspection says "not active", as for an unknown token) and cannot revoke it
      // (the same empty 200 as for an unknown token, so no one can tell it exists).
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          if (await logoutWithoutAsking(ctx)) return;
          ctx.type = 'html';
          ctx.body = logoutQuestionPage(site, ctx, form);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = loggedOutPage(site, ctx);
        },
      },
    },
    ttl: {
      AccessToken: 10 * 60,
      AuthorizationCode: 60,
      IdToken: 10 * 60,
      Interaction: 30 * 60,
      Grant: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
      Session: Math.floor(config.session.absoluteMs / 1000),
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    interactions: {
      policy,
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    // Applications registered by the department are trusted: no consent screen.
    loadExistingGrant: async (ctx) => {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(OIDC_SCOPES.join(' '));
      await grant.save();
      return grant;
    },
    findAccount: async (ctx, sub, token) => {
      const profile = await findProfileById(db, sub);
      if (!profile || profile.status !== 'active') return undefined;
      // A code or token is honoured only while its person may still use its application
      // (SPEC S2): an open application made restricted, or a role gone by any path, ends
      // refresh grants (invalid_grant) and userinfo (outside review F3).
      const clientId = (token as { clientId?: unknown } | undefined)?.clientId;
      if (typeof clientId === 'string' && !(await mayUseApplication(db, sub, clientId))) return undefined;
      const asking = ctx.oidc.client?.clientId ?? clientId;
      return {
        accountId: sub,
        claims: async (_use, scope) => {
          const scopes = new Set(scope.split(' '));
          const personal = typeof asking === 'string' && deps.personalDetailsClients.includes(asking);
          return {
            sub,
            ...(scopes.has('profile')
              ? {
                  preferred_username: profile.user_name,
                  name: `${profile.first_name} ${profile.last_name}`,
                  given_name: profile.first_name,
                  family_name: profile.last_name,
                  // OpenID Connect's standard claim (YYYY-MM-DD): ELAR shows it on an application, never asks it again.
                  ...(profile.date_of_birth && personal ? { birthdate: profile.date_of_birth } : {}),
                  mepid: profile.mepid,
                }
              : {}),
            // The contact email the person gave their profile: ELAR writes to it about an
            // application unless they give another. The portal has not confirmed it by mail.
            ...(scopes.has('email') && personal && profile.email
              ? { email: profile.email, email_verified: false }
              : {}),
            ...(scopes.has('roles') && ctx.oidc.client
              ? { roles: await applicationRoles(sub, ctx.oidc.client.clientId) }
              : {}),
          };
        },
      };
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = providerErrorPage(site, ctx, out);
    },
    clientBasedCORS: () => false,
    // The provider calls only URLs the department registered (there is no dynamic client
    // registration), and agency applications often live on private networks, which
    // oidc-provider's default dispatcher refuses as special-use addresses.
    fetch: (url, options) => {
      const { dispatcher: _dispatcher, ...rest } = options as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, rest);
    },
  };

  const provider = new Provider(config.publicUrl, configuration);
  // The provider's own logout page tells each application itself, once; one that did not
  // answer is told again by a job, like every other back-channel logout.
  provider.on(
    'backchannel.error',
    (ctx: unknown, _err: unknown, client: { clientId: string }, accountId: string, sid: string | undefined) => {
      // Only a database that is down fails this; then the logout page fails too, and the
      // person can log out again. The provider's failure event carries the cause to the log.
      queueBackchannelLogout(db, { clientId: client.clientId, accountId, sid }, { attemptsMade: 1 }).catch(
        (err: unknown) => provider.emit('server_error', ctx, err),
      );
    },
  );
  // With no one signed in to the provider, oidc-provider skips logoutSource and answers with
  // a script that submits the confirmation by itself (a bare page, a button without layout
  // when scripts are off). The portal session may still be there: ask in the layout instead.
  provider.use(async (ctx, next) => {
    await next();
    const { oidc } = ctx as Partial<KoaContextWithOIDC>;
    const secret = (oidc?.session?.state as { secret?: unknown } | undefined)?.secret;
    if (
      !oidc ||
      oidc.route !== 'end_session' ||
      ctx.status !== 200 ||
      oidc.session?.accountId ||
      typeof secret !== 'string'
    )
      return;
    const form = `<form id="op.logoutForm" method="post" action="${oidc.urlFor('end_session_confirm')}"><input type="hidden" name="xsrf" value="${secret}"/></form>`;
    ctx.type = 'html';
    ctx.body = logoutQuestionPage(site, ctx as KoaContextWithOIDC, form);
  });
  // Koa trusts X-Forwarded-* only when told; its client address (unused by the portal,
  // which takes it from Fastify) counts the same hops from the right.
  provider.proxy = config.trustProxy !== false;
  if (typeof config.trustProxy === 'number') provider.maxIpsCount = config.trustProxy;
  return provider;
}
