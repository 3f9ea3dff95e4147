import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, mock, test } from 'node:test';
import { migrate, openDatabase, type Database, type Db } from '../../src/database.ts';
import { createProfile, identityOnly } from '../../src/portal/accounts.ts';
import { hashSecret } from '../../src/portal/hashing.ts';
import { checkCurrentPassword, logIn, type LoginRules } from '../../src/portal/login.ts';
import { throttled, type Counter, type ThrottleRule } from '../../src/portal/throttle.ts';
import { clearFailures, lockedUntil, purgeExpired, unlock } from '../../src/portal/throttle-repository.ts';

/**
 * The lockout rule (SPEC P5, P9) at unit level, against an embedded database in memory and
 * a mocked clock: every boundary of the window and the lock is reached exactly, and
 * mutation testing (npm run test:mutation) runs these in seconds per mutant. The HTTP
 * tests (login.http.test.ts, races.http.test.ts) cover the same rule through the pages.
 */

const START = Date.parse('2026-12-02T09:00:00Z');
const RULE: ThrottleRule = { threshold: 3, windowMs: 60_000, lockMs: 120_000 };
const PASSWORD = 'Secret123';

let database: Database;
let db: Db;

before(async () => {
  database = await openDatabase({ databaseUrl: undefined, dataDir: 'memory://' });
  db = database.db;
  await migrate(db);
});
after(() => database.close());

beforeEach(async () => {
  mock.timers.reset();
  mock.timers.enable({ apis: ['Date'], now: START });
  await db.deleteFrom('login_throttle').execute();
});

/** Advances the mocked clock (Date only: the database and argon2 keep real time). */
const advance = (ms: number) => mock.timers.tick(ms);
const at = (ms: number) => new Date(START + ms);

async function counterRow(key: string) {
  return db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
}

/** A guess whose check answers `right` (a hit) or not (a miss), counting checks made. */
function guesser(counters: Counter[]) {
  const calls = { checked: 0 };
  const guess = (right: boolean) =>
    throttled(
      db,
      counters,
      async () => {
        calls.checked++;
        return right;
      },
      (value) => !value,
    );
  return { guess, calls };
}

/** A guess held open in its check until released: a guess still being checked. */
function heldGuess(counters: Counter[], right: boolean) {
  let release!: () => void;
  let entered!: () => void;
  const inCheck = new Promise<void>((resolve) => (entered = resolve));
  const result = throttled(
    db,
    counters,
    async () => {
      entered();
      await new Promise<void>((resolve) => (release = resolve));
      return right;
    },
    (value) => !value,
  );
  return { result, inCheck, release: () => release() };
}

