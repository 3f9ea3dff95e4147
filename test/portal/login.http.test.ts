import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { bootstrapDepartmentAdministrator } from '../../src/portal/accounts.ts';
import {
  Browser,
  createProfile,
  errorSummary,
  logIn,
  outcomeOf,
  startPortal,
  textOf,
  type TestPortal,
} from '../helpers/portal.ts';

let portal: TestPortal;
let userName: string;
const password = 'Secret123';

before(async () => {
  portal = await startPortal({ LOCKOUT_THRESHOLD: '3', IP_LOCKOUT_THRESHOLD: '8' });
  ({ userName } = await createProfile(
    new Browser(portal.app),
    {
      firstName: 'Casey',
      lastName: 'Login',
      dob: ['7', '4', '1979'],
      ssn: '321-54-9876',
    },
    { hintQuestion: 'Q?', hintAnswer: 'A', password },
  ));
});
after(() => portal.close());

async function lockedUntilOf(key: string): Promise<Date | null> {
  const row = await portal.db
    .selectFrom('login_throttle')
    .select('locked_until')
    .where('key', '=', key)
    .executeTakeFirst();
  return row?.locked_until ?? null;
}

/** LOCKOUT_MINUTES (15 by default) from the failure that set the lock, within a second. */
function assertLockedFor15Minutes(until: Date | null, setBetween: [number, number], what: string) {
  assert.ok(until, `${what} is locked`);
  const minutes = 15 * 60_000;
  assert.ok(
    until.getTime() >= setBetween[0] + minutes - 1000 && until.getTime() <= setBetween[1] + minutes + 1000,
    `${what} is locked for 15 minutes, not until ${until.toISOString()}`,
  );
}

const LOGIN_FAILED = 'The User Name or password is not right. Both are case-sensitive: check Caps Lock and try again.';

describe('P2 login and logout', () => {
  test('the right User Name and password start a session; the account page shows the profile', async () => {
    const b = new Browser(portal.app, '198.51.100.1');
    const res = await logIn(b, userName, password);
    assert.equal(res.status, 303);
    assert.equal(res.location, '/');
    const account = await b.get('/account');
    assert.equal(account.status, 200);
    assert.equal(textOf(account.body, 'data-username'), userName);
    assert.match(account.body, /Change your password/);
  });

  test('User Name and password are case-sensitive, and a failure never says which was wrong', async () => {
    const b = new Browser(portal.app, '198.51.100.2');
    const wrongCaseUser = await logIn(b, userName.toLowerCase(), password);
    const wrongPassword = await logIn(b, userName, password.toLowerCase());
    const unknownUser = await logIn(b, 'NoSuchPerson', password);
    for (const res of [wrongCaseUser, wrongPassword, unknownUser]) {
      assert.equal(res.status, 422);
      assert.deepEqual(errorSummary(res.body), [LOGIN_FAILED]);
    }
    assert.match(wrongPassword.body, new RegExp(`value="${userName}"`), 'the User Name is kept');
    assert.ok(!wrongPassword.body.includes(password.toLowerCase()), 'the password is not');
  });

  test('empty fields each get their message', async () => {
    const b = new Browser(portal.app, '198.51.100.3');
    const res = await logIn(b, '', '');
    assert.equal(res.status, 422);
    assert.deepEqual(errorSummary(res.body), ['Enter your User Name', 'Enter your password']);
  });

  test('a protected page sends you to log in and back; returnTo cannot leave the site', async () => {
    const b = new Browser(portal.app, '198.51.100.4');
    const res = await b.get('/account');
    assert.equal(res.location, '/login?returnTo=%2Faccount');
    await b.get(res.location!);
    const back = await b.post('/login', { username: userName, password, returnTo: '/account' });
    assert.equal(back.location, '/account');
    const c = new Browser(portal.app, '198.51.100.4');
    await c.get('/login');
    for (const evil of ['//evil.example', 'https://evil.example', '/\\evil.example']) {
      await c.get('/login');
      const r = await c.post('/login', { username: userName, password, returnTo: evil });
      assert.equal(r.location, '/', evil);
      await c.get('/');
      await c.post('/logout', {});
    }
  });

  test('the session id changes at login and logout ends the session on the server', async () => {
    const b = new Browser(portal.app, '198.51.100.5');
    await logIn(b, userName, password);
    const first = b.cookies.get('portal_session');
    await logIn(b, userName, password);
    const second = b.cookies.get('portal_session');
    assert.ok(first && second && first !== second);
    const stolen = new Browser(portal.app, '198.51.100.6');
    stolen.cookies.set('portal_session', second!);
    assert.equal((await stolen.get('/account')).status, 200);
    await b.get('/');
    const out = await b.post('/logout', {});
    assert.equal(out.location, '/?signedOut=1');
    assert.equal(
      (await stolen.get('/account')).location,
      '/login?returnTo=%2Faccount',
      'the copied cookie is dead too: back to log in',
    );
    const old = new Browser(portal.app, '198.51.100.6');
    old.cookies.set('portal_session', first!);
    assert.equal((await old.get('/account')).location, '/login?returnTo=%2Faccount');
  });

  test('session ids are 256 random bits and the database stores only their hash', async () => {
    const b = new Browser(portal.app, '198.51.100.7');
    await logIn(b, userName, password);
    const token = b.cookies.get('portal_session')!;
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    const sha256 = createHash('sha256').update(token).digest('hex');
    assert.equal(
      (await portal.db.selectFrom('session').select('id_hash').where('id_hash', '=', sha256).execute()).length,
      1,
      'the row is keyed by the SHA-256 of the id',
    );
    assert.equal(
      (await portal.db.selectFrom('session').select('id_hash').where('id_hash', '=', token).execute()).length,
      0,
      'never by the id itself',
    );
  });
});

