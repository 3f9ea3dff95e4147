import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import type { Db } from '../database.ts';
import type { SecretBox } from '../platform/secrets.ts';
import { tokenHash } from '../portal/sessions.ts';

/**
 * ELAR signs people in through the portal like any other agency application: OpenID
 * Connect discovery over HTTP, authorization code + PKCE, its own server-side sessions,
 * ended by the portal's back-channel logout. It depends only on the issuer URL and its
 * client registration, so it can be deployed apart from the portal.
 */

export interface ElarClient {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
}

/** Registers (or refreshes) ELAR as a client of the portal in this deployment. */
export async function ensureElarRegistration(db: Db, box: SecretBox, publicUrl: string): Promise<ElarClient> {
  const redirectUri = `${publicUrl}/elar/callback`;
  const postLogoutRedirectUri = `${publicUrl}/elar/logged-out`;
  // One statement that keeps a secret already stored and returns what is stored: two
  // instances starting at once each generated a secret and the later write won, leaving
  // the other unable to finish a sign-in. Concurrent updates of the row are serialized,
  // and the second one's COALESCE sees the first one's secret.
  const candidate = box.seal(randomBytes(32).toString('base64url'));
  const app = await db
    .updateTable('application')
    .set({
      client_secret_encrypted: sql<string>`COALESCE(${sql.ref('client_secret_encrypted')}, ${candidate})`,
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [postLogoutRedirectUri],
      backchannel_logout_uri: `${publicUrl}/elar/backchannel-logout`,
    })
    .where('id', '=', 'elar')
    .returning('client_secret_encrypted')
    .executeTakeFirstOrThrow();
  return { issuer: publicUrl, clientId: 'elar', clientSecret: box.open(app.client_secret_encrypted!), redirectUri, postLogoutRedirectUri };
}

export interface AuthRequest {
  url: string;
  /** Kept in an HttpOnly cookie until the callback: binds the answer to this browser. */
  cookie: string;
}

export interface ElarIdentity {
  sub: string;
  sid: string | null;
  claims: Record<string, unknown>;
  idToken: string;
}

export class ElarRelyingParty {
  private configuration: Promise<oidc.Configuration> | undefined;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(private readonly client: ElarClient) {}

  /** Discovery happens on first use, over HTTP, and is retried after a failure. */
  private config(): Promise<oidc.Configuration> {
    this.configuration ??= oidc
      // HTTP Basic: the one client authentication the portal accepts.
      .discovery(new URL(this.client.issuer), this.client.clientId, undefined, oidc.ClientSecretBasic(this.client.clientSecret), {
        execute: this.client.issuer.startsWith('http://') ? [oidc.allowInsecureRequests] : [],
      })
      .catch((e: unknown) => {
        this.configuration = undefined;
        throw e;
      });
    return this.configuration;
  }

  async startSignIn(returnTo: string): Promise<AuthRequest> {
    const config = await this.config();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.client.redirectUri,
      scope: 'openid profile roles',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, cookie: Buffer.from(JSON.stringify({ verifier, state, nonce, returnTo })).toString('base64url') };
  }

  async finishSignIn(callbackUrl: string, cookie: string): Promise<{ identity: ElarIdentity; returnTo: string }> {
    const saved = JSON.parse(Buffer.from(cookie, 'base64url').toString('utf8')) as { verifier: string; state: string; nonce: string; returnTo: string };
    const config = await this.config();
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callbackUrl), {
      pkceCodeVerifier: saved.verifier,
      expectedState: saved.state,
      expectedNonce: saved.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    return {
      identity: { sub: claims.sub, sid: typeof claims.sid === 'string' ? claims.sid : null, claims: { ...claims }, idToken: tokens.id_token! },
      returnTo: saved.returnTo,
    };
  }

  async endSessionUrl(idToken: string): Promise<string> {
    const config = await this.config();
    return oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: this.client.postLogoutRedirectUri }).href;
  }

  /** OpenID Connect Back-Channel Logout 1.0 §2.6: a signed logout token, never a nonce. */
  async verifyLogoutToken(token: string): Promise<{ sub?: string; sid?: string }> {
    const config = await this.config();
    const metadata = config.serverMetadata();
    this.jwks ??= createRemoteJWKSet(new URL(metadata.jwks_uri!));
    const { payload } = await jwtVerify(token, this.jwks, { issuer: metadata.issuer, audience: this.client.clientId, maxTokenAge: '2 minutes' });
    const events = (payload as JWTPayload & { events?: Record<string, unknown> }).events;
    if (!events || !('http://schemas.openid.net/event/backchannel-logout' in events) || 'nonce' in payload) {
      throw new Error('not a logout token');
    }
    if (!payload.sub && !payload.sid) throw new Error('logout token names no one');
    return { sub: payload.sub, sid: typeof payload.sid === 'string' ? payload.sid : undefined };
  }
}

// ELAR's own sessions, with the portal session's limits: `expires_at` is the end of the
// idle period, moved on by each page; `created_at` plus the absolute limit is the hard end.

export interface ElarSessionLimits {
  idleMs: number;
  absoluteMs: number;
}

export async function startElarSession(db: Db, identity: ElarIdentity, limits: ElarSessionLimits): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto('elar_session')
    .values({
      id_hash: tokenHash(token),
      sub: identity.sub,
      sid: identity.sid,
      claims: JSON.stringify(identity.claims),
      id_token: identity.idToken,
      expires_at: new Date(Date.now() + Math.min(limits.idleMs, limits.absoluteMs)),
    })
    .execute();
  return token;
}

export async function loadElarSession(
  db: Db,
  token: string | undefined,
  limits: ElarSessionLimits,
): Promise<{ claims: Record<string, unknown>; idToken: string; idHash: string } | null> {
  if (!token) return null;
  const idHash = tokenHash(token);
  const row = await db.selectFrom('elar_session').select(['claims', 'id_token', 'expires_at', 'created_at', 'id_hash']).where('id_hash', '=', idHash).executeTakeFirst();
  if (!row) return null;
  const now = Date.now();
  const hardEnd = new Date(row.created_at).getTime() + limits.absoluteMs;
  if (row.expires_at.getTime() <= now || hardEnd <= now) {
    await endElarSessions(db, { idHash });
    return null;
  }
  await db
    .updateTable('elar_session')
    .set({ expires_at: new Date(Math.min(now + limits.idleMs, hardEnd)) })
    .where('id_hash', '=', idHash)
    .execute();
  return { claims: row.claims as Record<string, unknown>, idToken: row.id_token, idHash: row.id_hash };
}

export async function endElarSessions(db: Db, by: { sid?: string; sub?: string; idHash?: string }): Promise<number> {
  let query = db.deleteFrom('elar_session');
  if (by.idHash) query = query.where('id_hash', '=', by.idHash);
  else if (by.sid) query = query.where('sid', '=', by.sid);
  else if (by.sub) query = query.where('sub', '=', by.sub);
  else return 0;
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
