import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, createProfile, logIn, startPortal, type TestPortal } from '../helpers/portal.ts';

/**
 * `returnTo` ends up in a Location header, which holds only Latin-1: a character above
 * U+00FF there used to throw after the login had been recorded (a session row no browser
 * got and a `login.succeeded` for a login that never completed). Such a path is now sent
 * percent-encoded, the only form a Location header can carry.
 */
let portal: TestPortal;
let userName: string;
let profileId: string;

before(async () => {
  portal = await startPortal();
  ({ userName } = await createProfile(new Browser(portal.app), {
    firstName: 'Rita',
    lastName: 'Turner',
    dob: ['9', '9', '1980'],
    ssn: '805-67-8901',
  }));
  profileId = (
    await portal.db.selectFrom('profile').select('id').where('user_name', '=', userName).executeTakeFirstOrThrow()
  ).id;
});
after(() => portal.close());

const count = async (table: 'session' | 'audit_event') =>
  table === 'session'
    ? (await portal.db.selectFrom('session').select('id_hash').where('profile_id', '=', profileId).execute()).length
    : (
        await portal.db
          .selectFrom('audit_event')
          .select('id')
          .where('type', '=', 'login.succeeded')
          .where('subject_id', '=', profileId)
          .execute()
      ).length;

// Raw query values (as a browser sends them) and the Location each must give.
const CASES: Array<[string, string]> = [
  ['/%C4%80', '/%C4%80'], // U+0100
  ['/elar/%F0%9F%93%9A?x=%C4%80', '/elar/%F0%9F%93%9A?x=%C4%80'], // outside the BMP, in a query too
  ['/a%20b', '/a%20b'],
];

describe('returnTo outside Latin-1', () => {
  test('GET /login shows the form, and a signed-in person is sent on with the path encoded, never a 500', async () => {
    const anonymous = new Browser(portal.app, '10.8.0.1');
    for (const [raw] of CASES) assert.equal((await anonymous.get(`/login?returnTo=${raw}`)).status, 200, raw);

    const signedIn = new Browser(portal.app, '10.8.0.2');
    await logIn(signedIn, userName, 'Secret123');
    for (const [raw, location] of CASES) {
      const res = await signedIn.get(`/login?returnTo=${raw}`);
      assert.equal(res.status, 303, raw);
      assert.equal(res.location, location, raw);
    }
  });

  test('POST /login completes the login and records it once: one session the browser holds, one login.succeeded', async () => {
    for (const [raw, location] of CASES) {
      const sessionsBefore = await count('session');
      const succeededBefore = await count('audit_event');
      const b = new Browser(portal.app, '10.8.0.3');
      const form = await b.get(`/login?returnTo=${raw}`);
      const returnTo = /name="returnTo" value="([^"]+)"/.exec(form.body)![1]!.replace(/&amp;/g, '&');
      const res = await b.post('/login', {
        username: userName,
        password: 'Secret123',
        returnTo: decodeURIComponent(returnTo),
      });
      assert.equal(res.status, 303, raw);
      assert.equal(res.location, location, raw);
      assert.equal(await count('session'), sessionsBefore + 1, `${raw}: one new session`);
      assert.equal(await count('audit_event'), succeededBefore + 1, `${raw}: one login.succeeded`);
      assert.equal((await b.get('/account')).status, 200, `${raw}: the browser holds that session`);
    }
  });

  test('a value that is not well-formed text is not a place to return to', async () => {
    const b = new Browser(portal.app, '10.8.0.4');
    await b.get('/login');
    // A lone surrogate cannot be percent-encoded; a form cannot carry one, JSON can.
    const res = await portal.app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress: '10.8.0.4',
      headers: { 'content-type': 'application/json', cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      payload: `{"username":${JSON.stringify(userName)},"password":"Secret123","returnTo":"/\\ud800","_csrf":${JSON.stringify(b.csrf)}}`,
    });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/');
  });
});
