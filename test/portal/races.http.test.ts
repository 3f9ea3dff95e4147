import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { afterEach, describe, test } from 'node:test';
import {
  Browser,
  createProfile,
  identityFields,
  logIn,
  outcomeOf,
  startPortal,
  type Person,
  type Response,
  type TestPortal,
} from '../helpers/portal.ts';

/**
 * SPEC P5, P9 (issue 11, "parallel requests get past the lockouts"): guesses sent all at
 * once, over real HTTP from one address, must not get more checks than the lockout
 * allows. Every counter decides before the argon2 verification, so at most the threshold's
 * worth of guesses is ever verified, and a right answer that arrives after them is refused.
 *
 * How verifications are counted: each verified wrong guess is audited (`login.failed`,
 * `hint.failed` / `hint.locked`), each verified right one too (`login.succeeded`,
 * `hint.answered`, `password.changed`); a guess refused by the lock is not verified.
 */

const THRESHOLD = 5;
const IP_THRESHOLD = 10;
const LOCKOUT_MINUTES = 7;
const WRONG_GUESSES = 40;

let portal: TestPortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

/** A portal of its own for each test (every request over HTTP comes from 127.0.0.1), listening on a free port. */
async function startListening(env: Record<string, string> = {}): Promise<{ portal: TestPortal; url: URL }> {
  portal = await startPortal({
    LOCKOUT_THRESHOLD: String(THRESHOLD),
    IP_LOCKOUT_THRESHOLD: String(IP_THRESHOLD),
    LOCKOUT_MINUTES: String(LOCKOUT_MINUTES),
    ...env,
  });
  const address = await portal.app.listen({ port: 0, host: '127.0.0.1' });
  return { portal, url: new URL(address) };
}

