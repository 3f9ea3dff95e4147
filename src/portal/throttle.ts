import type { Db } from '../database.ts';
import { lockedUntil, lockFilled, release, reserve } from './throttle-repository.ts';

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
export interface Reservation extends Counter {
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
