import { randomUUID } from 'node:crypto';
import { audit } from './audit-events.ts';
import type { Db } from '../database.ts';
import type { NewProfile } from './schema.ts';
import { faultPoint } from '../platform/faults.ts';
import { hasConsoleAdministrator, insertDepartmentRole } from '../directory/index.ts';
import { hashSecret, verifySecret } from './hashing.ts';
import { generateMepid, userNameBase, userNameCandidate } from './identifiers.ts';
import { nameKey, ssnHash } from './identity.ts';
import { PASSWORD_MISMATCH, PASSWORD_REUSED, passwordProblems, type PasswordPolicy } from './password-policy.ts';
import * as profiles from './profile-repository.ts';
import { endAllSessions } from './session-repository.ts';

/** Profiles and their credentials: the rules. SQL lives in profile-repository.ts. */

export interface AccountRules {
  policy: PasswordPolicy;
  /** Earlier passwords refused besides the current one: every one, or the newest N. */
  historySize: number | 'all';
  ssnKey: string;
}

export interface PersonDetails {
  firstName: string;
  middleName: string | null;
  lastName: string;
  dateOfBirth: string | null;
  ssn: { hash: string; last4: string } | null;
  email: string | null;
  phone: string | null;
  addressLine1: string | null;
  addressLine2: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  previousLastName: string | null;
  priorLicenseNumber: string | null;
}

/** A person known only by name (and perhaps birth date, SSN, email): every other detail empty. */
export function identityOnly(
  known: Pick<PersonDetails, 'firstName' | 'lastName'> & Partial<Pick<PersonDetails, 'dateOfBirth' | 'ssn' | 'email'>>,
): PersonDetails {
  return {
    firstName: known.firstName,
    middleName: null,
    lastName: known.lastName,
    dateOfBirth: known.dateOfBirth ?? null,
    ssn: known.ssn ?? null,
    email: known.email ?? null,
    phone: null,
    addressLine1: null,
    addressLine2: null,
    city: null,
    state: null,
    postalCode: null,
    previousLastName: null,
    priorLicenseNumber: null,
  };
}

export interface Credentials {
  passwordHash: string;
  hintQuestion: string | null;
  hintAnswerHash: string | null;
}

export interface CreatedProfile {
  id: string;
  userName: string;
  mepid: string;
}

export function ssnFields(rules: AccountRules, ssnDigits: string): { hash: string; last4: string } {
  return { hash: ssnHash(rules.ssnKey, ssnDigits), last4: ssnDigits.slice(-4) };
}

async function assignUserName(db: Db, firstName: string, lastName: string): Promise<string> {
  const base = userNameBase(firstName, lastName);
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const candidate = userNameCandidate(base, attempt);
    if (!(await profiles.isUserNameTaken(db, candidate))) return candidate;
  }
  throw new Error('No User Name available');
}

async function assignMepid(db: Db): Promise<string> {
  for (;;) {
    const mepid = generateMepid();
    if (await profiles.reserveMepid(db, mepid)) return mepid;
  }
}

function profileRow(id: string, userName: string, mepid: string, person: PersonDetails): NewProfile {
  return {
    id,
    user_name: userName,
    mepid,
    first_name: person.firstName,
    middle_name: person.middleName,
    last_name: person.lastName,
    first_name_key: nameKey(person.firstName),
    last_name_key: nameKey(person.lastName),
    date_of_birth: person.dateOfBirth,
    ssn_hash: person.ssn?.hash ?? null,
    ssn_last4: person.ssn?.last4 ?? null,
    email: person.email,
    phone: person.phone,
    address_line1: person.addressLine1,
    address_line2: person.addressLine2,
    city: person.city,
    state: person.state,
    postal_code: person.postalCode,
    previous_last_name: person.previousLastName,
    prior_license_number: person.priorLicenseNumber,
    password_hash: null,
    hint_question: null,
    hint_answer_hash: null,
    status: 'precreated',
  };
}

/**
 * Creates a profile with a fresh User Name and MEPID. Run inside a transaction: the
 * unique indexes on User Name, MEPID and SSN hash are the backstop against a race.
 */
