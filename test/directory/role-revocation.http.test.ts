import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { grantRole, registerApplication } from '../../src/directory/service.ts';
import { secretBox } from '../../src/platform/secrets.ts';
import { directoryFixture, PASSWORD, type DirectoryFixture, type FixturePerson } from '../helpers/directory.ts';
import { Browser, startPortal, type TestPortal } from '../helpers/portal.ts';
import { freePort } from '../helpers/server.ts';

/**
 * Issue 11 (low): a role that is revoked, taken away with a staff membership, or made
 * useless by its organization becoming inactive, must end what the application holds:
 * its refresh token stops working at once and it is told by back-channel logout.
 */

let portal: TestPortal;
let issuer: string;
let fx: DirectoryFixture;
let rp: oidc.Configuration;
let backchannel: Server;
const logoutTokens: string[] = [];
const redirectUri = 'http://127.0.0.1:9997/callback';

before(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  portal = await startPortal({ PORT: String(port), PUBLIC_URL: issuer });
  await portal.app.listen({ port, host: '127.0.0.1' });
  fx = directoryFixture(portal);
  backchannel = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      logoutTokens.push(new URLSearchParams(body).get('logout_token') ?? '');
      res.end();
    });
  });
  await new Promise<void>((resolve) => backchannel.listen(0, '127.0.0.1', resolve));
  const secret = await registerApplication(
    portal.db,
    secretBox(portal.secretsKey),
    {
      id: 'gradebook',
      name: 'Gradebook',
      redirectUris: [redirectUri],
      restricted: true,
      roles: ['teacher'],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: `http://127.0.0.1:${(backchannel.address() as { port: number }).port}/logout`,
      launchUrl: null,
    },
    null,
  );
  rp = await oidc.discovery(new URL(issuer), 'gradebook', undefined, oidc.ClientSecretBasic(secret), {
    execute: [oidc.allowInsecureRequests],
  });
});
after(async () => {
  await portal.close();
  await new Promise((r) => backchannel.close(r));
});

/** The person signs in to Gradebook in their own browser; returns its tokens and session id. */
async function signedInToGradebook(who: FixturePerson) {
  const b = new Browser(portal.app, '10.70.0.1', issuer);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(rp, {
    redirect_uri: redirectUri,
    scope: 'openid profile roles',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  let res = await b.follow(await b.get(url.href));
  const returnTo = /name="returnTo" value="([^"]+)"/.exec(res.body)?.[1]?.replace(/&amp;/g, '&');
  if (returnTo) res = await b.follow(await b.post('/login', { username: who.userName, password: PASSWORD, returnTo }));
  assert.ok(res.location?.startsWith(redirectUri), `came back with a code: ${res.status} ${res.location}`);
  const tokens = await oidc.authorizationCodeGrant(rp, new URL(res.location!), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  assert.ok(tokens.refresh_token);
  // The refresh token works before the change, so its failure afterwards is the change's doing.
  const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token);
  return { refreshToken: refreshed.refresh_token!, sid: tokens.claims()!.sid as string };
}

async function assertGradebookEnded(app: { refreshToken: string; sid: string }) {
  await assert.rejects(
    oidc.refreshTokenGrant(rp, app.refreshToken),
    (e: oidc.ResponseBodyError) => e.error === 'invalid_grant',
  );
  await portal.jobs.runDue();
  assert.equal(
    logoutTokens.filter((t) => decodeJwt(t).sid === app.sid).length,
    1,
    'Gradebook was told once by back-channel logout',
  );
}

/** A school, its district's administrator signed in, and a teacher with the Gradebook role there. */
async function teacherWithRole() {
  const { district, school } = await fx.districtWithSchool();
  const admin = await fx.person('Dale', 'District');
  await fx.designate(district, admin);
  const teacher = await fx.person('Tess', 'Teacher');
  const gradebook = await portal.db
    .selectFrom('application')
    .selectAll()
    .where('id', '=', 'gradebook')
    .executeTakeFirstOrThrow();
  await grantRole(
    portal.db,
    null,
    { person: await teacher.profile(), org: school, app: gradebook, role: 'teacher' },
    null,
  );
  return { school, admin: await fx.signIn(admin), teacher };
}