async function count(p: TestPortal, type: string, detail?: { form: string }): Promise<number> {
  let query = p.db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('type', '=', type);
  if (detail) query = query.where(sql<string>`detail->>'form'`, '=', detail.form);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

function statuses(responses: Response[]): Record<number, number> {
  const tally: Record<number, number> = {};
  for (const r of responses) tally[r.status] = (tally[r.status] ?? 0) + 1;
  return tally;
}

const person: Person = { firstName: 'Rhea', lastName: 'Racer', dob: ['8', '9', '1984'], ssn: '318-27-4455' };
const password = 'Right2026';

async function lockedUntilOf(p: TestPortal, key: string): Promise<Date | null> {
  const row = await p.db.selectFrom('login_throttle').select('locked_until').where('key', '=', key).executeTakeFirst();
  return row?.locked_until ?? null;
}

/** The lock lasts what LOCKOUT_MINUTES says, counted from the moment it was set (within a second). */
function assertLockDuration(until: Date | null, setBetween: [number, number], what: string) {
  assert.ok(until, `${what} is locked`);
  const minutes = LOCKOUT_MINUTES * 60_000;
  assert.ok(
    until.getTime() >= setBetween[0] + minutes - 1000 && until.getTime() <= setBetween[1] + minutes + 1000,
    `${what} is locked for ${LOCKOUT_MINUTES} minutes, not until ${until.toISOString()} (set between ${new Date(setBetween[0]).toISOString()} and ${new Date(setBetween[1]).toISOString()})`,
  );
}

describe('P9 login: forty wrong passwords and the right one, all at once from one address', () => {
  test('only the threshold of guesses is verified, the right one is refused, and the lock lasts LOCKOUT_MINUTES', async () => {
    const { portal: p, url } = await startListening();
    const { userName } = await createProfile(new Browser(p.app, '198.51.100.90'), person, {
      hintQuestion: 'Q?',
      hintAnswer: 'A',
      password,
    });
    const attacker = new Browser(url);
    await attacker.get('/login');
    const started = Date.now();
    const guesses = [...Array.from({ length: WRONG_GUESSES }, (_, i) => `Wrong${i}x`), password];
    const responses = await Promise.all(
      guesses.map((guess) => attacker.post('/login', { username: userName, password: guess })),
    );
    const finished = Date.now();

    assert.equal(responses.at(-1)!.status, 429, 'the right password, arriving after the guesses, is refused');
    assert.equal(outcomeOf(responses.at(-1)!.body), 'locked');
    assert.equal(await count(p, 'login.succeeded'), 0);
    assert.equal(await count(p, 'login.failed'), THRESHOLD, 'exactly the threshold of guesses was verified');
    assert.equal(
      await count(p, 'login.locked'),
      WRONG_GUESSES + 1 - THRESHOLD,
      'every other one was refused before the hash',
    );
    assert.equal(await count(p, 'account.locked'), 1);
    assert.deepEqual(statuses(responses), { 422: THRESHOLD - 1, 429: WRONG_GUESSES + 2 - THRESHOLD });
    assert.equal(attacker.cookies.has('portal_session'), false, 'no session was started');
    assertLockDuration(await lockedUntilOf(p, `user:${userName}`), [started, finished], 'the account');
    assert.equal(
      (await logIn(new Browser(p.app, '198.51.100.91'), userName, password)).status,
      429,
      'still locked from elsewhere',
    );
  });

  test('the per-address counter holds too: many User Names at once from one address get the address threshold of checks', async () => {
    const { portal: p, url } = await startListening();
    const { userName } = await createProfile(new Browser(p.app, '198.51.100.92'), person, {
      hintQuestion: 'Q?',
      hintAnswer: 'A',
      password,
    });
    const attacker = new Browser(url);
    await attacker.get('/login');
    const started = Date.now();
    // Each name once, so only the address counter can stop them; the real account last.
    const attempts = [
      ...Array.from({ length: WRONG_GUESSES }, (_, i) => ({ username: `Sprayed${i}`, password: 'Wrong9999' })),
      { username: userName, password },
    ];
    const responses = await Promise.all(attempts.map((fields) => attacker.post('/login', fields)));
    const finished = Date.now();

    assert.equal(responses.at(-1)!.status, 429, 'the right password is refused while the address is locked');
    assert.equal(await count(p, 'login.succeeded'), 0);
    assert.equal(await count(p, 'login.failed'), IP_THRESHOLD, 'exactly the address threshold of guesses was verified');
    assert.equal(await count(p, 'login.locked'), WRONG_GUESSES + 1 - IP_THRESHOLD);
    assert.deepEqual(statuses(responses), { 422: IP_THRESHOLD - 1, 429: WRONG_GUESSES + 2 - IP_THRESHOLD });
    assertLockDuration(await lockedUntilOf(p, 'ip:127.0.0.1'), [started, finished], 'the address');
  });
});

describe('P7 change password: forty wrong current passwords and the right one, all at once', () => {
  test('only the threshold of current-password guesses is verified and the password is not changed', async () => {
    const { portal: p, url } = await startListening();
    const { userName } = await createProfile(new Browser(p.app, '198.51.100.93'), person, {
      hintQuestion: 'Q?',
      hintAnswer: 'A',
      password,
    });
    // The thief has the owner's session (a computer left signed in) but not the password.
    const thief = new Browser(url);
    assert.equal((await logIn(thief, userName, password)).status, 303);
    await thief.get('/account/password');
    const guesses = [...Array.from({ length: WRONG_GUESSES }, (_, i) => `Wrong${i}x`), password];
    const responses = await Promise.all(
      guesses.map((currentPassword) =>
        thief.post('/account/password', { currentPassword, password: 'Taken2026', passwordConfirm: 'Taken2026' }),
      ),
    );

    assert.equal(responses.at(-1)!.status, 429, 'the right current password, arriving after the guesses, is refused');
    assert.equal(await count(p, 'password.changed'), 0);
    assert.equal(
      await count(p, 'login.failed', { form: 'change-password' }),
      THRESHOLD,
      'exactly the threshold of guesses was verified',
    );
    assert.deepEqual(statuses(responses), { 422: THRESHOLD - 1, 429: WRONG_GUESSES + 2 - THRESHOLD });
    const history = await p.db.selectFrom('password_history').select('id').execute();
    assert.equal(history.length, 1, 'the password was never replaced');
  });
});

describe('P5 hint answers: forty wrong answers and the right one, all at once in one recovery', () => {
  test('only the threshold of answers is verified and the new-password page is never reached', async () => {
    const { portal: p, url } = await startListening();
    await createProfile(new Browser(p.app, '198.51.100.94'), person, {
      hintQuestion: 'First school?',
      hintAnswer: 'Lincoln',
      password,
    });
    const b = new Browser(url);
    assert.equal(
      (await b.submit('/account/recover', '/account/recover/identity', identityFields(person))).location,
      '/account/recover/exact-match',
    );
    await b.get('/account/recover/hint');
    const started = Date.now();
    const answers = [...Array.from({ length: WRONG_GUESSES }, (_, i) => `Guess ${i}`), 'Lincoln'];
    const responses = await Promise.all(answers.map((hintAnswer) => b.post('/account/recover/hint', { hintAnswer })));
    const finished = Date.now();

    assert.equal(responses.at(-1)!.status, 429, 'the right answer, arriving after the guesses, is refused');
    assert.equal(await count(p, 'hint.answered'), 0);
    assert.equal(
      (await count(p, 'hint.failed')) + (await count(p, 'hint.locked')),
      THRESHOLD,
      'exactly the threshold of answers was verified',
    );
    assert.equal(await count(p, 'hint.locked'), 1);
    assert.deepEqual(statuses(responses), { 422: THRESHOLD - 1, 429: WRONG_GUESSES + 2 - THRESHOLD });
    assert.equal(
      (await b.get('/account/recover/password')).location,
      '/account/recover/exact-match',
      'no new-password page',
    );
    const profile = await p.db
      .selectFrom('profile')
      .select('id')
      .where('last_name', '=', person.lastName)
      .executeTakeFirstOrThrow();
    assertLockDuration(await lockedUntilOf(p, `hint:${profile.id}`), [started, finished], 'the hint question');
  });
});

describe('P3 partial matches: many identity probes at once from one address', () => {
  test('only the address threshold of probes is matched; the rest are paused before matching', async () => {
    const { portal: p, url } = await startListening();
    await createProfile(new Browser(p.app, '198.51.100.95'), person, { hintQuestion: 'Q?', hintAnswer: 'A', password });
    const probers = Array.from({ length: WRONG_GUESSES }, () => new Browser(url));
    for (const b of probers) await b.get('/profile/new');
    const started = Date.now();
    // The real name and birth date with SSNs that are not theirs: each a partial match.
    const responses = await Promise.all(
      probers.map((b, i) =>
        b.post('/profile/new/identity', identityFields({ ...person, ssn: `4${String(i).padStart(2, '0')}-11-2222` })),
      ),
    );
    const finished = Date.now();

    assert.equal(await count(p, 'match.partial'), IP_THRESHOLD, 'exactly the address threshold of probes was matched');
    assert.deepEqual(statuses(responses), { 303: IP_THRESHOLD, 429: WRONG_GUESSES - IP_THRESHOLD });
    assert.equal(responses.filter((r) => r.location === '/profile/new/partial-match').length, IP_THRESHOLD);
    assertLockDuration(await lockedUntilOf(p, 'match:127.0.0.1'), [started, finished], 'the address');
  });
});
