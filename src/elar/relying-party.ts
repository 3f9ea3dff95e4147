import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import type { ElarIdentity } from './sessions.ts';

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

/** Where the portal sends people and logout tokens back to ELAR, for its client registration. */
export function elarClientUris(publicUrl: string) {
  return {
    redirectUris: [`${publicUrl}/elar/callback`],
    postLogoutRedirectUris: [`${publicUrl}/elar/logged-out`],
    backchannelLogoutUri: `${publicUrl}/elar/backchannel-logout`,
  };
}

export interface AuthRequest {
  url: string;
  /** Kept in an HttpOnly cookie until the callback: binds the answer to this browser. */
  cookie: string;
}

export class ElarRelyingParty {
  private configuration: Promise<oidc.Configuration> | undefined;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(private readonly client: ElarClient) {}

  /** Discovery happens on first use, over HTTP, and is retried after a failure. */
  private config(): Promise<oidc.Configuration> {
    this.configuration ??= oidc
      // HTTP Basic: the one client authentication the portal accepts.
      .discovery(
        new URL(this.client.issuer),
        this.client.clientId,
        undefined,
        oidc.ClientSecretBasic(this.client.clientSecret),
        {
          execute: this.client.issuer.startsWith('http://') ? [oidc.allowInsecureRequests] : [],
        },
      )
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
      scope: 'openid profile email roles',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return {
      url: url.href,
      cookie: Buffer.from(JSON.stringify({ verifier, state, nonce, returnTo })).toString('base64url'),
    };
  }

  async finishSignIn(callbackUrl: string, cookie: string): Promise<{ identity: ElarIdentity; returnTo: string }> {
    const saved = JSON.parse(Buffer.from(cookie, 'base64url').toString('utf8')) as {
      verifier: string;
      state: string;
      nonce: string;
      returnTo: string;
    };
    const config = await this.config();
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callbackUrl), {
      pkceCodeVerifier: saved.verifier,
      expectedState: saved.state,
      expectedNonce: saved.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    return {
      identity: {
        sub: claims.sub,
        sid: typeof claims.sid === 'string' ? claims.sid : null,
        claims: { ...claims },
        idToken: tokens.id_token!,
      },
      returnTo: saved.returnTo,
    };
  }

  async endSessionUrl(idToken: string): Promise<string> {
    const config = await this.config();
    return oidc.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: this.client.postLogoutRedirectUri,
    }).href;
  }

  /** OpenID Connect Back-Channel Logout 1.0 §2.6: a signed logout token, never a nonce. */
  async verifyLogoutToken(token: string): Promise<{ sub?: string; sid?: string }> {
    const config = await this.config();
    const metadata = config.serverMetadata();
    this.jwks ??= createRemoteJWKSet(new URL(metadata.jwks_uri!));
    const { payload } = await jwtVerify(token, this.jwks, {
      issuer: metadata.issuer,
      audience: this.client.clientId,
      maxTokenAge: '2 minutes',
    });
    const events = (payload as JWTPayload & { events?: Record<string, unknown> }).events;
    if (!events || !('http://schemas.openid.net/event/backchannel-logout' in events) || 'nonce' in payload) {
      throw new Error('not a logout token');
    }
    if (!payload.sub && !payload.sid) throw new Error('logout token names no one');
    return { sub: payload.sub, sid: typeof payload.sid === 'string' ? payload.sid : undefined };
  }
}
