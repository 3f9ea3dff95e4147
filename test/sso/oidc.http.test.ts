import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { rotateSigningKey } from '../../src/sso/keys.ts';
import { purgeExpiredModels } from '../../src/sso/adapter.ts';
import { purgeExpiredSessions } from '../../src/portal/session-repository.ts';
import * as oidc from 'openid-client';
import { buildApp } from '../../src/app.tsx';
import { elarTables } from '../../src/elar/index.ts';
import { JobRunner } from '../../src/platform/jobs/runner.ts';
import { addMember } from '../../src/directory/repository.ts';
import { designateAdministrator, ensureApplication, registerApplication } from '../../src/directory/service.ts';
import { insertDepartmentRole } from '../../src/directory/department-roles/repository.ts';
import { secretBox } from '../../src/platform/secrets.ts';
import { Browser, createProfile, logIn, startPortal, type TestPortal } from '../helpers/portal.ts';
import { listenAhead } from '../helpers/server.ts';

/**
 * openid-client as a relying party against the real provider over HTTP (issue #4):
 * discovery, code + PKCE, code reuse, redirect URIs, refresh rotation, revocation,
 * logout, restricted applications, role claims, and a restart that loses nothing.
 * Each test signs in and makes the people it needs, so any one runs alone
 * (--test-name-pattern) and a failure does not take the next tests down with it.
 */

let portal: TestPortal;
let issuer: string;
let rp: oidc.Configuration;
let restrictedRp: oidc.Configuration;
let person: { userName: string; mepid: string; id: string };
const secrets: Record<string, string> = {};
const logoutTokens: string[] = [];
let backchannel: Server;
let port: Awaited<ReturnType<typeof listenAhead>>;
/** Lakeside District, with Ada Admin as its Directory Administrator. */
let lakeside: { id: string; adminUserName: string };

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

before(async () => {
  port = await listenAhead();
  issuer = port.origin;
  portal = await startPortal({ PUBLIC_URL: issuer });
  port.serve(portal.app);

  backchannel = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      logoutTokens.push(new URLSearchParams(body).get('logout_token') ?? '');
      res.end();
    });
  });
  const bcPort = await listen(backchannel);

  const box = secretBox(portal.secretsKey);
  const secret = await registerApplication(
    portal.db,
    box,
    {
      id: 'example',
      name: 'Example app',
      redirectUris: ['http://127.0.0.1:9999/callback'],
      restricted: false,
      roles: [],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: `http://127.0.0.1:${bcPort}/logout`,
      launchUrl: null,
    },
    null,
  );
  const simsSecret = await registerApplication(
    portal.db,
    box,
    {
      id: 'sims',
      name: 'SIMS',
      redirectUris: ['http://127.0.0.1:9998/callback'],
      restricted: true,
      roles: ['user', 'submitter'],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: null,
      launchUrl: null,
    },
    null,
  );
  secrets.example = secret;
  secrets.sims = simsSecret;
  const options = { execute: [oidc.allowInsecureRequests] };
  rp = await oidc.discovery(new URL(issuer), 'example', undefined, oidc.ClientSecretBasic(secret), options);
  restrictedRp = await oidc.discovery(new URL(issuer), 'sims', undefined, oidc.ClientSecretBasic(simsSecret), options);

  const created = await createProfile(new Browser(portal.app), {
    firstName: 'Olive',
    lastName: 'Idc',
    dob: ['8', '8', '1988'],
    ssn: '801-23-4567',
  });
  const row = await portal.db
    .selectFrom('profile')
    .select('id')
    .where('user_name', '=', created.userName)
    .executeTakeFirstOrThrow();
  person = { ...created, id: row.id };

  const org = { id: crypto.randomUUID(), code: '00770000' };
  await portal.db
    .insertInto('organization')
    .values({ ...org, name: 'Lakeside District', type: 'district', district_id: null, town: null, phone: null })
    .execute();
  const admin = await createProfile(new Browser(portal.app), {
    firstName: 'Ada',
    lastName: 'Admin',
    dob: ['1', '1', '1970'],
    ssn: '802-34-5678',
  });
  const adminRow = await portal.db
    .selectFrom('profile')
    .selectAll()
    .where('user_name', '=', admin.userName)
    .executeTakeFirstOrThrow();
  const orgRow = await portal.db
    .selectFrom('organization')
    .selectAll()
    .where('id', '=', org.id)
    .executeTakeFirstOrThrow();
  await designateAdministrator(portal.db, null, orgRow, adminRow, { email: 'ada@lakeside.example', phone: null }, null);
  lakeside = { id: org.id, adminUserName: admin.userName };
});
after(async () => {
  await portal.close();
  await port.close();
  await new Promise((r) => backchannel.close(r));
});

