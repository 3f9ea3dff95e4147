import { audit } from '../platform/audit.ts';
import type { Db, Profile } from '../platform/db.ts';
import { verifyAgainstNothing, verifySecret } from './hashing.ts';
import { findProfileByUserName } from './profile-repository.ts';
import { clearFailures, lockedUntil, recordFailure, type ThrottleRule } from './throttle.ts';

/**
 * Logging in, as named steps: refuse while locked, check the credentials (always spending
 * one argon2 verification, whether or not the User Name exists), count a failure or clear
 * the account's counter. Every outcome is audited.
 */

export interface LoginRules {
  account: ThrottleRule;
  source: ThrottleRule;
}

export type LoginResult =
  | { outcome: 'ok'; profile: Profile }
  | { outcome: 'invalid' }
  | { outcome: 'temporary-password-expired' }
  | { outcome: 'locked'; until: Date };

/** The failure counter of a typed User Name (whether or not such a profile exists). */
export function accountKey(userName: string): string {
  return `user:${userName}`;
}

export function throttleKeys(userName: string, ip: string): { account: string; source: string } {
  return { account: accountKey(userName), source: `ip:${ip}` };
}

export async function logIn(
  db: Db,
  rules: LoginRules,
  attempt: { userName: string; password: string; ip: string },
): Promise<LoginResult> {
  const keys = throttleKeys(attempt.userName, attempt.ip);
  const profile = await findProfileByUserName(db, attempt.userName);

  const locked = await lockedUntil(db, [keys.account, keys.source]);
  if (locked) {
    // Spend the same work as a real attempt, so timing does not reveal the lock either.
    await verifyAgainstNothing(attempt.password);
    await audit(db, { type: 'login.locked', subjectId: profile?.id ?? null, ip: attempt.ip });
    return { outcome: 'locked', until: locked };
  }

  const valid = profile?.password_hash
    ? await verifySecret(profile.password_hash, attempt.password)
    : await verifyAgainstNothing(attempt.password);

  // Said only to someone who typed the right temporary password: it reveals nothing else.
  if (valid && profile?.password_expires_at && profile.password_expires_at <= new Date()) {
    await audit(db, { type: 'login.failed', subjectId: profile.id, ip: attempt.ip, detail: { reason: 'temporary password expired' } });
    return { outcome: 'temporary-password-expired' };
  }

  if (valid && profile) {
    await clearFailures(db, keys.account);
    await audit(db, { type: 'login.succeeded', actorId: profile.id, subjectId: profile.id, ip: attempt.ip });
    return { outcome: 'ok', profile };
  }

  const accountLocked = await recordFailure(db, keys.account, rules.account);
  const sourceLocked = await recordFailure(db, keys.source, rules.source);
  await audit(db, {
    type: 'login.failed',
    subjectId: profile?.id ?? null,
    ip: attempt.ip,
    detail: { knownUser: Boolean(profile) },
  });
  if (accountLocked || sourceLocked) {
    await audit(db, {
      type: 'account.locked',
      subjectId: profile?.id ?? null,
      ip: attempt.ip,
      detail: { scope: accountLocked ? 'account' : 'source' },
    });
    const until = await lockedUntil(db, [keys.account, keys.source]);
    return { outcome: 'locked', until: until ?? new Date() };
  }
  return { outcome: 'invalid' };
}
