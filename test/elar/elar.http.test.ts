import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { tokenHash } from '../../src/portal/sessions.ts';
import { Browser, createProfile, startPortal, textOf, type TestPortal } from '../helpers/portal.ts';
import { listenAhead } from '../helpers/server.ts';

/** ELAR is a relying party of the portal: discovery over HTTP, code + PKCE, back-channel logout. */
let portal: TestPortal;
let origin: string;
let userName: string;
let port: Awaited<ReturnType<typeof listenAhead>>;

before(async () => {
  port = await listenAhead();
  origin = port.origin;
  portal = await startPortal({ PUBLIC_URL: origin });
  port.serve(portal.app);
  ({ userName } = await createProfile(new Browser(portal.app), { firstName: 'Ella', lastName: 'Elar', dob: ['2', '3', '1984'], ssn: '803-45-6789' }));
});
after(async () => {
  await portal.close();
  await port.close();
});

async function signInToElar(b: Browser) {
  const login = await b.follow(await b.get('/elar'));
  assert.match(login.body, /action="\/login"/, 'ELAR sends a signed-out person to the portal login');
  const returnTo = /name="returnTo" value="([^"]+)"/.exec(login.body)![1]!.replace(/&amp;/g, '&');
  assert.match(returnTo, /^\/interaction\//);
  return b.follow(await b.post('/login', { username: userName, password: 'Secret123', returnTo }));
}

/** The ELAR session rows of this browser (its cookie's hash). */
async function elarSessionsOf(b: Browser) {
  const token = b.cookies.get('elar_session');
  assert.ok(token, 'the browser holds an ELAR session cookie');
  return portal.db.selectFrom('elar_session').select(['created_at', 'expires_at']).where('id_hash', '=', tokenHash(token)).execute();
}

/** Makes this browser's ELAR session look as if it had started (and, with 'both', been last used) `minutes` earlier. */
async function age(b: Browser, minutes: number, which: 'created_at' | 'both' = 'both') {
  await portal.db
    .updateTable('elar_session')
    .set({
      created_at: sql<Date>`created_at - make_interval(mins => ${minutes})`,
      ...(which === 'both' ? { expires_at: sql<Date>`expires_at - make_interval(mins => ${minutes})` } : {}),
    })
    .where('id_hash', '=', tokenHash(b.cookies.get('elar_session')!))
    .execute();
}

describe('ELAR sessions follow the portal session limits (30 minutes idle, 12 hours in all)', () => {
  test('idle for longer than SESSION_IDLE_MINUTES, ELAR asks for a new sign-in', async () => {
    const b = new Browser(portal.app, '10.6.1.1', origin);
    await signInToElar(b);
    await age(b, 31);
    const res = await b.get('/elar');
    assert.equal(res.status, 303);
    assert.match(res.location!, /\/oidc\/auth\?/);
  });

  test('each ELAR page keeps the session alive for another idle period', async () => {
    const b = new Browser(portal.app, '10.6.1.2', origin);
    await signInToElar(b);
    const [started] = await elarSessionsOf(b);
    const idleMs = started!.expires_at.getTime() - started!.created_at.getTime();
    assert.ok(Math.abs(idleMs - 30 * 60_000) < 5_000, `a new session lasts the idle limit, not ${idleMs} ms`);
    await age(b, 20);
    assert.equal((await b.get('/elar')).status, 200);
    await age(b, 20);
    assert.equal((await b.get('/elar')).status, 200, '40 minutes after sign-in, but used 20 minutes ago');
  });

  test('past SESSION_ABSOLUTE_HOURS, even a session in use ends', async () => {
    const b = new Browser(portal.app, '10.6.1.3', origin);
    await signInToElar(b);
    await age(b, 12 * 60 + 1, 'created_at');
    const res = await b.get('/elar');
    assert.equal(res.status, 303);
    assert.match(res.location!, /\/oidc\/auth\?/);
    assert.equal((await elarSessionsOf(b)).length, 0, 'the ended session is gone');
  });
});

describe('ELAR signs in through the portal', () => {
  test('the Welcome Page shows the profile from the ID token, and Change Password', async () => {
    const b = new Browser(portal.app, '10.6.0.1', origin);
    const page = await signInToElar(b);
    assert.equal(page.status, 200);
    assert.match(page.body, /ELAR Welcome Page/);
    assert.equal(textOf(page.body, 'data-username'), userName);
    assert.match(textOf(page.body, 'data-mepid') ?? '', /^\d{8}$/);
    assert.match(page.body, /href="\/account\/password"/);
  });

  test('portal logout reaches ELAR by back-channel: its session ends too', async () => {
    const b = new Browser(portal.app, '10.6.0.2', origin);
    const elarSessions = async () => (await portal.db.selectFrom('elar_session').selectAll().execute()).length;
    const before = await elarSessions();
    await signInToElar(b);
    assert.equal(await elarSessions(), before + 1, 'signed in to ELAR');
    await b.get('/');
    await b.post('/logout', {});
    await portal.jobs.runDue();
    assert.equal(await elarSessions(), before, 'the back-channel logout ended the ELAR session');
    const res = await b.get('/elar');
    assert.equal(res.status, 303);
    assert.match(res.location!, /\/oidc\/auth\?/, 'signed out of ELAR: it starts a new sign-in');
  });

  test('logging out from ELAR ends the portal session as well (RP-initiated logout)', async () => {
    const b = new Browser(portal.app, '10.6.0.3', origin);
    await signInToElar(b);
    const out = await b.post('/elar/logout', {});
    assert.match(out.location!, /\/oidc\/session\/end\?/);
    const done = await b.get(out.location!);
    assert.equal(done.status, 303, 'ELAR asked already: no second question');
    assert.equal(done.location, `${origin}/elar/logged-out`);
    assert.equal((await b.get('/account')).status, 303, 'the portal session is over');
  });

  test('a forged or missing back-channel logout token is refused', async () => {
    const b = new Browser(portal.app, '10.6.0.4', origin);
    assert.equal((await b.post('/elar/backchannel-logout', { logout_token: 'e30.e30.sig' }, { csrf: false })).status, 400);
    assert.equal((await b.post('/elar/backchannel-logout', {}, { csrf: false })).status, 400);
  });

  test('a callback without a sign-in in progress is a clear 400', async () => {
    const res = await new Browser(portal.app, '10.6.0.5', origin).get('/elar/callback?code=abc&state=def');
    assert.equal(res.status, 400);
    assert.match(res.body, /Signing in to ELAR did not complete/);
  });
});
