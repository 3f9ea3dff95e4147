import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
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
  const secret = await registerApplication(portal.db, secretBox(portal.secretsKey), {
    id: 'gradebook',
    name: 'Gradebook',
    redirectUris: [redirectUri],
    restricted: true,
    roles: ['teacher'],
    postLogoutRedirectUris: [],
    backchannelLogoutUri: `http://127.0.0.1:${(backchannel.address() as { port: number }).port}/logout`,
    launchUrl: null,
  }, null);
  rp = await oidc.discovery(new URL(issuer), 'gradebook', undefined, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });
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
  const tokens = await oidc.authorizationCodeGrant(rp, new URL(res.location!), { pkceCodeVerifier: verifier, expectedState: state });
  assert.ok(tokens.refresh_token);
  // The refresh token works before the change, so its failure afterwards is the change's doing.
  const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token);
  return { refreshToken: refreshed.refresh_token!, sid: tokens.claims()!.sid as string };
}

async function assertGradebookEnded(app: { refreshToken: string; sid: string }) {
  await assert.rejects(oidc.refreshTokenGrant(rp, app.refreshToken), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
  assert.equal(logoutTokens.filter((t) => decodeJwt(t).sid === app.sid).length, 1, 'Gradebook was told once by back-channel logout');
}

/** A school, its district's administrator signed in, and a teacher with the Gradebook role there. */
async function teacherWithRole() {
  const { district, school } = await fx.districtWithSchool();
  const admin = await fx.person('Dale', 'District');
  await fx.designate(district, admin);
  const teacher = await fx.person('Tess', 'Teacher');
  const gradebook = await portal.db.selectFrom('application').selectAll().where('id', '=', 'gradebook').executeTakeFirstOrThrow();
  await grantRole(portal.db, null, { person: await teacher.profile(), org: school, app: gradebook, role: 'teacher' }, null);
  return { school, admin: await fx.signIn(admin), teacher };
}

describe("ending a role ends the application's grants and refresh tokens", () => {
  test('revoking the role', async () => {
    const { school, admin, teacher } = await teacherWithRole();
    const app = await signedInToGradebook(teacher);
    await admin.get(`/directory/people/${teacher.id}`);
    const res = await admin.post(`/directory/people/${teacher.id}/roles/revoke`, { organization: school.code, application: 'gradebook', role: 'teacher' });
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
    const dept = await fx.signIn(await fx.person('Dora', 'Dept', { departmentRole: 'admin' }));
    await dept.get(`/directory/organizations/${school.code}/edit`);
    const res = await dept.post(`/directory/organizations/${school.code}/edit`, { name: school.name, town: '', phone: '', status: 'inactive' });
    assert.equal(res.status, 303);
    await assertGradebookEnded(app);
  });

  test('another application of the same person is not touched', async () => {
    const { school, admin, teacher } = await teacherWithRole();
    const sims = await portal.db.selectFrom('application').selectAll().where('id', '=', 'sims').executeTakeFirstOrThrow();
    await grantRole(portal.db, null, { person: await teacher.profile(), org: school, app: sims, role: 'user' }, null);
    const app = await signedInToGradebook(teacher);
    await admin.get(`/directory/people/${teacher.id}`);
    await admin.post(`/directory/people/${teacher.id}/roles/revoke`, { organization: school.code, application: 'sims', role: 'user' });
    const refreshed = await oidc.refreshTokenGrant(rp, app.refreshToken);
    assert.ok(refreshed.access_token, 'Gradebook still refreshes');
    assert.equal(logoutTokens.filter((t) => decodeJwt(t).sid === app.sid).length, 0);
  });
});