describe("ending a role ends the application's grants and refresh tokens", () => {
  test('revoking the role', async () => {
    const { school, admin, teacher } = await teacherWithRole();
    const app = await signedInToGradebook(teacher);
    await admin.get(`/directory/people/${teacher.id}`);
    const res = await admin.post(`/directory/people/${teacher.id}/roles/revoke`, {
      organization: school.code,
      application: 'gradebook',
      role: 'teacher',
    });
    assert.equal(res.status, 303);
    await assertGradebookEnded(app);
  });

  test('removing the person from the staff', async () => {
    const { school, admin, teacher } = await teacherWithRole();
    const app = await signedInToGradebook(teacher);
    const res = await admin.post(`/directory/organizations/${school.code}/staff/${teacher.id}/remove`, {});
    assert.equal(res.status, 303);
    await assertGradebookEnded(app);
  });

  test('the department making the organization inactive', async () => {
    const { school, teacher } = await teacherWithRole();
    const app = await signedInToGradebook(teacher);
    const dept = await fx.signIn(await fx.person('Dora', 'Dept', { departmentRoles: ['console-admin'] }));
    await dept.get(`/directory/organizations/${school.code}/edit`);
    const res = await dept.post(`/directory/organizations/${school.code}/edit`, {
      name: school.name,
      town: '',
      phone: '',
      status: 'inactive',
    });
    assert.equal(res.status, 303);
    await assertGradebookEnded(app);
  });

  test('another application of the same person is not touched', async () => {
    const { school, admin, teacher } = await teacherWithRole();
    const sims = await portal.db
      .selectFrom('application')
      .selectAll()
      .where('id', '=', 'sims')
      .executeTakeFirstOrThrow();
    await grantRole(portal.db, null, { person: await teacher.profile(), org: school, app: sims, role: 'user' }, null);
    const app = await signedInToGradebook(teacher);
    await admin.get(`/directory/people/${teacher.id}`);
    await admin.post(`/directory/people/${teacher.id}/roles/revoke`, {
      organization: school.code,
      application: 'sims',
      role: 'user',
    });
    const refreshed = await oidc.refreshTokenGrant(rp, app.refreshToken);
    assert.ok(refreshed.access_token, 'Gradebook still refreshes');
    await portal.jobs.runDue();
    assert.equal(logoutTokens.filter((t) => decodeJwt(t).sid === app.sid).length, 0);
  });
});