export async function createProfile(
  tx: Db,
  person: PersonDetails,
  credentials: Credentials | null,
  options: { actorId?: string | null; ip?: string | null; mustChangePassword?: boolean } = {},
): Promise<CreatedProfile> {
  const id = randomUUID();
  const userName = await assignUserName(tx, person.firstName, person.lastName);
  const mepid = await assignMepid(tx);
  const row = profileRow(id, userName, mepid, person);
  if (credentials) {
    row.password_hash = credentials.passwordHash;
    row.hint_question = credentials.hintQuestion;
    row.hint_answer_hash = credentials.hintAnswerHash;
    row.status = 'active';
  }
  row.must_change_password = options.mustChangePassword ?? false;
  await profiles.insertProfile(tx, row);
  faultPoint('profile.create:after-insert-profile');
  if (credentials) await profiles.addPasswordHistory(tx, id, credentials.passwordHash);
  faultPoint('profile.create:after-password-history');
  await audit(tx, {
    type: 'profile.created',
    actorId: options.actorId ?? id,
    subjectId: id,
    ip: options.ip ?? null,
    detail: { status: row.status },
  });
  faultPoint('profile.create:after-audit');
  return { id, userName, mepid };
}

/** P3 case 2: the person supplies credentials for a profile someone created for them. */
export async function completePrecreatedProfile(
  tx: Db,
  profileId: string,
  credentials: Credentials,
  ip: string | null,
): Promise<boolean> {
  const updated = await profiles.completeProfileCredentials(tx, profileId, credentials);
  if (updated === 0) return false;
  await profiles.addPasswordHistory(tx, profileId, credentials.passwordHash);
  await audit(tx, { type: 'profile.completed', actorId: profileId, subjectId: profileId, ip });
  return true;
}

/**
 * Every password rule for a new password: the policy, the confirmation and, for an
 * existing profile, the history. Returns field errors keyed by form field.
 */
export async function checkNewPassword(
  db: Db,
  rules: AccountRules,
  input: { password: string; passwordConfirm: string; userName?: string; profileId?: string },
): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  const problems = passwordProblems(rules.policy, input.password, input.userName);
  if (problems.length > 0) {
    errors.password = problems.join('. ');
    return errors;
  }
  if (input.password !== input.passwordConfirm) {
    errors.passwordConfirm = PASSWORD_MISMATCH;
    return errors;
  }
  if (input.profileId && (await wasUsedBefore(db, rules, input.profileId, input.password))) {
    errors.password = PASSWORD_REUSED;
  }
  return errors;
}

async function wasUsedBefore(db: Db, rules: AccountRules, profileId: string, password: string): Promise<boolean> {
  // The newest history row is the current password, so N earlier ones are N + 1 rows.
  const hashes = await profiles.recentPasswordHashes(
    db,
    profileId,
    rules.historySize === 'all' ? null : rules.historySize + 1,
  );
  const current = await profiles.findProfileById(db, profileId);
  // A temporary password from an administrator is not in the history, but is current.
  if (current?.password_hash) hashes.push(current.password_hash);
  const results = await Promise.all([...new Set(hashes)].map((h) => verifySecret(h, password)));
  return results.includes(true);
}

/**
 * Sets a new password (already checked by checkNewPassword) and ends every session of
 * the account but `keepSessionIdHash`, so a thief who had the old password is signed out.
 */
export async function replacePassword(
  db: Db,
  profileId: string,
  newPassword: string,
  how: { type: 'password.changed' | 'password.reset'; ip: string | null; keepSessionIdHash?: string },
): Promise<void> {
  const passwordHash = await hashSecret(newPassword);
  await db.transaction().execute(async (tx) => {
    await profiles.setPassword(tx, profileId, passwordHash, null);
    faultPoint('password.replace:after-set-password');
    await profiles.addPasswordHistory(tx, profileId, passwordHash);
    faultPoint('password.replace:after-password-history');
    await endAllSessions(tx, profileId, how.keepSessionIdHash);
    await audit(tx, { type: how.type, actorId: profileId, subjectId: profileId, ip: how.ip });
    faultPoint('password.replace:after-audit');
  });
}

/**
 * On a start with no department administrator (no console-admin), creates `admin` with
 * the configured password and console-admin, who must choose a new password at first
 * login. Never a default password.
 */
export async function bootstrapDepartmentAdministrator(db: Db, password: string | undefined): Promise<string | null> {
  if (!password || (await hasConsoleAdministrator(db))) return null;
  const passwordHash = await hashSecret(password);
  const id = randomUUID();
  await db.transaction().execute(async (tx) => {
    const mepid = await assignMepid(tx);
    const row = profileRow(id, 'admin', mepid, identityOnly({ firstName: 'Department', lastName: 'Administrator' }));
    await profiles.insertProfile(tx, {
      ...row,
      password_hash: passwordHash,
      status: 'active',
      must_change_password: true,
    });
    await insertDepartmentRole(tx, { profileId: id, role: 'console-admin', grantedBy: null });
    await profiles.addPasswordHistory(tx, id, passwordHash);
    await audit(tx, { type: 'profile.bootstrapped', subjectId: id, detail: { userName: 'admin' } });
  });
  return id;
}