describe('throttled: a counter per key, reserved before the guess is checked', () => {
  const key = 'user:k';
  const counters = [{ key, rule: RULE }];

  test('misses below the threshold are checked and counted; the miss that reaches it locks the key for the lock time', async () => {
    const { guess, calls } = guesser(counters);
    assert.deepEqual(await guess(false), { kind: 'checked', value: false, lockedKeys: [] });
    assert.deepEqual(await guess(false), { kind: 'checked', value: false, lockedKeys: [] });
    assert.equal((await counterRow(key))?.locked_until, null);
    advance(1000);
    assert.deepEqual(await guess(false), { kind: 'checked', value: false, lockedKeys: [key] });
    assert.equal(calls.checked, 3);
    const row = await counterRow(key);
    assert.equal(row?.failures, 3);
    assert.deepEqual(row?.window_started_at, at(0));
    assert.deepEqual(row?.locked_until, at(1000 + RULE.lockMs));
  });

  test('while locked no guess is checked, right or wrong, and the answer says until when; once the lock is served counting starts afresh', async () => {
    const { guess, calls } = guesser(counters);
    for (let i = 0; i < 3; i++) await guess(false);
    advance(RULE.lockMs - 1);
    assert.deepEqual(await guess(true), { kind: 'locked', until: at(RULE.lockMs) });
    assert.deepEqual(await guess(false), { kind: 'locked', until: at(RULE.lockMs) });
    assert.equal(calls.checked, 3);
    assert.equal((await counterRow(key))?.failures, 3);
    advance(1);
    assert.deepEqual(await guess(false), { kind: 'checked', value: false, lockedKeys: [] });
    const row = await counterRow(key);
    assert.equal(row?.failures, 1);
    assert.equal(row?.locked_until, null);
    assert.deepEqual(row?.window_started_at, at(RULE.lockMs));
  });

  test('a right guess gives its place back: it is not counted, and the misses before it still are', async () => {
    const { guess } = guesser(counters);
    await guess(false);
    await guess(false);
    assert.deepEqual(await guess(true), { kind: 'checked', value: true, lockedKeys: [] });
    assert.equal((await counterRow(key))?.failures, 2);
    assert.deepEqual(await guess(false), { kind: 'checked', value: false, lockedKeys: [key] });
  });

  test('a check that fails gives its place back and the error reaches the caller', async () => {
    await guesser(counters).guess(false);
    const boom = new Error('database went away');
    await assert.rejects(
      throttled(
        db,
        counters,
        async () => {
          throw boom;
        },
        () => true,
      ),
      (error) => error === boom,
    );
    assert.equal((await counterRow(key))?.failures, 1);
  });

  test('the window runs from the first miss: misses a whole window later start a new count, a moment earlier they add up', async () => {
    const { guess } = guesser(counters);
    await guess(false);
    await guess(false);
    advance(RULE.windowMs);
    assert.deepEqual(await guess(false), { kind: 'checked', value: false, lockedKeys: [key] });

    await unlock(db, key);
    await guess(false);
    await guess(false);
    advance(RULE.windowMs + 1);
    assert.deepEqual(await guess(false), { kind: 'checked', value: false, lockedKeys: [] });
    const row = await counterRow(key);
    assert.equal(row?.failures, 1);
    assert.deepEqual(row?.window_started_at, at(2 * RULE.windowMs + 1));
  });

  test('forty guesses at once: only the threshold’s worth are checked, and exactly one of them locks', async () => {
    const { guess, calls } = guesser(counters);
    const results = await Promise.all(Array.from({ length: 40 }, () => guess(false)));
    assert.equal(calls.checked, RULE.threshold);
    assert.equal(results.filter((r) => r.kind === 'checked').length, RULE.threshold);
    assert.equal(results.filter((r) => r.kind === 'checked' && r.lockedKeys.length > 0).length, 1);
    assert.equal((await counterRow(key))?.failures, RULE.threshold);
  });

  test('places all taken by guesses still being checked: a guess is refused until one lock time from now (the longest of its counters)', async () => {
    const shortLock = { key: 'ip:a', rule: { threshold: 1, windowMs: 60_000, lockMs: 5_000 } };
    const longLock = { key: 'user:b', rule: { threshold: 5, windowMs: 60_000, lockMs: 90_000 } };
    const first = heldGuess([shortLock, longLock], true);
    await first.inCheck;
    advance(10);
    const second = await guesser([shortLock, longLock]).guess(false);
    assert.deepEqual(second, { kind: 'locked', until: at(10 + 90_000) });
    first.release();
    assert.deepEqual(await first.result, { kind: 'checked', value: true, lockedKeys: [] });
  });

  test('a counter that refuses takes back the places already reserved in the others', async () => {
    const open = { key: 'user:open', rule: RULE };
    const locked = { key: 'ip:locked', rule: { ...RULE, threshold: 1 } };
    await guesser([locked]).guess(false);
    const { guess, calls } = guesser([open, locked]);
    assert.deepEqual(await guess(false), { kind: 'locked', until: at(RULE.lockMs) });
    assert.equal(calls.checked, 0);
    assert.equal((await counterRow(open.key))?.failures, 0);
  });

  test('a miss that took the last place does not lock if a right guess gave a place back meanwhile', async () => {
    const rule = { ...RULE, threshold: 2 };
    const c = [{ key, rule }];
    const right = heldGuess(c, true);
    await right.inCheck;
    const wrong = heldGuess(c, false);
    await wrong.inCheck;
    right.release();
    await right.result;
    wrong.release();
    assert.deepEqual(await wrong.result, { kind: 'checked', value: false, lockedKeys: [] });
    const row = await counterRow(key);
    assert.equal(row?.failures, 1);
    assert.equal(row?.locked_until, null);
  });

  test('of two misses checked at once, the one that took the last place locks, whichever finishes first', async () => {
    const c = [{ key, rule: { ...RULE, threshold: 2 } }];
    const earlier = heldGuess(c, false);
    await earlier.inCheck;
    const last = heldGuess(c, false);
    await last.inCheck;
    earlier.release();
    assert.deepEqual(await earlier.result, { kind: 'checked', value: false, lockedKeys: [] });
    assert.equal((await counterRow(key))?.locked_until, null);
    advance(500);
    last.release();
    assert.deepEqual(await last.result, { kind: 'checked', value: false, lockedKeys: [key] });
    assert.deepEqual((await counterRow(key))?.locked_until, at(500 + RULE.lockMs));
  });

  test('a miss that took the last place does not lock if a right password cleared the counter meanwhile', async () => {
    const c = [{ key, rule: { ...RULE, threshold: 1 } }];
    const wrong = heldGuess(c, false);
    await wrong.inCheck;
    await clearFailures(db, key);
    wrong.release();
    assert.deepEqual(await wrong.result, { kind: 'checked', value: false, lockedKeys: [] });
    assert.equal(await counterRow(key), undefined);
  });

  test('giving back a place never drives a counter below zero', async () => {
    // A guess that began in an old window finishes after a newer one has already given its
    // place back: the count stays at zero, so the next window still locks at the threshold.
    const old = heldGuess(counters, true);
    await old.inCheck;
    advance(RULE.windowMs + 1);
    const { guess } = guesser(counters);
    await guess(true);
    old.release();
    await old.result;
    assert.equal((await counterRow(key))?.failures, 0);
    await guess(false);
    await guess(false);
    assert.deepEqual(await guess(false), { kind: 'checked', value: false, lockedKeys: [key] });
  });
});