describe('P8 sessions: timeouts, change password, sign out everywhere', () => {
  test('an idle session expires', async () => {
    const b = new Browser(portal.app, '198.51.100.8');
    await logIn(b, userName, password);
    await portal.db
      .updateTable('session')
      .set({ last_seen_at: new Date(Date.now() - 31 * 60_000) })
      .execute();
    assert.equal((await b.get('/account')).status, 303);
  });

  test('a session past its absolute lifetime expires even when active', async () => {
    const b = new Browser(portal.app, '198.51.100.9');
    await logIn(b, userName, password);
    await portal.db
      .updateTable('session')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    assert.equal((await b.get('/account')).status, 303);
  });

  test('P7 change password needs the current one, keeps this session and ends the others', async () => {
    const { userName: u } = await createProfile(
      new Browser(portal.app),
      { firstName: 'Drew', lastName: 'Changer', dob: ['1', '2', '1990'], ssn: '412-34-5678' },
      { hintQuestion: 'Q?', hintAnswer: 'A', password: 'Original1' },
    );
    const here = new Browser(portal.app, '198.51.100.10');
    const there = new Browser(portal.app, '198.51.100.11');
    await logIn(here, u, 'Original1');
    await logIn(there, u, 'Original1');
    await here.get('/account/password');
    const wrongCurrent = await here.post('/account/password', {
      currentPassword: 'Nope1234',
      password: 'Changed22',
      passwordConfirm: 'Changed22',
    });
    assert.deepEqual(errorSummary(wrongCurrent.body), ['Your current password is not right']);
    const same = await here.post('/account/password', {
      currentPassword: 'Original1',
      password: 'Original1',
      passwordConfirm: 'Original1',
    });
    assert.deepEqual(errorSummary(same.body), [
      'You have used this password before. Choose a password you have not used on this account',
    ]);
    const ok = await here.post('/account/password', {
      currentPassword: 'Original1',
      password: 'Changed22',
      passwordConfirm: 'Changed22',
    });
    assert.equal(ok.location, '/account/password/done');
    const done = await here.get(ok.location!);
    assert.equal(outcomeOf(done.body), 'password-changed');
    assert.equal((await there.get('/account')).status, 303, 'the other session is ended');
    assert.equal((await here.get('/account')).status, 200, 'this one is kept');
    // History: the first password cannot come back either.
    await here.get('/account/password');
    const back = await here.post('/account/password', {
      currentPassword: 'Changed22',
      password: 'Original1',
      passwordConfirm: 'Original1',
    });
    assert.equal(back.status, 422);
  });

  test('sign out everywhere ends every session, this one included', async () => {
    const a = new Browser(portal.app, '198.51.100.12');
    const c = new Browser(portal.app, '198.51.100.13');
    await logIn(a, userName, password);
    await logIn(c, userName, password);
    const account = await a.get('/account');
    assert.match(account.body, /Sign out everywhere/);
    const res = await a.post('/account/sessions/end', {});
    assert.equal(res.location, '/?signedOut=1');
    assert.equal((await a.get('/account')).status, 303);
    assert.equal((await c.get('/account')).status, 303);
  });
});

