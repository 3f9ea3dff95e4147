import { sql } from 'kysely';
import type { Db } from '../platform/db.ts';

/**
 * Failure counters with temporary lockout (SPEC P5, P9), kept in the database so every
 * instance sees the same counts. Keys:
 *   `user:<typed User Name>` — the string as typed, whether or not such a profile exists,
 *                              so a lockout reveals nothing about who has an account;
 *   `ip:<address>`           — a source trying many accounts;
 *   `hint:<profile id>`      — wrong password-hint answers.
 * A window starts at the first failure; reaching the threshold within the window locks the
 * key until the window's lock time has passed.
 */

export interface ThrottleRule {
  threshold: number;
  windowMs: number;
  lockMs: number;
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

/** Counts one failure; returns true when this failure locked the key. */
export async function recordFailure(db: Db, key: string, rule: ThrottleRule): Promise<boolean> {
  const now = new Date();
  const windowStart = new Date(now.getTime() - rule.windowMs);
  const lockUntil = new Date(now.getTime() + rule.lockMs);
  // One statement, so two instances counting at once cannot lose a failure.
  const row = await db
    .insertInto('login_throttle')
    .values({ key, failures: 1, window_started_at: now, locked_until: rule.threshold <= 1 ? lockUntil : null })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures: sql`CASE WHEN login_throttle.window_started_at < ${windowStart} THEN 1 ELSE login_throttle.failures + 1 END`,
        window_started_at: sql`CASE WHEN login_throttle.window_started_at < ${windowStart} THEN ${now}::timestamptz ELSE login_throttle.window_started_at END`,
        locked_until: sql`CASE
          WHEN login_throttle.window_started_at >= ${windowStart} AND login_throttle.failures + 1 >= ${rule.threshold}
            AND (login_throttle.locked_until IS NULL OR login_throttle.locked_until <= ${now}) THEN ${lockUntil}::timestamptz
          ELSE login_throttle.locked_until END`,
      }),
    )
    .returning(['failures', 'locked_until'])
    .executeTakeFirstOrThrow();
  return row.locked_until !== null && row.locked_until.getTime() === lockUntil.getTime();
}

/** After a lock has been served, the next failure starts a fresh window. */
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