describe('lockedUntil, unlock, clearFailures and purgeExpired', () => {
  const lockFor = async (key: string, lockMs: number) => {
    const { guess } = guesser([{ key, rule: { threshold: 1, windowMs: 60_000, lockMs } }]);
    await guess(false);
  };

  test('lockedUntil is the latest lock still running among the keys, and nothing when none is', async () => {
    assert.equal(await lockedUntil(db, ['user:x', 'ip:y']), null);
    await lockFor('user:x', 30_000);
    await lockFor('ip:y', 50_000);
    await lockFor('user:other', 99_000);
    assert.deepEqual(await lockedUntil(db, ['user:x', 'ip:y']), at(50_000));
    advance(50_000);
    assert.equal(await lockedUntil(db, ['user:x', 'ip:y']), null);
  });

  test('unlock says whether there was a counter to remove, and a removed lock lets guesses through', async () => {
    assert.equal(await unlock(db, 'user:x'), false);
    await lockFor('user:x', 30_000);
    assert.equal(await unlock(db, 'user:x'), true);
    assert.equal(await lockedUntil(db, ['user:x']), null);
    assert.equal(await counterRow('user:x'), undefined);
  });

  test('purgeExpired drops counters older than the cutoff unless still locked; newer ones stay', async () => {
    await lockFor('user:locked', 10 * 60_000);
    await guesser([{ key: 'user:old', rule: RULE }]).guess(false);
    await lockFor('user:served', 1_000);
    advance(60_000);
    await guesser([{ key: 'user:edge', rule: RULE }]).guess(false);
    advance(60_000);
    await guesser([{ key: 'user:new', rule: RULE }]).guess(false);
    await purgeExpired(db, 60_000);
    const kept = (await db.selectFrom('login_throttle').select('key').orderBy('key').execute()).map((r) => r.key);
    assert.deepEqual(kept, ['user:edge', 'user:locked', 'user:new']);
  });
});

