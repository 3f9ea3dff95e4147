import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, createProfile, logIn, startPortal, type TestPortal } from '../helpers/portal.ts';

/**
 * A CSRF token belongs to the session it was issued in: a token (and its secret cookie)
 * taken from one browser does not work with another browser's session, and a token issued
 * before login does not work once login has changed the session.
 */
let portal: TestPortal;
let userName: string;
let otherUserName: string;

before(async () => {
  portal = await startPortal();
  ({ userName } = await createProfile(new Browser(portal.app), {
    firstName: 'Cora',
    lastName: 'Bound',
    dob: ['3', '4', '1982'],
    ssn: '807-89-0123',
  }));
  ({ userName: otherUserName } = await createProfile(new Browser(portal.app), {
    firstName: 'Mallory',
    lastName: 'Tosser',
    dob: ['5', '6', '1977'],
    ssn: '808-90-1234',
  }));
});
after(() => portal.close());

const CSRF_COOKIE = 'portal_csrf';

describe('CSRF tokens are bound to the session', () => {
  test("another browser's token and secret cookie, planted next to this browser's session, are refused", async () => {
    const victim = new Browser(portal.app, '10.9.0.1');
    await logIn(victim, userName, 'Secret123');
    const attacker = new Browser(portal.app, '10.9.0.2');
    await logIn(attacker, otherUserName, 'Secret123');
    await attacker.get('/account');
    // The attacker's own secret cookie and a token that matches it, in the victim's browser.
    victim.cookies.set(CSRF_COOKIE, attacker.cookies.get(CSRF_COOKIE)!);
    victim.csrf = attacker.csrf;
    const res = await victim.post('/account/password', {
      currentPassword: 'Secret123',
      password: 'Changed99',
      passwordConfirm: 'Changed99',
    });
    assert.equal(res.status, 403);
    assert.equal(
      (await logIn(new Browser(portal.app, '10.9.0.3'), userName, 'Secret123')).status,
      303,
      'the password did not change',
    );
  });

  test('an anonymous token, with an anonymous secret cookie, is refused once signed in', async () => {
    const victim = new Browser(portal.app, '10.9.0.4');
    await logIn(victim, userName, 'Secret123');
    const anonymous = new Browser(portal.app, '10.9.0.5');
    await anonymous.get('/login');
    victim.cookies.set(CSRF_COOKIE, anonymous.cookies.get(CSRF_COOKIE)!);
    victim.csrf = anonymous.csrf;
    assert.equal((await victim.post('/logout', {})).status, 403);
    assert.equal((await victim.get('/account')).status, 200, 'still signed in');
  });

  test('the token of the login page no longer works after login; a page of the new session gives one that does', async () => {
    const b = new Browser(portal.app, '10.9.0.6');
    await b.get('/login');
    const beforeLogin = b.csrf;
    const res = await b.post('/login', { username: userName, password: 'Secret123' });
    assert.equal(res.status, 303);
    b.csrf = beforeLogin;
    assert.equal((await b.post('/logout', {})).status, 403);
    await b.get('/account');
    assert.notEqual(b.csrf, beforeLogin);
    assert.equal((await b.post('/logout', {})).status, 303);
    assert.equal((await b.get('/account')).status, 303, 'logged out');
  });
});
