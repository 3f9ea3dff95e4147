import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_APPLICATION_SETTINGS, startDraft, withdraw } from '../../../src/elar/applications/index.ts';
import { EventStream } from '../../helpers/event-stream.ts';
import { profilesFor, signInToElar, startElar, type TestElar } from '../../helpers/elar.ts';
import { INITIAL_TEACHER_LICENSES } from './helpers.ts';

/**
 * A live-status stream lives only as long as the ELAR session that opened it (attack review
 * F9), and a stream asked for without one never starts a sign-in (F10). The heartbeat is
 * short here so that "within a heartbeat" is quick to see.
 */
const HEARTBEAT_MS = 150;
let elar: TestElar;
let owner: { userName: string; sub: string };
const deps = () => ({ db: elar.db, settings: DEFAULT_APPLICATION_SETTINGS });
let codes = 0;

before(async () => {
  elar = await startElar({ SSE_HEARTBEAT_MS: String(HEARTBEAT_MS) });
  ({ owner } = await profilesFor(elar, ['owner'], 31));
});
after(() => elar.close());

async function draft() {
  codes += 1;
  // A license of its own each time: one person has one open application per license.
  const started = await startDraft(deps(), { sub: owner.sub, mepid: null, email: null }, [
    INITIAL_TEACHER_LICENSES[codes]!,
  ]);
  assert.ok(started.ok);
  return started;
}

async function openStream(ip: string) {
  const b = elar.browser(ip);
  await signInToElar(b, owner.userName);
  const stream = await EventStream.open(elar.origin, b);
  assert.equal(stream.status, 200);
  return { b, stream };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a live stream outlives no session (F9)', () => {
  test('while the session lasts the stream stays open and hears a change; logging out of ELAR closes it within a heartbeat, and nothing more is sent', async () => {
    const first = await draft();
    const second = await draft();
    const { b, stream } = await openStream('10.31.1.1');
    await pause(HEARTBEAT_MS * 3);
    assert.equal(stream.ended, false, 'a live session keeps its stream through heartbeats');
    await withdraw(deps(), owner.sub, first.id, { reason: null });
    assert.equal((await stream.until(1))[0]!.data.reference, first.reference);

    const out = await b.post('/elar/logout', {});
    assert.equal(out.status, 303);
    await withdraw(deps(), owner.sub, second.id, { reason: null });
    await stream.closedWithin(HEARTBEAT_MS * 3);
    assert.deepEqual(
      stream.frames.map((f) => f.data.reference),
      [first.reference],
      'the change after logout never reached the stream',
    );
  });

  test('the portal’s logout, reaching ELAR by back-channel, closes an open stream within a heartbeat', async () => {
    const application = await draft();
    const { b, stream } = await openStream('10.31.2.1');
    await b.get('/');
    await b.post('/logout', {});
    await elar.portal.jobs.runDue();
    await stream.closedWithin(HEARTBEAT_MS * 3);
    await withdraw(deps(), owner.sub, application.id, { reason: null });
    await pause(100);
    assert.deepEqual(stream.frames, []);
  });

  test('a session past its idle end closes its stream within a heartbeat, and a change then is not sent', async () => {
    const application = await draft();
    const { b, stream } = await openStream('10.31.3.1');
    const token = b.cookies.get('elar_session');
    assert.ok(token, 'signed in to ELAR');
    // The person left the tab open and did nothing: the idle end passes (as 30 minutes would).
    await elar.db
      .updateTable('elar.session')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('sub', '=', owner.sub)
      .execute();
    await withdraw(deps(), owner.sub, application.id, { reason: null });
    await stream.closedWithin(HEARTBEAT_MS * 3);
    assert.deepEqual(stream.frames, []);
  });
});

describe('a signed-out stream request (F10)', () => {
  test('is answered 401 with no cookie and no redirect, so a sign-in in progress in another tab still completes', async () => {
    const b = elar.browser('10.31.4.1');
    // Tab 1 starts signing in: ELAR has set its sign-in cookie and sent the person to the portal.
    const start = await b.get('/elar');
    assert.equal(start.status, 303);
    const signingIn = b.cookies.get('elar_auth');
    assert.ok(signingIn, 'a sign-in is in progress');
    // Tab 2's page script reconnects its stream in the background.
    const stream = await EventStream.open(elar.origin, b);
    assert.equal(stream.status, 401);
    assert.equal(stream.headers.location, undefined, 'no redirect to sign in');
    assert.equal(stream.headers['set-cookie'], undefined, 'no cookie is set or cleared');
    stream.close();
    // Tab 1 finishes signing in with the cookie it started with.
    const login = await b.follow(start);
    const returnTo = /name="returnTo" value="([^"]+)"/.exec(login.body)![1]!.replace(/&amp;/g, '&');
    const page = await b.follow(await b.post('/login', { username: owner.userName, password: 'Secret123', returnTo }));
    assert.equal(page.status, 200);
    assert.match(page.body, /ELAR Welcome Page/);
  });

  test('with no cookie at all is a 401 too', async () => {
    const stream = await EventStream.open(elar.origin, null);
    assert.equal(stream.status, 401);
    assert.equal(stream.headers['set-cookie'], undefined);
    stream.close();
  });
});