/** The portal restarted on the same database: a new app behind the same port. */
async function restart(): Promise<void> {
  const restarted = await buildApp({
    config: portal.config,
    db: portal.db,
    ssnKey: portal.ssnKey,
    secretsKey: portal.secretsKey,
    jobs: (portal.jobs = new JobRunner(portal.db)),
    elarJobs: (portal.elarJobs = new JobRunner(elarTables(portal.db))),
    events: portal.events,
  });
  await restarted.ready();
  await portal.app.close();
  port.serve(restarted);
  portal.app = restarted;
}

/** A person of their own, for a test that changes them (roles, passwords). */
async function newPerson(firstName: string, ssn: string) {
  const who = {
    password: 'Secret123',
    ...(await createProfile(new Browser(portal.app), { firstName, lastName: 'Sso', dob: ['4', '4', '1980'], ssn })),
  };
  const row = await portal.db
    .selectFrom('profile')
    .selectAll()
    .where('user_name', '=', who.userName)
    .executeTakeFirstOrThrow();
  return { ...who, row };
}

/** A browser logs in at the portal (if needed) and comes back with the authorization code. */
async function authorize(
  b: Browser,
  config: oidc.Configuration,
  redirectUri: string,
  extra: Record<string, string> = {},
  who: { userName: string; password: string } = { userName: person.userName, password: 'Secret123' },
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile roles',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...extra,
  });
  let res = await b.follow(await b.get(url.href));
  const returnTo = /name="returnTo" value="([^"]+)"/.exec(res.body)?.[1]?.replace(/&amp;/g, '&');
  if (res.status === 200 && returnTo) {
    res = await b.follow(await b.post('/login', { username: who.userName, password: who.password, returnTo }));
  }
  return { res, verifier, state };
}

describe('discovery', () => {
  test('the document alone is enough to integrate: code flow, PKCE S256, our scopes and claims', () => {
    const m = rp.serverMetadata();
    assert.equal(m.issuer, issuer);
    assert.equal(m.authorization_endpoint, `${issuer}/oidc/auth`);
    assert.deepEqual(m.response_types_supported, ['code']);
    assert.deepEqual(m.code_challenge_methods_supported, ['S256']);
    for (const scope of ['openid', 'profile', 'roles']) assert.ok(m.scopes_supported?.includes(scope), scope);
    for (const claim of ['sub', 'preferred_username', 'name', 'given_name', 'family_name', 'mepid', 'roles'])
      assert.ok(m.claims_supported?.includes(claim), claim);
    assert.ok(m.end_session_endpoint && m.revocation_endpoint && m.jwks_uri && m.userinfo_endpoint);
    assert.equal(m.backchannel_logout_supported, true);
  });

  test('a NUL byte in a client id, code or token is refused as invalid, never a 500', async () => {
    const auth = await portal.app.inject({ url: '/oidc/auth?client_id=%00&response_type=code&scope=openid' });
    assert.equal(auth.statusCode, 400);
    const token = await portal.app.inject({
      method: 'POST',
      url: '/oidc/token',
      payload: 'grant_type=authorization_code&code=%00&redirect_uri=x&code_verifier=y',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('example:%00').toString('base64')}`,
      },
    });
    assert.deepEqual([token.statusCode, token.json().error], [400, 'invalid_request']);
    const refresh = await portal.app.inject({
      method: 'POST',
      url: '/oidc/token',
      payload: 'grant_type=refresh_token&refresh_token=a%00b',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('%00:x').toString('base64')}`,
      },
    });
    assert.deepEqual([refresh.statusCode, refresh.json().error], [400, 'invalid_request']);
  });

  test('every URL in discovery is on PUBLIC_URL, whatever Host or X-Forwarded-Host/-Proto the client sends', async () => {
    /** Every URL the discovery document names, as origins. */
    const origins = (doc: Record<string, unknown>) =>
      new Set(
        Object.values(doc)
          .filter((v): v is string => typeof v === 'string' && /^https?:/.test(v))
          .map((v) => new URL(v).origin),
      );
    const forged = await portal.app.inject({
      url: '/.well-known/openid-configuration',
      headers: { host: 'evil.example' },
    });
    assert.equal(forged.statusCode, 200);
    assert.deepEqual([...origins(forged.json())], [issuer]);
    // Behind a trusted proxy, the forwarded host and scheme still name no endpoint.
    const proxied = await startPortal({ PUBLIC_URL: issuer, TRUST_PROXY: '1' });
    try {
      for (const headers of [
        { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
        { host: 'evil.example', 'x-forwarded-host': 'evil.example, 127.0.0.1' },
      ]) {
        const res = await proxied.app.inject({ url: '/.well-known/openid-configuration', headers });
        assert.equal(res.statusCode, 200);
        assert.deepEqual([...origins(res.json())], [issuer], JSON.stringify(headers));
      }
    } finally {
      await proxied.close();
    }
  });

  test("the provider's own pages carry the portal's security headers: CSP without unsafe-inline, no framing", async () => {
    for (const url of ['/.well-known/openid-configuration', '/oidc/session/end', '/oidc/auth?client_id=unknown']) {
      const res = await portal.app.inject({ url });
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /frame-ancestors 'none'/, url);
      assert.doesNotMatch(csp, /unsafe-inline/, url);
      assert.equal(res.headers['referrer-policy'], 'same-origin', url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
    }
  });
});

