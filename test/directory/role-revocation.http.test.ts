import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { registerApplication } from '../../src/directory/service.ts';
import { secretBox } from '../../src/platform/secrets.ts';
import { directoryFixture, type DirectoryFixture, type FixturePerson } from '../helpers/directory.ts';
import type { TestPortal } from '../helpers/portal.ts';
import type { LogoutReceiver } from '../helpers/relying-party.ts';
import { grantRoleAt, logoutReceiver, portalAtIssuer, relyingParty, signInTo } from '../helpers/relying-party.ts';

/**
 * Issue 11 (low): a role that is revoked, taken away with a staff membership, or made
 * useless by its organization becoming inactive, must end what the application holds:
 * its refresh token stops working at once and it is told by back-channel logout.
 */

let portal: TestPortal;
let issuer: string;
let fx: DirectoryFixture;
let rp: oidc.Configuration;
let backchannel: LogoutReceiver;
const redirectUri = 'http://127.0.0.1:9997/callback';

before(async () => {
  ({ portal, issuer } = await portalAtIssuer());
  fx = directoryFixture(portal);
  backchannel = await logoutReceiver();
  rp = await relyingParty(portal, issuer, {
    id: 'gradebook',
    name: 'Gradebook',
    redirectUris: [redirectUri],
    backchannelLogoutUri: backchannel.uri('/logout'),
  });
});
after(async () => {
  await portal.close();
  await backchannel.close();
});

/** The person signs in to Gradebook in their own browser; returns its tokens and session id. */
async function signedInToGradebook(who: FixturePerson) {
  const { tokens, sid } = await signInTo(portal, issuer, rp, who, { redirectUri });
  assert.ok(tokens.refresh_token);
  // The refresh token works before the change, so its failure afterwards is the change's doing.
  const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token);
  return { refreshToken: refreshed.refresh_token!, sid };
}

async function assertGradebookEnded(app: { refreshToken: string; sid: string }) {
  await assert.rejects(
    oidc.refreshTokenGrant(rp, app.refreshToken),
    (e: oidc.ResponseBodyError) => e.error === 'invalid_grant',
  );
  await portal.jobs.runDue();
  assert.equal(backchannel.told(app.sid).length, 1, 'Gradebook was told once by back-channel logout');
}

/** A school, its district's administrator signed in, and a teacher with the Gradebook role there. */
async function teacherWithRole() {
  const { district, school } = await fx.districtWithSchool();
  const admin = await fx.person('Dale', 'District');
  await fx.designate(district, admin);
  const teacher = await fx.person('Tess', 'Teacher');
  await grantRoleAt(portal, teacher, school, 'gradebook', 'teacher');
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
    await grantRoleAt(portal, teacher, school, 'sims', 'user');
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
    assert.deepEqual(backchannel.told(app.sid), []);
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
      backchannelLogoutUri: backchannel.uri('/logout'),
      launchUrl: null,
    };
    return { settings, config: await relyingParty(portal, issuer, settings) };
  }

  /** Signs the person in to the application; its refresh token has worked once already. */
  async function signedIn(config: oidc.Configuration, who: FixturePerson) {
    const { tokens, sid } = await signInTo(portal, issuer, config, who, { redirectUri: boardUri, ip: '10.70.0.2' });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    return { refreshToken: refreshed.refresh_token!, accessToken: refreshed.access_token, sid };
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
    await grantRoleAt(portal, holder, school, 'board-console', 'reader');
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
    assert.equal(backchannel.told(without.sid).length, 1, 'the application was told once by back-channel logout');
    assert.ok(
      (await oidc.refreshTokenGrant(config, withRole.refreshToken)).access_token,
      'the role holder still refreshes',
    );
    assert.deepEqual(backchannel.told(withRole.sid), []);
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
