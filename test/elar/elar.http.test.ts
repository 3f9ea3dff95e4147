import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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
  ({ userName } = await createProfile(new Browser(portal.app), { firstName: 'Ella', lastName: 'Elar', dob: ['2', '3', '1984'], ssn: '903-45-6789' }));
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
    const confirm = await b.get(out.location!);
    assert.match(confirm.body, /Log out of every application\?/);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)![1]!;
    const done = await b.post('/oidc/session/end/confirm', { xsrf, logout: 'yes' }, { csrf: false });
    assert.equal(done.status, 303);
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
