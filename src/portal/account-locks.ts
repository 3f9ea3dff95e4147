import type { Db } from '../database.ts';
import { accountKey } from './login.ts';
import { hintKey, partialMatchKey } from './profile-wizard.ts';
import type { Counter, ThrottleRule } from './throttle.ts';
import { lockedUntil, unlock } from './throttle-repository.ts';

/**
 * What other modules may do with the portal's lockouts. The throttle keys' formats stay
 * the portal's own: the directory asks about a person, never about a key.
 */

type Person = { id: string; user_name: string };

/** Until when the person can neither log in nor answer their hint question (null: not locked). */
export function accountLockedUntil(db: Db, person: Person): Promise<Date | null> {
  return lockedUntil(db, [accountKey(person.user_name), hintKey(person.id)]);
}

/** Lifts both locks; says which of them were on. */
export async function unlockAccount(db: Db, person: Person): Promise<{ account: boolean; hint: boolean }> {
  return { account: await unlock(db, accountKey(person.user_name)), hint: await unlock(db, hintKey(person.id)) };
}

/** Lifts the login lock only (a new password does not forgive wrong hint answers). */
export async function unlockLogin(db: Db, person: Person): Promise<boolean> {
  return unlock(db, accountKey(person.user_name));
}

/**
 * The per-address counter of identity checks that found a record without matching it: the
 * wizard's, which others who check identities (a Directory Administrator adding staff) share.
 */
export function partialMatchCounter(ip: string, rule: ThrottleRule): Counter {
  return { key: partialMatchKey(ip), rule };
}

/** Whole minutes until a lock ends, never less than one: what a locked-out person is told. */
export function minutesUntil(until: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60_000));
}
