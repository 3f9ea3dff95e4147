import type { Db } from '../database.ts';
import { errors } from '../platform/errors.ts';
import { checkNewPassword, replacePassword, type AccountRules } from './accounts.ts';
import { checkCurrentPassword } from './login.ts';
import { findProfileById } from './profile-repository.ts';
import type { ThrottleRule } from './throttle.ts';

export type PasswordChange =
  | { outcome: 'changed' }
  | { outcome: 'locked'; until: Date }
  /** Field errors keyed by form field: nothing was changed. */
  | { outcome: 'refused'; errors: Record<string, string> };

export const CURRENT_PASSWORD_WRONG = 'Your current password is not right';

/**
 * Change Password for a signed-in person (SPEC P7). The current password counts like a
 * login on the account's lockout counter; the new one must pass every password rule. Then
 * one transaction sets it, records it in the history, ends the person's other sessions and
 * writes the audit row: a failure anywhere in it leaves the old password, whole.
 */
export async function changePassword(
  db: Db,
  rules: { accounts: AccountRules; lockout: ThrottleRule },
  person: { id: string; sessionIdHash: string },
  input: { currentPassword: string; password: string; passwordConfirm: string },
  ip: string,
): Promise<PasswordChange> {
  // The session carries no password hash: the profile is read afresh.
  const profile = await findProfileById(db, person.id);
  if (!profile) throw errors.notFound();
  const current = await checkCurrentPassword(db, rules.lockout, profile, input.currentPassword, ip);
  if (current.outcome === 'locked') return current;
  if (current.outcome === 'wrong') return { outcome: 'refused', errors: { currentPassword: CURRENT_PASSWORD_WRONG } };
  const problems = await checkNewPassword(db, rules.accounts, {
    password: input.password,
    passwordConfirm: input.passwordConfirm,
    userName: profile.user_name,
    profileId: profile.id,
  });
  if (Object.keys(problems).length > 0) return { outcome: 'refused', errors: problems };
  await replacePassword(db, profile.id, input.password, {
    type: 'password.changed',
    ip,
    keepSessionIdHash: person.sessionIdHash,
  });
  return { outcome: 'changed' };
}