/** Signs in to the example application in a browser of its own; returns the tokens. */
async function signIn(ip: string) {
  const b = new Browser(portal.app, ip, issuer);
  const { res, verifier, state } = await authorize(b, rp, 'http://127.0.0.1:9999/callback');
  return oidc.authorizationCodeGrant(rp, new URL(res.location!), { pkceCodeVerifier: verifier, expectedState: state });
}

describe('authorization code + PKCE', () => {
  test('one login at the portal gives a code; the ID token carries CONTRACT.md claims', async () => {
    const b = new Browser(portal.app, '10.5.0.1', issuer);
    const { res, verifier, state } = await authorize(b, rp, 'http://127.0.0.1:9999/callback');
    assert.equal(res.status, 303);
    assert.match(res.location!, /^http:\/\/127\.0\.0\.1:9999\/callback\?code=/);
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(res.location!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const claims = tokens.claims()!;
    assert.equal(claims.sub, person.id, 'sub is the stable opaque id, not the User Name');
    assert.equal(claims.preferred_username, person.userName);
    assert.equal(claims.mepid, person.mepid);
    assert.equal(claims.name, 'Olive Idc');
    assert.equal(claims.given_name, 'Olive');
    assert.equal(claims.family_name, 'Idc');
    assert.deepEqual(claims.roles, []);
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, person.id);
    assert.equal(userinfo.mepid, person.mepid);

    // Signed in once: a second authorization needs no login.
    const again = await authorize(b, rp, 'http://127.0.0.1:9999/callback');
    assert.match(again.res.location!, /callback\?code=/);
  });

  test('a code can be used once', async () => {
    const b = new Browser(portal.app, '10.5.0.2', issuer);
    const { res, verifier, state } = await authorize(b, rp, 'http://127.0.0.1:9999/callback');
    await oidc.authorizationCodeGrant(rp, new URL(res.location!), { pkceCodeVerifier: verifier, expectedState: state });
    await assert.rejects(
      oidc.authorizationCodeGrant(rp, new URL(res.location!), { pkceCodeVerifier: verifier, expectedState: state }),
      (e: oidc.ResponseBodyError) => e.error === 'invalid_grant',
    );
  });

  test('a wrong code verifier is refused', async () => {
    const b = new Browser(portal.app, '10.5.0.3', issuer);
    const { res, state } = await authorize(b, rp, 'http://127.0.0.1:9999/callback');
    await assert.rejects(
      oidc.authorizationCodeGrant(rp, new URL(res.location!), {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: state,
      }),
      (e: oidc.ResponseBodyError) => e.error === 'invalid_grant',
    );
  });

  test('an unregistered redirect URI gets an error page, never a redirect with a code', async () => {
    const b = new Browser(portal.app, '10.5.0.4', issuer);
    const { res } = await authorize(b, rp, 'http://127.0.0.1:9999/elsewhere');
    assert.equal(res.status, 400);
    assert.equal(res.location, undefined);
    assert.match(res.body, /from an address the portal does not know/);
  });

  test('no PKCE, no code; implicit flow is not offered', async () => {
    const b = new Browser(portal.app, '10.5.0.5', issuer);
    await logIn(b, person.userName, 'Secret123');
    const noPkce = await b.get(
      `/oidc/auth?client_id=example&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('http://127.0.0.1:9999/callback')}&state=x`,
    );
    assert.match(noPkce.location ?? '', /error=invalid_request/);
    assert.match(noPkce.location ?? '', /requires\+PKCE/);
    const implicit = await b.get(
      `/oidc/auth?client_id=example&response_type=id_token&scope=openid&nonce=n&redirect_uri=${encodeURIComponent('http://127.0.0.1:9999/callback')}`,
    );
    assert.match(implicit.location ?? '', /error=unsupported_response_type/);
  });

  test('refresh tokens rotate', async () => {
    const tokens = await signIn('10.5.0.10');
    assert.ok(tokens.refresh_token);
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token);
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token);
    assert.equal((await oidc.fetchUserInfo(rp, refreshed.access_token, person.id)).sub, person.id);
  });

  test('a restart loses no session, grant or refresh token', async () => {
    const b = new Browser(portal.app, '10.5.0.11', issuer);
    const first = await authorize(b, rp, 'http://127.0.0.1:9999/callback');
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(first.res.location!), {
      pkceCodeVerifier: first.verifier,
      expectedState: first.state,
    });
    await restart();
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    const userinfo = await oidc.fetchUserInfo(rp, refreshed.access_token, person.id);
    assert.equal(userinfo.preferred_username, person.userName);
    // The same browser (its cookies) in front of the restarted app.
    const same = new Browser(portal.app, '10.5.0.11', issuer);
    for (const [name, value] of b.cookies) same.cookies.set(name, value);
    const again = await authorize(same, rp, 'http://127.0.0.1:9999/callback');
    assert.match(again.res.location!, /callback\?code=/, 'still signed in at the portal: a code without a new login');
  });

  test('a revoked access token is refused', async () => {
    const tokens = await signIn('10.5.0.12');
    assert.equal((await oidc.fetchUserInfo(rp, tokens.access_token, person.id)).sub, person.id);
    await oidc.tokenRevocation(rp, tokens.access_token);
    await assert.rejects(oidc.fetchUserInfo(rp, tokens.access_token, person.id), /challenge/);
  });

  test('replaying a rotated refresh token is refused and revokes the whole family', async () => {
    const tokens = await signIn('10.5.0.13');
    const rotated = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    await assert.rejects(
      oidc.refreshTokenGrant(rp, tokens.refresh_token!),
      (e: oidc.ResponseBodyError) => e.error === 'invalid_grant',
    );
    await assert.rejects(
      oidc.refreshTokenGrant(rp, rotated.refresh_token!),
      (e: oidc.ResponseBodyError) => e.error === 'invalid_grant',
    );
  });
});

