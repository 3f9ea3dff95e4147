import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { deadJobs } from '../../src/platform/jobs/queue.ts';
import { BACKCHANNEL_LOGOUT_JOB } from '../../src/sso/logout.ts';
import { directoryFixture, type DirectoryFixture, type FixturePerson } from '../helpers/directory.ts';
import type { TestPortal } from '../helpers/portal.ts';
import type { LogoutReceiver } from '../helpers/relying-party.ts';
import { grantRoleAt, logoutReceiver, portalAtIssuer, relyingParty, signInTo } from '../helpers/relying-party.ts';

/**
 * Issue 12: a back-channel logout is a job. A relying party that is down is told again,
 * after a backoff, until it answers; one that never answers leaves a dead job an operator
 * can see. The change that caused the logout never waits for the relying party.
 */

let portal: TestPortal;
let issuer: string;
let fx: DirectoryFixture;
let relyingParties: LogoutReceiver;
/** How many failures each path answers with before it says 200 (Infinity: never). */
const failuresBefore: Record<string, number> = { '/flaky': 2, '/down': Infinity, '/once': 1 };
const redirectUri = 'http://127.0.0.1:9995/callback';

before(async () => {
  ({ portal, issuer } = await portalAtIssuer());
  fx = directoryFixture(portal);
  relyingParties = await logoutReceiver((path, toldBefore) => (toldBefore < failuresBefore[path]! ? 503 : 200));
});
after(async () => {
  await portal.close();
  await relyingParties.close();
});

/** An application whose back-channel logout goes to this path of the relying party. */
const application = (id: string, path: string) =>
  relyingParty(portal, issuer, { id, redirectUris: [redirectUri], backchannelLogoutUri: relyingParties.uri(path) });

/** A teacher with a role at the application, signed in to it; their district's administrator, signed in to the console. */
async function teacherSignedIn(rp: oidc.Configuration, appId: string, name: string) {
  const { district, school } = await fx.districtWithSchool(`District ${name}`);
  const admin = await fx.person('Ada', `Admin${name}`);
  await fx.designate(district, admin);
  const teacher: FixturePerson = await fx.person('Tia', `Teacher${name}`);
  await grantRoleAt(portal, teacher, school, appId, 'teacher');
  const { sid, browser } = await signInTo(portal, issuer, rp, teacher, { redirectUri, ip: '10.71.0.1' });
  const console = await fx.signIn(admin);
  await console.get(`/directory/people/${teacher.id}`);
  const revoke = () =>
    console.post(`/directory/people/${teacher.id}/roles/revoke`, {
      organization: school.code,
      application: appId,
      role: 'teacher',
    });
  return { sid, teacherId: teacher.id, browser, revoke };
}

/** The deliveries still to be made (or given up on) for this application session. */
const deliveries = (sid: string) =>
  portal.db
    .selectFrom('job')
    .selectAll()
    .where('name', '=', BACKCHANNEL_LOGOUT_JOB)
    .where(sql<string>`payload->>'sid'`, '=', sid)
    .execute();

/** Runs what is due; then lets the backoff pass (the job's time is brought to now) and runs again. */
async function runWithBackoffPassing(rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await portal.jobs.runDue();
    await portal.db
      .updateTable('job')
      .set({ run_at: sql`now()` })
      .where('name', '=', BACKCHANNEL_LOGOUT_JOB)
      .where('state', '=', 'queued')
      .execute();
  }
}

describe('back-channel logout deliveries are retried jobs', () => {
  test('a relying party that fails twice and then answers is told once it is back, and the delivery is done', async () => {
    const rp = await application('flaky-app', '/flaky');
    const { sid, revoke } = await teacherSignedIn(rp, 'flaky-app', 'Flaky');
    assert.equal((await revoke()).status, 303);
    assert.deepEqual(relyingParties.told(sid), [], 'the revocation did not wait for the relying party');

    await portal.jobs.runDue();
    assert.deepEqual(relyingParties.told(sid), [503]);
    const [waiting] = await deliveries(sid);
    assert.equal(waiting!.state, 'queued');
    assert.match(waiting!.last_error!, /expected 200 OK from http:\/\/127\.0\.0\.1:\d+\/flaky, got: 503/);
    assert.ok(waiting!.run_at.getTime() > Date.now() + 5_000, 'the retry waits for the backoff');
    assert.equal(await portal.jobs.runDue(), 0);

    await runWithBackoffPassing(4);
    assert.deepEqual(
      relyingParties.told(sid),
      [503, 503, 200],
      'told again until it answered, and once it had, not again',
    );
    assert.deepEqual(await deliveries(sid), [], 'nothing left to deliver');
  });

  test('a relying party that never answers leaves a dead job with the last error, for an operator', async () => {
    const rp = await application('down-app', '/down');
    const { sid, teacherId, revoke } = await teacherSignedIn(rp, 'down-app', 'Down');
    assert.equal((await revoke()).status, 303);
    await runWithBackoffPassing(20);
    const tries = relyingParties.told(sid);
    assert.ok(tries.length > 1 && tries.every((status) => status === 503), `tried ${tries.length} times`);
    const dead = await deadJobs(portal.db, BACKCHANNEL_LOGOUT_JOB);
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.attempts, tries.length, 'given up after its last attempt, and not tried since');
    assert.deepEqual(dead[0]!.payload, { clientId: 'down-app', accountId: teacherId, sid });
    assert.match(dead[0]!.last_error!, /got: 503/);
  });

  test("logging out on the provider's own page: an application that did not answer is told again by a job", async () => {
    const rp = await application('once-app', '/once');
    const { sid, browser } = await teacherSignedIn(rp, 'once-app', 'Once');
    const asked = await browser.get('/oidc/session/end');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(asked.body)![1]!;
    assert.equal(
      (await browser.post('/oidc/session/end/confirm', { xsrf, logout: 'yes' }, { csrf: false })).status,
      303,
    );
    assert.deepEqual(relyingParties.told(sid), [503], 'the provider told it once, during the logout');
    const [retry] = await deliveries(sid);
    assert.equal(retry!.max_attempts, 11, "the provider's own try counts as the first of twelve");
    await runWithBackoffPassing(2);
    assert.deepEqual(relyingParties.told(sid), [503, 200]);
    assert.deepEqual(await deliveries(sid), []);
  });
});
