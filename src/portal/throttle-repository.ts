import { sql } from 'kysely';
import type { Db } from '../database.ts';
import type { Counter, Reservation } from './throttle.ts';

/** The failure counters' rows (src/portal/throttle.ts has the rule that uses them). */

/**
 * Takes the next place in the key's window, or returns null while the key is locked or
 * its places are all taken. One statement, so two requests (or two instances) at once
 * can never both take the last place.
 */
export async function reserve(db: Db, { key, rule }: Counter): Promise<number | null> {
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
        .where(
          sql<boolean>`${fresh} OR (login_throttle.locked_until IS NULL AND login_throttle.failures < ${rule.threshold})`,
        ),
    )
    .returning('failures')
    .executeTakeFirst();
  return row ? row.failures : null;
}

/** Gives places back: a guess that was right, or never checked, is not a failure. */
export async function release(db: Db, reservations: Reservation[]): Promise<void> {
  if (reservations.length === 0) return;
  await db
    .updateTable('login_throttle')
    .set({ failures: sql`GREATEST(login_throttle.failures - 1, 0)` })
    .where(
      'key',
      'in',
      reservations.map((r) => r.key),
    )
    .execute();
}

/**
 * A miss that took the last place locks its key, for the rule's lock time from now;
 * unless a right guess meanwhile gave places back or cleared the counter.
 */
export async function lockFilled(db: Db, reservations: Reservation[]): Promise<string[]> {
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