describe('logIn and checkCurrentPassword', () => {
  const rules: LoginRules = { account: RULE, source: { threshold: 5, windowMs: 60_000, lockMs: 300_000 } };
  let profile: { id: string; userName: string };
  let passwordHash: string;

  before(async () => {
    passwordHash = await hashSecret(PASSWORD);
  });
  /** The audit log is append-only: each test reads only the rows written after its mark. */
  let seen = new Set<string>();
  const markAudits = async () => {
    seen = new Set((await db.selectFrom('audit_event').select('id').execute()).map((r) => r.id));
  };
  beforeEach(async () => {
    profile = await createProfile(db, identityOnly({ firstName: 'Ada', lastName: 'Byron' }), {
      passwordHash,
      hintQuestion: null,
      hintAnswerHash: null,
    });
    await markAudits();
  });

  const attempt = (password: string, userName = profile.userName, ip = '192.0.2.1') =>
    logIn(db, rules, { userName, password, ip });
  async function audits() {
    const rows = await db
      .selectFrom('audit_event')
      .select(['id', 'type', 'actor_id', 'subject_id', 'ip', 'detail'])
      .orderBy('id')
      .execute();
    return rows.filter((r) => !seen.has(r.id)).map(({ id: _id, ...row }) => row);
  }

  test('the right password signs in, audited, and forgives the account’s earlier misses but not the address’s', async () => {
    await attempt('wrong-one');
    await attempt('wrong-two');
    await markAudits();
    const result = await attempt(PASSWORD);
    assert.equal(result.outcome, 'ok');
    assert.equal(result.outcome === 'ok' && result.profile.id, profile.id);
    assert.deepEqual(await audits(), [
      { type: 'login.succeeded', actor_id: profile.id, subject_id: profile.id, ip: '192.0.2.1', detail: {} },
    ]);
    assert.equal(await counterRow(`user:${profile.userName}`), undefined);
    assert.equal((await counterRow('ip:192.0.2.1'))?.failures, 2);
  });

  test('a wrong password, or a User Name nobody has, is the same "invalid", audited with whether the name was known', async () => {
    assert.deepEqual(await attempt('wrong'), { outcome: 'invalid' });
    assert.deepEqual(await attempt(PASSWORD, 'nobody9'), { outcome: 'invalid' });
    assert.deepEqual(await audits(), [
      { type: 'login.failed', actor_id: null, subject_id: profile.id, ip: '192.0.2.1', detail: { knownUser: true } },
      { type: 'login.failed', actor_id: null, subject_id: null, ip: '192.0.2.1', detail: { knownUser: false } },
    ]);
  });

  test('the miss that reaches the threshold locks the account: "locked" with the time, audited as an account lock; then even the right password is refused', async () => {
    await attempt('wrong');
    await attempt('wrong');
    await markAudits();
    assert.deepEqual(await attempt('wrong'), { outcome: 'locked', until: at(RULE.lockMs) });
    assert.deepEqual(await audits(), [
      { type: 'login.failed', actor_id: null, subject_id: profile.id, ip: '192.0.2.1', detail: { knownUser: true } },
      { type: 'account.locked', actor_id: null, subject_id: profile.id, ip: '192.0.2.1', detail: { scope: 'account' } },
    ]);
    await markAudits();
    assert.deepEqual(await attempt(PASSWORD), { outcome: 'locked', until: at(RULE.lockMs) });
    assert.deepEqual(await audits(), [
      { type: 'login.locked', actor_id: null, subject_id: profile.id, ip: '192.0.2.1', detail: {} },
    ]);
    advance(RULE.lockMs);
    assert.equal((await attempt(PASSWORD)).outcome, 'ok');
  });

  test('a User Name nobody has locks like a real one, and its lock is audited without a subject', async () => {
    for (let i = 0; i < 2; i++) await attempt('wrong', 'nobody9');
    assert.deepEqual(await attempt('wrong', 'nobody9'), { outcome: 'locked', until: at(RULE.lockMs) });
    assert.deepEqual((await audits()).at(-1), {
      type: 'account.locked',
      actor_id: null,
      subject_id: null,
      ip: '192.0.2.1',
      detail: { scope: 'account' },
    });
    assert.deepEqual(await attempt('wrong', 'nobody9'), { outcome: 'locked', until: at(RULE.lockMs) });
    assert.deepEqual((await audits()).at(-1), {
      type: 'login.locked',
      actor_id: null,
      subject_id: null,
      ip: '192.0.2.1',
      detail: {},
    });
  });

  test('one address trying many User Names is locked as a source, audited with that scope, and other addresses are not', async () => {
    for (let i = 0; i < 4; i++) assert.deepEqual(await attempt('wrong', `someone${i}`), { outcome: 'invalid' });
    assert.deepEqual(await attempt('wrong', 'someone4'), { outcome: 'locked', until: at(rules.source.lockMs) });
    assert.deepEqual((await audits()).at(-1)?.detail, { scope: 'source' });
    assert.deepEqual(await attempt(PASSWORD), { outcome: 'locked', until: at(rules.source.lockMs) });
    assert.equal((await attempt(PASSWORD, profile.userName, '192.0.2.2')).outcome, 'ok');
  });

  test('an expired temporary password is told only to someone who typed it, audited; a wrong one stays "invalid"', async () => {
    await db
      .updateTable('profile')
      .set({ password_expires_at: at(0) })
      .where('id', '=', profile.id)
      .execute();
    assert.deepEqual(await attempt('wrong'), { outcome: 'invalid' });
    await markAudits();
    assert.deepEqual(await attempt(PASSWORD), { outcome: 'temporary-password-expired' });
    assert.deepEqual(await audits(), [
      {
        type: 'login.failed',
        actor_id: null,
        subject_id: profile.id,
        ip: '192.0.2.1',
        detail: { reason: 'temporary password expired' },
      },
    ]);
    await db
      .updateTable('profile')
      .set({ password_expires_at: at(1) })
      .where('id', '=', profile.id)
      .execute();
    assert.equal((await attempt(PASSWORD)).outcome, 'ok');
  });

  test('a profile without a password (pre-created) cannot be signed in to with any password', async () => {
    await db.updateTable('profile').set({ password_hash: null }).where('id', '=', profile.id).execute();
    assert.deepEqual(await attempt(''), { outcome: 'invalid' });
    assert.deepEqual(await attempt(PASSWORD), { outcome: 'invalid' });
  });

  test('the current password on Change Password counts on the same account counter as logging in', async () => {
    const row = await db.selectFrom('profile').selectAll().where('id', '=', profile.id).executeTakeFirstOrThrow();
    const check = (password: string) => checkCurrentPassword(db, RULE, row, password, '192.0.2.9');
    assert.deepEqual(await check(PASSWORD), { outcome: 'ok' });
    assert.deepEqual(await audits(), []);
    await attempt('wrong');
    assert.deepEqual(await check('wrong'), { outcome: 'wrong' });
    assert.deepEqual((await audits()).at(-1), {
      type: 'login.failed',
      actor_id: profile.id,
      subject_id: profile.id,
      ip: '192.0.2.9',
      detail: { form: 'change-password' },
    });
    assert.deepEqual(await check('wrong'), { outcome: 'locked', until: at(RULE.lockMs) });
    assert.deepEqual((await audits()).at(-1), {
      type: 'account.locked',
      actor_id: null,
      subject_id: profile.id,
      ip: '192.0.2.9',
      detail: { scope: 'account' },
    });
    assert.deepEqual(await check(PASSWORD), { outcome: 'locked', until: at(RULE.lockMs) });
    assert.deepEqual(await attempt(PASSWORD), { outcome: 'locked', until: at(RULE.lockMs) });
  });

  test('Change Password with no password on the profile is always wrong', async () => {
    const row = await db.selectFrom('profile').selectAll().where('id', '=', profile.id).executeTakeFirstOrThrow();
    assert.deepEqual(await checkCurrentPassword(db, RULE, { ...row, password_hash: null }, PASSWORD, '192.0.2.9'), {
      outcome: 'wrong',
    });
  });
});
