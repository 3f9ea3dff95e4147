import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import type { Organization } from '../../src/directory/index.ts';
import { grantRole, registerApplication, type ApplicationRegistration } from '../../src/directory/service.ts';
import { secretBox } from '../../src/platform/secrets.ts';
import { PASSWORD, type FixturePerson } from './directory.ts';
import { Browser, startPortal, type TestPortal } from './portal.ts';
import { freePort } from './server.ts';

/**
 * What the tests of single sign-out and revocation share: a portal listening at its issuer
 * URL (relying parties discover it over HTTP), a relying party on loopback that receives
 * back-channel logout tokens, and a person signed in to it through the browser.
 */

/** A portal in this process, listening on the port its issuer URL names. */
export async function portalAtIssuer(
  env: Record<string, string> = {},
): Promise<{ portal: TestPortal; issuer: string }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const portal = await startPortal({ PORT: String(port), PUBLIC_URL: issuer, ...env });
  await portal.app.listen({ port, host: '127.0.0.1' });
  return { portal, issuer };
}

export interface LogoutReceiver {
  /** The back-channel logout URI of this path on the receiver. */
  uri(path: string): string;
  /** The statuses answered to each logout token about this session id, in order. */
  told(sid: string): number[];
  close(): Promise<void>;
}

/**
 * A relying party's back-channel logout endpoint on loopback. `answer` decides each status
 * from the path and how many times this session was already told (200 by default).
 */
export async function logoutReceiver(
  answer: (path: string, toldBefore: number) => number = () => 200,
): Promise<LogoutReceiver> {
  const answered = new Map<string, number[]>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const sid = String(decodeJwt(new URLSearchParams(body).get('logout_token') ?? '').sid);
      const seen = answered.get(sid) ?? [];
      const status = answer(req.url!, seen.length);
      answered.set(sid, [...seen, status]);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    uri: (path) => `http://127.0.0.1:${port}${path}`,
    told: (sid) => answered.get(sid) ?? [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Registers the application with the directory and discovers the portal as its client. */
export async function relyingParty(
  portal: TestPortal,
  issuer: string,
  registration: Pick<ApplicationRegistration, 'id' | 'redirectUris' | 'backchannelLogoutUri'> &
    Partial<ApplicationRegistration>,
): Promise<oidc.Configuration> {
  const secret = await registerApplication(
    portal.db,
    secretBox(portal.secretsKey),
    {
      name: `App ${registration.id}`,
      restricted: true,
      roles: ['teacher'],
      postLogoutRedirectUris: [],
      launchUrl: null,
      ...registration,
    },
    null,
  );
  return oidc.discovery(new URL(issuer), registration.id, undefined, oidc.ClientSecretBasic(secret), {
    execute: [oidc.allowInsecureRequests],
  });
}

/** Grants the person a role of the application at the organization, as the department would. */
export async function grantRoleAt(
  portal: TestPortal,
  who: FixturePerson,
  org: Organization,
  appId: string,
  role: string,
) {
  const app = await portal.db.selectFrom('application').selectAll().where('id', '=', appId).executeTakeFirstOrThrow();
  await grantRole(portal.db, null, { person: await who.profile(), org, app, role }, null);
}

/** The person signs in to the application in a browser of their own (code flow with PKCE). */
export async function signInTo(
  portal: TestPortal,
  issuer: string,
  rp: oidc.Configuration,
  who: FixturePerson,
  { redirectUri, ip = '10.70.0.1' }: { redirectUri: string; ip?: string },
) {
  const browser = new Browser(portal.app, ip, issuer);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(rp, {
    redirect_uri: redirectUri,
    scope: 'openid profile roles',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  let res = await browser.follow(await browser.get(url.href));
  const returnTo = /name="returnTo" value="([^"]+)"/.exec(res.body)?.[1]?.replace(/&amp;/g, '&');
  if (returnTo)
    res = await browser.follow(await browser.post('/login', { username: who.userName, password: PASSWORD, returnTo }));
  assert.ok(res.location?.startsWith(redirectUri), `came back with a code: ${res.status} ${res.location}`);
  const tokens = await oidc.authorizationCodeGrant(rp, new URL(res.location!), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  return { tokens, sid: tokens.claims()!.sid as string, browser };
}