describe('P9 brute force: lockout per account and per source', () => {
  test('repeated failures lock the typed User Name, for existing and unknown names alike', async () => {
    const { userName: victim } = await createProfile(
      new Browser(portal.app),
      { firstName: 'Vic', lastName: 'Locked', dob: ['3', '3', '1970'], ssn: '512-34-5678' },
      { hintQuestion: 'Q?', hintAnswer: 'A', password: 'Right1234' },
    );
    const results: Record<string, number[]> = {};
    const started = new Date();
    let lockedBetween: [number, number] = [0, 0];
    for (const name of [victim, 'NobodyHere']) {
      results[name] = [];
      for (let i = 0; i < 4; i++) {
        const b = new Browser(portal.app, `192.0.2.${i + 20}`);
        const before = Date.now();
        const res = await logIn(b, name, 'Wrong9999');
        if (name === victim && i === 2) lockedBetween = [before, Date.now()];
        results[name]!.push(res.status);
        if (res.status === 429) {
          assert.equal(outcomeOf(res.body), 'locked');
          assert.match(res.body, /signing in with these details is paused for 15 minutes/);
        }
      }
    }
    assert.deepEqual(results[victim], [422, 422, 429, 429]);
    assertLockedFor15Minutes(await lockedUntilOf(`user:${victim}`), lockedBetween, 'the account');
    assert.deepEqual(results.NobodyHere, results[victim], 'an unknown name behaves the same');
    const right = await logIn(new Browser(portal.app, '192.0.2.50'), victim, 'Right1234');
    assert.equal(right.status, 429, 'while locked, even the right password is refused');
    const victimId = (
      await portal.db.selectFrom('profile').select('id').where('user_name', '=', victim).executeTakeFirstOrThrow()
    ).id;
    const events = await portal.db
      .selectFrom('audit_event')
      .select(['subject_id', 'detail'])
      .where('type', '=', 'account.locked')
      .where('at', '>=', started)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      events,
      [
        { subject_id: victimId, detail: { scope: 'account' } },
        { subject_id: null, detail: { scope: 'account' } },
      ],
      'each lock is audited once',
    );
  });

  test('the lock lifts when its time is over', async () => {
    const { userName: u } = await createProfile(
      new Browser(portal.app),
      { firstName: 'Tim', lastName: 'Expiry', dob: ['3', '4', '1970'], ssn: '523-34-5678' },
      { hintQuestion: 'Q?', hintAnswer: 'A', password: 'Right1234' },
    );
    for (let i = 0; i < 3; i++) await logIn(new Browser(portal.app, `192.0.2.${i + 60}`), u, 'Wrong9999');
    assert.equal((await logIn(new Browser(portal.app, '192.0.2.70'), u, 'Right1234')).status, 429);
    await portal.db
      .updateTable('login_throttle')
      .set({ locked_until: new Date(Date.now() - 1000), window_started_at: new Date(Date.now() - 20 * 60_000) })
      .where('key', '=', `user:${u}`)
      .execute();
    assert.equal((await logIn(new Browser(portal.app, '192.0.2.71'), u, 'Right1234')).status, 303);
  });

  test('one source trying many accounts is locked out', async () => {
    const b = new Browser(portal.app, '203.0.113.99');
    const statuses: number[] = [];
    let lockedBetween: [number, number] = [0, 0];
    for (let i = 0; i < 9; i++) {
      const before = Date.now();
      statuses.push((await logIn(b, `Guess${i}`, 'Wrong9999')).status);
      if (i === 7) lockedBetween = [before, Date.now()];
    }
    assert.deepEqual(statuses.slice(0, 7), [422, 422, 422, 422, 422, 422, 422]);
    assert.equal(statuses[7], 429);
    assertLockedFor15Minutes(await lockedUntilOf('ip:203.0.113.99'), lockedBetween, 'the address');
    assert.equal((await logIn(b, userName, password)).status, 429);
    assert.equal(
      (await logIn(new Browser(portal.app, '203.0.113.100'), userName, password)).status,
      303,
      'other sources are unaffected',
    );
  });
});

describe('first department administrator', () => {
  test('BOOTSTRAP_ADMIN_PASSWORD creates `admin`, who must change the password first', async () => {
    const id = await bootstrapDepartmentAdministrator(portal.db, 'Bootstrap1');
    assert.ok(id);
    assert.equal(await bootstrapDepartmentAdministrator(portal.db, 'Another1'), null, 'only once');
    const b = new Browser(portal.app, '198.51.100.40');
    const res = await logIn(b, 'admin', 'Bootstrap1');
    assert.equal(res.location, '/account/password');
    assert.equal((await b.get('/account')).location, '/account/password', 'nothing else until the password is changed');
    const page = await b.get('/account/password');
    assert.match(page.body, /You must choose a new password/);
    await b.post('/account/password', {
      currentPassword: 'Bootstrap1',
      password: 'NewAdmin2',
      passwordConfirm: 'NewAdmin2',
    });
    assert.equal((await b.get('/account')).status, 200);
  });
});
