import { sql } from 'kysely';
import type { Db } from '../database.ts';

/**
 * Failure counters with temporary lockout (SPEC P5, P9), kept in the database so every
 * instance sees the same counts. Keys:
 *   `user:<typed User Name>` — the string as typed, whether or not such a profile exists,
 *                              so a lockout reveals nothing about who has an account;
 *   `ip:<address>`           — a source trying many accounts;
 *   `hint:<profile id>`      — wrong password-hint answers;
 *   `match:<address>`        — partial identity matches (each tells that a record exists);
 *   `staff-lookup:<profile id>` — a Directory Administrator's partial matches when adding staff.
 * A window starts at the first failure; reaching the threshold within the window locks the
 * key until the window's lock time has passed.
 *
 * The lock is decided BEFORE the guess is checked: `throttled` first reserves a place in
 * each counter in one statement that refuses once the threshold is taken, then checks,
 * then keeps the place (a miss) or gives it back. So however many guesses arrive at once,
 * at most the threshold's worth are ever checked (issue 11: forty parallel wrong passwords
 * were all verified when the count was only read before the hash and written after it).
 */

export interface ThrottleRule {
  threshold: number;
  windowMs: number;
  lockMs: number;
}

export interface Counter {
  key: string;
  rule: ThrottleRule;
}

/** A guess's place in a counter, taken before it is checked (1 = the window's first). */
interface Reservation extends Counter {
  place: number;
}

export type Throttled<T> = { kind: 'locked'; until: Date } | { kind: 'checked'; value: T; lockedKeys: string[] };

/**
 * Runs `check` only if every counter has a place left; a result that `isMiss` calls a miss
 * keeps its places and locks the counters it filled, any other result (or an error) gives
 * them back. `lockedKeys` names the counters this miss locked.
 */
export async function throttled<T>(
  db: Db,
  counters: Counter[],
  check: () => Promise<T>,
  isMiss: (value: T) => boolean,
): Promise<Throttled<T>> {
  const taken: Reservation[] = [];
  for (const counter of counters) {
    const place = await reserve(db, counter);
    if (place === null) {
      await release(db, taken);
      return { kind: 'locked', until: await lockEnd(db, counters) };
    }
    taken.push({ ...counter, place });
  }
  let value: T;
  try {
    value = await check();
  } catch (error) {
    await release(db, taken);
    throw error;
  }
  if (!isMiss(value)) {
    await release(db, taken);
    return { kind: 'checked', value, lockedKeys: [] };
  }
  return { kind: 'checked', value, lockedKeys: await lockFilled(db, taken) };
}

/**
 * Takes the next place in the key's window, or returns null while the key is locked or
 * its places are all taken. One statement, so two requests (or two instances) at once
 * can never both take the last place.
 */
async function reserve(db: Db, { key, rule }: Counter): Promise<number | null> {
  const now = new Date();
  const windowStart = new Date(now.getTime() - rule.windowMs);
  // A window that is over, or a lock that has been served, starts counting afresh.
  const fresh = sql<boolean>`((login_throttle.locked_until IS NULL AND login_throttle.window_started_at < ${windowStart}::timestamptz)
    OR login_throttle.locked_until <= ${now}::timestamptz)`;
  const row = await db
    .insertInto('login_throttle')
    .values({ key, failures: 1, window_started_at: now, locked_until: null })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({
          failures: sql`CASE WHEN ${fresh} THEN 1 ELSE login_throttle.failures + 1 END`,
          window_started_at: sql`CASE WHEN ${fresh} THEN ${now}::timestamptz ELSE login_throttle.window_started_at END`,
          locked_until: sql`CASE WHEN ${fresh} THEN NULL ELSE login_throttle.locked_until END`,
        })
        .where(sql<boolean>`${fresh} OR (login_throttle.locked_until IS NULL AND login_throttle.failures < ${rule.threshold})`),
    )
    .returning('failures')
    .executeTakeFirst();
  return row ? row.failures : null;
}

/** Gives places back: a guess that was right, or never checked, is not a failure. */
async function release(db: Db, reservations: Reservation[]): Promise<void> {
  if (reservations.length === 0) return;
  await db
    .updateTable('login_throttle')
    .set({ failures: sql`GREATEST(login_throttle.failures - 1, 0)` })
    .where('key', 'in', reservations.map((r) => r.key))
    .execute();
}

/**
 * A miss that took the last place locks its key, for the rule's lock time from now;
 * unless a right guess meanwhile gave places back or cleared the counter.
 */
async function lockFilled(db: Db, reservations: Reservation[]): Promise<string[]> {
  const locked: string[] = [];
  for (const { key, rule, place } of reservations) {
    if (place < rule.threshold) continue;
    const now = new Date();
    const result = await db
      .updateTable('login_throttle')
      .set({ locked_until: new Date(now.getTime() + rule.lockMs) })
      .where('key', '=', key)
      .where('failures', '>=', rule.threshold)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) locked.push(key);
  }
  return locked;
}

/**
 * Until when a refused guess must wait: the latest lock among the keys, or, when the
 * places are taken by guesses still being checked, one lock time from now.
 */
async function lockEnd(db: Db, counters: Counter[]): Promise<Date> {
  const until = await lockedUntil(
    db,
    counters.map((c) => c.key),
  );
  return until ?? new Date(Date.now() + Math.max(...counters.map((c) => c.rule.lockMs)));
}

export async function lockedUntil(db: Db, keys: string[]): Promise<Date | null> {
  const rows = await db
    .selectFrom('login_throttle')
    .select('locked_until')
    .where('key', 'in', keys)
    .where('locked_until', '>', new Date())
    .execute();
  const times = rows.map((r) => r.locked_until!.getTime());
  return times.length ? new Date(Math.max(...times)) : null;
}

/** A right password (or hint answer) wipes the counter: the failures before it are forgiven. */
export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}

export async function unlock(db: Db, key: string): Promise<boolean> {
  const result = await db.deleteFrom('login_throttle').where('key', '=', key).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Counters whose window and lock are both over are noise; drop them. */
export async function purgeExpired(db: Db, olderThanMs: number): Promise<void> {
  const cutoff = new Date(Date.now() - olderThanMs);
  await db
    .deleteFrom('login_throttle')
    .where('window_started_at', '<', cutoff)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', new Date())]))
    .execute();
}