describe('an open application made restricted ends the sign-in of everyone without a role (outside review F3)', () => {
  const boardUri = 'http://127.0.0.1:9996/callback';

  /** A newly registered open application with back-channel logout, and its relying party. */
  async function openApplication(id: string) {
    const settings = {
      id,
      name: `Board ${id}`,
      redirectUris: [boardUri],
      restricted: false,
      roles: ['reader'],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: `http://127.0.0.1:${(backchannel.address() as { port: number }).port}/logout`,
      launchUrl: null,
    };
    const secret = await registerApplication(portal.db, secretBox(portal.secretsKey), settings, null);
    const config = await oidc.discovery(new URL(issuer), id, undefined, oidc.ClientSecretBasic(secret), {
      execute: [oidc.allowInsecureRequests],
    });
    return { settings, config };
  }

  /** Signs the person in to the application; its refresh token has worked once already. */
  async function signedIn(config: oidc.Configuration, who: FixturePerson) {
    const b = new Browser(portal.app, '10.70.0.2', issuer);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: boardUri,
      scope: 'openid profile roles',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    let res = await b.follow(await b.get(url.href));
    const returnTo = /name="returnTo" value="([^"]+)"/.exec(res.body)?.[1]?.replace(/&amp;/g, '&');
    if (returnTo)
      res = await b.follow(await b.post('/login', { username: who.userName, password: PASSWORD, returnTo }));
    assert.ok(res.location?.startsWith(boardUri), `came back with a code: ${res.status} ${res.location}`);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(res.location!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    return {
      refreshToken: refreshed.refresh_token!,
      accessToken: refreshed.access_token,
      sid: tokens.claims()!.sid as string,
    };
  }

  const refused = (e: oidc.ResponseBodyError) => e.error === 'invalid_grant';

  test('the department restricts it in the console: no-role refresh tokens end, with back-channel logout; a role holder keeps theirs', async () => {
    const { config } = await openApplication('board-console');
    const { school } = await fx.districtWithSchool();
    const noRole = await fx.person('Nora', 'Norole');
    const holder = await fx.person('Hana', 'Holder');
    const board = await portal.db
      .selectFrom('application')
      .selectAll()
      .where('id', '=', 'board-console')
      .executeTakeFirstOrThrow();
    await grantRole(portal.db, null, { person: await holder.profile(), org: school, app: board, role: 'reader' }, null);
    const without = await signedIn(config, noRole);
    const withRole = await signedIn(config, holder);

    const dept = await fx.signIn(await fx.person('Dora', 'Dept', { departmentRoles: ['console-admin'] }));
    await dept.get('/directory/applications/board-console/edit');
    const res = await dept.post('/directory/applications/board-console/edit', {
      name: board.name,
      access: 'restricted',
      roles: 'reader',
      redirectUris: boardUri,
      postLogoutRedirectUris: '',
      backchannelLogoutUri: board.backchannel_logout_uri!,
      launchUrl: '',
    });
    assert.equal(res.status, 303);
    assert.equal(
      (
        await portal.db
          .selectFrom('application')
          .select('access')
          .where('id', '=', 'board-console')
          .executeTakeFirstOrThrow()
      ).access,
      'restricted',
    );

    await assert.rejects(oidc.refreshTokenGrant(config, without.refreshToken), refused);
    await portal.jobs.runDue();
    assert.equal(
      logoutTokens.filter((t) => decodeJwt(t).sid === without.sid).length,
      1,
      'the application was told once by back-channel logout',
    );
    assert.ok(
      (await oidc.refreshTokenGrant(config, withRole.refreshToken)).access_token,
      'the role holder still refreshes',
    );
    assert.equal(logoutTokens.filter((t) => decodeJwt(t).sid === withRole.sid).length, 0);
    const updated = await portal.db
      .selectFrom('audit_event')
      .select('detail')
      .where('type', '=', 'application.updated')
      .where(sql<string>`detail->>'application'`, '=', 'board-console')
      .execute();
    assert.deepEqual(
      updated.map((e) => e.detail),
      [{ application: 'board-console', changed: 'access', signedOut: 1 }],
      'the audit counts whose sign-in ended',
    );
  });

  test('a registration replaced as restricted (app add --replace) ends the no-role refresh tokens', async () => {
    const { settings, config } = await openApplication('board-cli');
    const noRole = await fx.person('Nico', 'Norole');
    const app = await signedIn(config, noRole);
    const secret = await registerApplication(
      portal.db,
      secretBox(portal.secretsKey),
      { ...settings, restricted: true },
      null,
      { replace: true },
    );
    const replaced = await oidc.discovery(new URL(issuer), 'board-cli', undefined, oidc.ClientSecretBasic(secret), {
      execute: [oidc.allowInsecureRequests],
    });
    await assert.rejects(oidc.refreshTokenGrant(replaced, app.refreshToken), refused);
    const held = await portal.db
      .selectFrom('oidc_model')
      .select('model')
      .where(sql<string>`payload->>'accountId'`, '=', noRole.id)
      .where(sql<string>`payload->>'clientId'`, '=', 'board-cli')
      .execute();
    assert.deepEqual(held, [], 'no grant or token of the application is left to the person');
  });

  test('whatever made the person lose access, the token endpoint and userinfo refuse them', async () => {
    const { config } = await openApplication('board-direct');
    const noRole = await fx.person('Nell', 'Norole');
    const app = await signedIn(config, noRole);
    // Not through the portal's services (another instance, a script on the database): the provider still asks.
    await portal.db.updateTable('application').set({ access: 'restricted' }).where('id', '=', 'board-direct').execute();
    await assert.rejects(oidc.refreshTokenGrant(config, app.refreshToken), refused);
    await assert.rejects(oidc.fetchUserInfo(config, app.accessToken, oidc.skipSubjectCheck), /invalid_token|challenge/);
  });
});
