import { audit } from './audit-events.ts';
import type { Db } from '../database.ts';
import type { Profile } from './schema.ts';
import { verifyAgainstNothing, verifySecret } from './hashing.ts';
import { findProfileByUserName } from './profile-repository.ts';
import { throttled, type ThrottleRule } from './throttle.ts';
import { clearFailures, lockedUntil } from './throttle-repository.ts';

/**
 * Logging in, as named steps: take a place in the account's and the address's counters
 * (refused while locked or while the threshold's worth of guesses is being checked), check
 * the credentials (always spending one argon2 verification, whether or not the User Name
 * exists), then keep the place as a failure or clear the account's counter. Every outcome
 * is audited.
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

  const checked = await throttled(
    db,
    [
      { key: keys.account, rule: rules.account },
      { key: keys.source, rule: rules.source },
    ],
    async () =>
      profile?.password_hash
        ? await verifySecret(profile.password_hash, attempt.password)
        : await verifyAgainstNothing(attempt.password),
    (valid) => !(valid && profile),
  );
  if (checked.kind === 'locked') {
    // Spend the same work as a real attempt, so timing does not reveal the lock either.
    await verifyAgainstNothing(attempt.password);
    await audit(db, { type: 'login.locked', subjectId: profile?.id ?? null, ip: attempt.ip });
    return { outcome: 'locked', until: checked.until };
  }
  const valid = checked.value;

  // Said only to someone who typed the right temporary password: it reveals nothing else.
  if (valid && profile?.password_expires_at && profile.password_expires_at <= new Date()) {
    await audit(db, {
      type: 'login.failed',
      subjectId: profile.id,
      ip: attempt.ip,
      detail: { reason: 'temporary password expired' },
    });
    return { outcome: 'temporary-password-expired' };
  }

  if (valid && profile) {
    await clearFailures(db, keys.account);
    await audit(db, { type: 'login.succeeded', actorId: profile.id, subjectId: profile.id, ip: attempt.ip });
    return { outcome: 'ok', profile };
  }

  await audit(db, {
    type: 'login.failed',
    subjectId: profile?.id ?? null,
    ip: attempt.ip,
    detail: { knownUser: Boolean(profile) },
  });
  if (checked.lockedKeys.length > 0) {
    await audit(db, {
      type: 'account.locked',
      subjectId: profile?.id ?? null,
      ip: attempt.ip,
      detail: { scope: checked.lockedKeys.includes(keys.account) ? 'account' : 'source' },
    });
    const until = await lockedUntil(db, [keys.account, keys.source]);
    return { outcome: 'locked', until: until ?? new Date() };
  }
  return { outcome: 'invalid' };
}

export type CurrentPasswordResult = { outcome: 'ok' } | { outcome: 'wrong' } | { outcome: 'locked'; until: Date };

/**
 * P7: the current password on Change Password counts like a login on the account's
 * counter, so this form is no way around the lockout, in series or in parallel.
 */
export async function checkCurrentPassword(
  db: Db,
  rule: ThrottleRule,
  profile: Profile,
  password: string,
  ip: string,
): Promise<CurrentPasswordResult> {
  const key = accountKey(profile.user_name);
  const checked = await throttled(
    db,
    [{ key, rule }],
    async () => (profile.password_hash ? await verifySecret(profile.password_hash, password) : false),
    (valid) => !valid,
  );
  if (checked.kind === 'locked') return { outcome: 'locked', until: checked.until };
  if (checked.value) return { outcome: 'ok' };
  await audit(db, {
    type: 'login.failed',
    actorId: profile.id,
    subjectId: profile.id,
    ip,
    detail: { form: 'change-password' },
  });
  if (checked.lockedKeys.length === 0) return { outcome: 'wrong' };
  await audit(db, { type: 'account.locked', subjectId: profile.id, ip, detail: { scope: 'account' } });
  return { outcome: 'locked', until: (await lockedUntil(db, [key])) ?? new Date() };
}