describe('a client sees and revokes only its own tokens', () => {
  /** A raw call to an endpoint that authenticates the client, as `basic` (the documented way) or `post`. */
  async function asClient(
    path: string,
    clientId: string,
    fields: Record<string, string>,
    method: 'basic' | 'post' = 'basic',
  ) {
    const body = new URLSearchParams(
      method === 'post' ? { ...fields, client_id: clientId, client_secret: secrets[clientId]! } : fields,
    );
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (method === 'basic')
      headers.authorization = `Basic ${Buffer.from(`${clientId}:${secrets[clientId]}`).toString('base64')}`;
    const res = await fetch(`${issuer}${path}`, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  }

  test("another registered client's introspection of a token says only that it is not active", async () => {
    const b = new Browser(portal.app, '10.5.0.20', issuer);
    const { res, verifier, state } = await authorize(b, rp, 'http://127.0.0.1:9999/callback');
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(res.location!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    for (const token of [tokens.access_token, tokens.refresh_token!]) {
      const own = await asClient('/oidc/token/introspection', 'example', { token });
      assert.equal(own.body.active, true, 'the token is active for its own client');
      assert.equal(own.body.client_id, 'example');
      const other = await asClient('/oidc/token/introspection', 'sims', { token });
      assert.equal(other.status, 200);
      assert.deepEqual(other.body, { active: false }, 'nothing about the person or the token');
    }
  });

  test('another client cannot revoke a token, nor learn that it exists', async () => {
    const b = new Browser(portal.app, '10.5.0.21', issuer);
    const { res, verifier, state } = await authorize(b, rp, 'http://127.0.0.1:9999/callback');
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(res.location!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const other = await asClient('/oidc/token/revocation', 'sims', { token: tokens.access_token });
    const unknown = await asClient('/oidc/token/revocation', 'sims', { token: 'no-such-token-0123456789' });
    assert.deepEqual(
      [other.status, other.body],
      [unknown.status, unknown.body],
      'the same answer as for a token that does not exist',
    );
    assert.equal(
      (await oidc.fetchUserInfo(rp, tokens.access_token, person.id)).sub,
      person.id,
      'the token still works',
    );
  });

  test('clients authenticate only as docs/security.md states (client_secret_basic), at every endpoint', async () => {
    const m = rp.serverMetadata();
    assert.deepEqual(m.token_endpoint_auth_methods_supported, ['client_secret_basic']);
    for (const path of ['/oidc/token/introspection', '/oidc/token/revocation']) {
      const posted = await asClient(path, 'example', { token: 'anything' }, 'post');
      assert.equal(posted.status, 401, path);
      assert.equal(posted.body.error, 'invalid_client', path);
    }
    const token = await asClient(
      '/oidc/token',
      'example',
      { grant_type: 'refresh_token', refresh_token: 'anything' },
      'post',
    );
    assert.equal(token.body.error, 'invalid_client');
  });
});

describe('restricted applications and roles', () => {
  test('without a role there is no code, and a page names the Directory Administrators', async () => {
    const who = await newPerson('Nora', '813-44-5566');
    await addMember(portal.db, lakeside.id, who.row.id, null);
    const b = new Browser(portal.app, '10.5.0.6', issuer);
    const { res } = await authorize(b, restrictedRp, 'http://127.0.0.1:9998/callback', {}, who);
    assert.equal(res.status, 403);
    assert.equal(res.location, undefined);
    assert.match(res.body, /You do not have access to SIMS/);
    assert.match(res.body, /Ada Admin, Lakeside District/);
    assert.match(res.body, /ada@lakeside.example/);
  });

  test('a school\u2019s staff member without a role is told of the district\u2019s administrator, once, with where they sit', async () => {
    const district = { id: crypto.randomUUID(), code: '00880000' };
    const school = { id: crypto.randomUUID(), code: '00880505' };
    await portal.db
      .insertInto('organization')
      .values({ ...district, name: 'Harbor District', type: 'district', district_id: null, town: null, phone: null })
      .execute();
    await portal.db
      .insertInto('organization')
      .values({ ...school, name: 'Harbor High', type: 'school', district_id: district.id, town: null, phone: null })
      .execute();
    const staff = await createProfile(new Browser(portal.app), {
      firstName: 'Sol',
      lastName: 'Staff',
      dob: ['2', '2', '1982'],
      ssn: '881-23-4567',
    });
    const staffRow = await portal.db
      .selectFrom('profile')
      .select('id')
      .where('user_name', '=', staff.userName)
      .executeTakeFirstOrThrow();
    // On the staff of the school and of the district: the district's administrator acts for both.
    await addMember(portal.db, school.id, staffRow.id, null);
    await addMember(portal.db, district.id, staffRow.id, null);
    const admin = await createProfile(new Browser(portal.app), {
      firstName: 'Hal',
      lastName: 'Harbor',
      dob: ['3', '3', '1971'],
      ssn: '882-34-5678',
    });
    const adminRow = await portal.db
      .selectFrom('profile')
      .selectAll()
      .where('user_name', '=', admin.userName)
      .executeTakeFirstOrThrow();
    const districtRow = await portal.db
      .selectFrom('organization')
      .selectAll()
      .where('id', '=', district.id)
      .executeTakeFirstOrThrow();
    await designateAdministrator(
      portal.db,
      null,
      districtRow,
      adminRow,
      { email: 'hal@harbor.example', phone: null },
      null,
    );

    const { res } = await authorize(
      new Browser(portal.app, '10.5.0.9', issuer),
      restrictedRp,
      'http://127.0.0.1:9998/callback',
      {},
      { userName: staff.userName, password: 'Secret123' },
    );
    assert.equal(res.status, 403);
    assert.equal(res.body.match(/Hal Harbor/g)?.length, 1);
    assert.match(res.body, /Hal Harbor, Harbor District/);
  });

  test('with a role, the roles claim lists that application\u2019s roles per organization', async () => {
    const who = await newPerson('Rosa', '813-55-6677');
    await addMember(portal.db, lakeside.id, who.row.id, null);
    await portal.db
      .insertInto('role_grant')
      .values({
        profile_id: who.row.id,
        organization_id: lakeside.id,
        application_id: 'sims',
        role: 'submitter',
        granted_by: null,
      })
      .execute();
    await portal.db
      .insertInto('role_grant')
      .values({
        profile_id: who.row.id,
        organization_id: lakeside.id,
        application_id: 'mdcs',
        role: 'user',
        granted_by: null,
      })
      .execute();
    const b = new Browser(portal.app, '10.5.0.7', issuer);
    const { res, verifier, state } = await authorize(b, restrictedRp, 'http://127.0.0.1:9998/callback', {}, who);
    const tokens = await oidc.authorizationCodeGrant(restrictedRp, new URL(res.location!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    assert.deepEqual(tokens.claims()!.roles, [{ org: '00770000', role: 'submitter' }]);
  });
});

describe('department roles reach ELAR in its roles claim (issue 12)', () => {
  test('ELAR is told a person’s licensure roles under the Department’s organization code; SIMS is not, and console-admin and help-desk stay in the portal', async () => {
    const who = await newPerson('Evie', '813-66-7788');
    for (const role of ['licensure-evaluator', 'payments', 'help-desk', 'console-admin'] as const)
      await insertDepartmentRole(portal.db, { profileId: who.row.id, role, grantedBy: null });
    await addMember(portal.db, lakeside.id, who.row.id, null);
    await portal.db
      .insertInto('role_grant')
      .values({
        profile_id: who.row.id,
        organization_id: lakeside.id,
        application_id: 'sims',
        role: 'user',
        granted_by: null,
      })
      .execute();

    // ELAR's own registration in this portal, with openid-client in its place.
    const redirectUri = `${issuer}/elar/callback`;
    const elar = await ensureApplication(portal.db, secretBox(portal.secretsKey), {
      id: 'elar',
      redirectUris: [redirectUri],
      postLogoutRedirectUris: [`${issuer}/elar/logged-out`],
      backchannelLogoutUri: `${issuer}/elar/backchannel-logout`,
    });
    const elarRp = await oidc.discovery(new URL(issuer), 'elar', undefined, oidc.ClientSecretBasic(elar.clientSecret), {
      execute: [oidc.allowInsecureRequests],
    });
    const b = new Browser(portal.app, '10.5.0.12', issuer);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(elarRp, {
      redirect_uri: redirectUri,
      scope: 'openid profile roles',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    // Followed by hand up to ELAR's callback, so that the code is this test's to redeem.
    let res = await b.get(url.href);
    for (let i = 0; i < 20 && res.location && !res.location.startsWith(redirectUri); i++)
      res = await b.get(res.location);
    const returnTo = /name="returnTo" value="([^"]+)"/.exec(res.body)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(returnTo, 'the portal asks the person to log in');
    res = await b.post('/login', { username: who.userName, password: who.password, returnTo });
    for (let i = 0; i < 20 && res.location && !res.location.startsWith(redirectUri); i++)
      res = await b.get(res.location);
    assert.ok(res.location?.startsWith(redirectUri), `back at ELAR with a code: ${res.status} ${res.location}`);
    const tokens = await oidc.authorizationCodeGrant(elarRp, new URL(res.location!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const expected = [
      { org: '00000000', role: 'licensure-evaluator' },
      { org: '00000000', role: 'payments' },
    ];
    assert.deepEqual(tokens.claims()!.roles, expected);
    const userinfo = await oidc.fetchUserInfo(elarRp, tokens.access_token, tokens.claims()!.sub);
    assert.deepEqual(userinfo.roles, expected, 'userinfo says the same');

    const sims = await authorize(
      new Browser(portal.app, '10.5.0.13', issuer),
      restrictedRp,
      'http://127.0.0.1:9998/callback',
      {},
      who,
    );
    const simsTokens = await oidc.authorizationCodeGrant(restrictedRp, new URL(sims.res.location!), {
      pkceCodeVerifier: sims.verifier,
      expectedState: sims.state,
    });
    assert.deepEqual(simsTokens.claims()!.roles, [{ org: '00770000', role: 'user' }]);
  });
});

describe('logout', () => {
  test('logging out of the portal sends a signed back-channel logout to the application and ends the SSO session', async () => {
    const b = new Browser(portal.app, '10.5.0.8', issuer);
    const { res, verifier, state } = await authorize(b, rp, 'http://127.0.0.1:9999/callback');
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(res.location!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const sid = tokens.claims()!.sid;
    assert.ok(sid);
    const before = logoutTokens.length;
    await b.get('/');
    await b.post('/logout', {});
    await portal.jobs.runDue();
    assert.equal(logoutTokens.length, before + 1);
    const logout = decodeJwt(logoutTokens.at(-1)!);
    assert.equal(logout.sid, sid);
    assert.equal(logout.aud, 'example');
    assert.ok((logout.events as Record<string, unknown>)['http://schemas.openid.net/event/backchannel-logout']);
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: 'http://127.0.0.1:9999/callback',
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const again = await b.follow(await b.get(url.href));
    assert.match(again.body, /action="\/login"/, 'the next application needs a new login');
  });
});

describe('a new password ends single sign-on elsewhere (refresh tokens too)', () => {
  const example = 'http://127.0.0.1:9999/callback';

  /** A person signed in to the example application in their own browser: its tokens and sid. */
  async function signedInToApp(who: { userName: string; password: string }, ip: string) {
    const b = new Browser(portal.app, ip, issuer);
    const { res, verifier, state } = await authorize(b, rp, example, {}, who);
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(res.location!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    assert.ok(tokens.refresh_token);
    return { b, tokens, sid: tokens.claims()!.sid };
  }

  async function assertSignedOutOfApp(app: Awaited<ReturnType<typeof signedInToApp>>) {
    await assert.rejects(
      oidc.refreshTokenGrant(rp, app.tokens.refresh_token!),
      (e: oidc.ResponseBodyError) => e.error === 'invalid_grant',
    );
    await assert.rejects(
      oidc.fetchUserInfo(rp, app.tokens.access_token, oidc.skipSubjectCheck),
      /challenge|invalid_token/,
    );
    await portal.jobs.runDue();
    assert.ok(
      logoutTokens.some((t) => decodeJwt(t).sid === app.sid),
      'the application was told by back-channel logout',
    );
  }

  test('a reset through Retrieve User Name / Reset Password', async () => {
    const who = await newPerson('Rhea', '803-11-2233');
    const app = await signedInToApp(who, '10.5.1.1');
    const b = new Browser(portal.app, '10.5.1.2', issuer);
    await b.submit('/account/recover', '/account/recover/identity', {
      firstName: 'Rhea',
      middleName: '',
      lastName: 'Sso',
      dobMonth: '4',
      dobDay: '4',
      dobYear: '1980',
      ssn: '803-11-2233',
    });
    await b.submit('/account/recover/hint', '/account/recover/hint', { hintAnswer: 'Rex the Dog' });
    const done = await b.submit('/account/recover/password', '/account/recover/password', {
      password: 'Another789',
      passwordConfirm: 'Another789',
    });
    assert.equal(done.location, '/account/recover/done');
    await assertSignedOutOfApp(app);
  });

  test('a change of password signs out the other browsers, and this one stays signed in', async () => {
    const who = await newPerson('Chad', '803-22-3344');
    const other = await signedInToApp(who, '10.5.1.3');
    const here = await signedInToApp(who, '10.5.1.4');
    await here.b.submit('/account/password', '/account/password', {
      currentPassword: 'Secret123',
      password: 'Changed789',
      passwordConfirm: 'Changed789',
    });
    await assertSignedOutOfApp(other);
    const refreshed = await oidc.refreshTokenGrant(rp, here.tokens.refresh_token!);
    assert.equal((await oidc.fetchUserInfo(rp, refreshed.access_token, who.row.id)).sub, who.row.id);
  });

  test("an administrator's reset", async () => {
    const who = await newPerson('Ray', '803-33-4455');
    const app = await signedInToApp(who, '10.5.1.5');
    await addMember(portal.db, lakeside.id, who.row.id, null);
    const admin = new Browser(portal.app, '10.5.1.6', issuer);
    await logIn(admin, lakeside.adminUserName, 'Secret123');
    const reset = await admin.submit(
      `/directory/people/${who.row.id}`,
      `/directory/people/${who.row.id}/reset-password`,
      {},
    );
    assert.equal(reset.status, 200);
    await assertSignedOutOfApp(app);
  });
});

describe('signing keys', () => {
  test('are stored encrypted; rotation keeps tokens already issued verifiable', async () => {
    const keysBefore = (await portal.db.selectFrom('oidc_signing_key').select('private_jwk_encrypted').execute())
      .length;
    const firstIdToken = (await signIn('10.5.0.14')).id_token!;
    const oldKid = decodeProtectedHeader(firstIdToken).kid;

    await rotateSigningKey(portal.db, secretBox(portal.secretsKey));
    const rows = await portal.db.selectFrom('oidc_signing_key').select('private_jwk_encrypted').execute();
    assert.equal(rows.length, keysBefore + 1);
    // Only the sealed form (base64url parts): no JSON, so no key in clear. (Looking for
    // "RSA" or "kty" in it failed now and then: random ciphertext spells them too.)
    for (const row of rows)
      assert.match(row.private_jwk_encrypted, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/, 'no private key material in clear');
    await restart();

    const jwks = (await (await fetch(`${issuer}/oidc/jwks`)).json()) as JSONWebKeySet;
    assert.equal(jwks.keys.length, keysBefore + 1);
    assert.ok(jwks.keys.some((k) => k.kid === oldKid));
    assert.ok(
      jwks.keys.every((k) => !('d' in k)),
      'only public keys are published',
    );
    await jwtVerify(firstIdToken, createLocalJWKSet(jwks), {
      issuer,
      audience: 'example',
      currentDate: new Date(decodeJwt(firstIdToken).iat! * 1000),
    });

    const b = new Browser(portal.app, '10.5.0.9', issuer);
    const { res, verifier, state } = await authorize(b, rp, 'http://127.0.0.1:9999/callback');
    const fresh = await oidc.authorizationCodeGrant(rp, new URL(res.location!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    assert.notEqual(decodeProtectedHeader(fresh.id_token!).kid, oldKid, 'new tokens are signed with the new key');
  });
});

describe('housekeeping', () => {
  test('expired provider records and sessions are swept', async () => {
    await portal.db
      .insertInto('oidc_model')
      .values({
        model: 'AccessToken',
        id: 'stale',
        payload: '{}',
        grant_id: null,
        user_code: null,
        uid: null,
        expires_at: new Date(Date.now() - 1000),
        consumed_at: null,
      })
      .execute();
    await portal.db
      .updateTable('session')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    await purgeExpiredModels(portal.db);
    await purgeExpiredSessions(portal.db);
    assert.equal((await portal.db.selectFrom('oidc_model').select('id').where('id', '=', 'stale').execute()).length, 0);
    assert.equal((await portal.db.selectFrom('session').select('id_hash').execute()).length, 0);
  });
});
