import { createHmac } from 'node:crypto';
import Provider, { interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { JWK } from 'jose';
import type { Config } from '../platform/config.ts';
import type { Db } from '../platform/db.ts';
import type { SecretBox } from '../platform/secrets.ts';
import { findProfileById } from '../portal/profile-repository.ts';
import { loadSession } from '../portal/sessions.ts';
import { postgresAdapter } from './adapter.ts';
import { mayUseApplication, rolesFor } from './access.ts';

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

export const OIDC_SCOPES = ['openid', 'profile', 'roles', 'offline_access'];

export interface ProviderDeps {
  config: Config;
  db: Db;
  box: SecretBox;
  jwks: JWK[];
  /** Signs the provider's own cookies. */
  cookieSecret: string;
  sessionCookie: string;
}

const { base: basePolicy, Check } = interactionPolicy;

export function createProvider(deps: ProviderDeps): Provider {
  const { config, db } = deps;

  /** The portal session that goes with this provider request, if any. */
  async function portalProfileId(ctx: KoaContextWithOIDC): Promise<string | null> {
    const token = ctx.cookies.get(deps.sessionCookie);
    const session = token ? await loadSession(db, token, config.session) : null;
    return session?.profile.id ?? null;
  }

  const policy = basePolicy();
  const login = policy.get('login')!;
  login.checks.add(
    new Check('portal_session', 'a portal login is required', async (ctx) => {
      const profileId = await portalProfileId(ctx);
      return profileId === null || profileId !== ctx.oidc.session?.accountId ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  login.checks.add(
    new Check('application_access', 'no role in this application', async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId || !ctx.oidc.client) return Check.NO_NEED_TO_PROMPT;
      return (await mayUseApplication(db, accountId, ctx.oidc.client.clientId)) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );

  const configuration: Configuration = {
    adapter: postgresAdapter(db, deps.box),
    jwks: { keys: deps.jwks },
    cookies: {
      keys: [createHmac('sha256', deps.cookieSecret).update('oidc-cookies').digest('base64url')],
      long: { secure: config.secureCookies, sameSite: 'lax' },
      short: { secure: config.secureCookies, sameSite: 'lax' },
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
      profile: ['preferred_username', 'name', 'given_name', 'family_name', 'mepid'],
      roles: ['roles'],
    },
    conformIdTokenClaims: false,
    // Confidential clients with HTTP Basic only (docs/security.md), at every endpoint.
    clientAuthMethods: ['client_secret_basic'],
    clientDefaults: { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'RS256' },
    features: {
      devInteractions: { enabled: false },
      // A token is its own client's business: another application learns nothing about it
      // (introspection says "not active", as for an unknown token) and cannot revoke it
      // (the same empty 200 as for an unknown token, so no one can tell it exists).
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = logoutPage(form);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = simplePage('You have logged out', '<p>You have logged out of the portal and every application.</p><p><a href="/">Go to the portal home page</a></p>');
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
    findAccount: async (ctx, sub) => {
      const profile = await findProfileById(db, sub);
      if (!profile || profile.status !== 'active') return undefined;
      return {
        accountId: sub,
        claims: async (_use, scope) => {
          const scopes = new Set(scope.split(' '));
          return {
            sub,
            ...(scopes.has('profile')
              ? {
                  preferred_username: profile.user_name,
                  name: `${profile.first_name} ${profile.last_name}`,
                  given_name: profile.first_name,
                  family_name: profile.last_name,
                  mepid: profile.mepid,
                }
              : {}),
            ...(scopes.has('roles') && ctx.oidc.client ? { roles: await rolesFor(db, sub, ctx.oidc.client.clientId) } : {}),
          };
        },
      };
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = simplePage('Sign-in could not be completed', `<p>${escapeHtml(out.error_description ?? out.error ?? 'The request was not valid.')}</p><p><a href="/">Go to the portal home page</a></p>`);
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
  // Koa trusts X-Forwarded-* only when told; its client address (unused by the portal,
  // which takes it from Fastify) counts the same hops from the right.
  provider.proxy = config.trustProxy !== false;
  if (typeof config.trustProxy === 'number') provider.maxIpsCount = config.trustProxy;
  return provider;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The provider's own few pages share the portal's stylesheet; no script, no inline style. */
function simplePage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} - Security Portal</title><link rel="stylesheet" href="/assets/uswds/css/uswds.min.css"><link rel="stylesheet" href="/assets/app.css"></head><body><header class="portal-header"><div class="grid-container portal-header__inner"><a class="portal-header__title" href="/">Educator Security Portal</a></div></header><main id="main-content" class="usa-section portal-main"><div class="grid-container"><h1>${escapeHtml(title)}</h1>${body}</div></main></body></html>`;
}

function logoutPage(form: string): string {
  // The provider's form is an empty <form id="op.logoutForm">; a button outside it submits it.
  return simplePage(
    'Log out of every application?',
    `${form}<p>You will be logged out of the portal and of every application you opened with it.</p><button class="usa-button" type="submit" form="op.logoutForm" name="logout" value="yes">Log out</button> <a class="usa-button usa-button--outline" href="/">Stay logged in</a>`,
  );
}
