import { sql } from 'kysely';
import type { Db } from '../database.ts';
import type { NewProfile, Profile } from './schema.ts';
import { nameKey, type IdentityKeys, type MatchCandidate } from './identity.ts';

/** SQL for profiles and their credentials, nothing else. */

export function findProfileById(db: Db, id: string): Promise<Profile | undefined> {
  return db.selectFrom('profile').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Exact, case-sensitive: "JSmith" and "jsmith" are different User Names at login. */
export function findProfileByUserName(db: Db, userName: string): Promise<Profile | undefined> {
  return db.selectFrom('profile').selectAll().where('user_name', '=', userName).executeTakeFirst();
}

export function findMatchCandidates(db: Db, keys: IdentityKeys): Promise<MatchCandidate[]> {
  return db
    .selectFrom('profile')
    .select(['id', 'first_name_key', 'last_name_key', 'date_of_birth', 'ssn_hash', 'status'])
    .where((eb) =>
      eb.or([
        eb('ssn_hash', '=', keys.ssnHash),
        eb.and([
          eb('last_name_key', '=', keys.lastNameKey),
          eb('first_name_key', '=', keys.firstNameKey),
          eb('date_of_birth', '=', keys.dateOfBirth),
        ]),
      ]),
    )
    .orderBy('created_at')
    .limit(20)
    .execute();
}

export async function isUserNameTaken(db: Db, userName: string): Promise<boolean> {
  const row = await db
    .selectFrom('profile')
    .select('id')
    .where(sql<string>`lower(user_name)`, '=', userName.toLowerCase())
    .executeTakeFirst();
  return row !== undefined;
}

/** Records the MEPID as issued; false when it was ever issued before. */
export async function reserveMepid(db: Db, mepid: string): Promise<boolean> {
  const result = await db
    .insertInto('issued_mepid')
    .values({ mepid })
    .onConflict((oc) => oc.column('mepid').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function insertProfile(db: Db, profile: NewProfile): Promise<void> {
  await db.insertInto('profile').values(profile).execute();
}

/** A password the person chose, or (with `temporaryUntil`) a temporary one they must replace. */
export async function setPassword(
  db: Db,
  profileId: string,
  passwordHash: string,
  temporaryUntil: Date | null,
): Promise<void> {
  await db
    .updateTable('profile')
    .set({
      password_hash: passwordHash,
      must_change_password: temporaryUntil !== null,
      password_expires_at: temporaryUntil,
      updated_at: sql`now()`,
    })
    .where('id', '=', profileId)
    .execute();
}

export async function completeProfileCredentials(
  db: Db,
  profileId: string,
  credentials: { passwordHash: string; hintQuestion: string | null; hintAnswerHash: string | null },
): Promise<number> {
  const result = await db
    .updateTable('profile')
    .set({
      password_hash: credentials.passwordHash,
      hint_question: credentials.hintQuestion,
      hint_answer_hash: credentials.hintAnswerHash,
      status: 'active',
      must_change_password: false,
      updated_at: sql`now()`,
    })
    .where('id', '=', profileId)
    .where('status', '=', 'precreated')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The account's password hashes, newest first: the newest `limit`, or every one when `limit` is null. */
export async function recentPasswordHashes(db: Db, profileId: string, limit: number | null): Promise<string[]> {
  let query = db
    .selectFrom('password_history')
    .select('password_hash')
    .where('profile_id', '=', profileId)
    .orderBy('id', 'desc');
  if (limit !== null) query = query.limit(limit);
  const rows = await query.execute();
  return rows.map((r) => r.password_hash);
}

export async function addPasswordHistory(db: Db, profileId: string, passwordHash: string): Promise<void> {
  await db.insertInto('password_history').values({ profile_id: profileId, password_hash: passwordHash }).execute();
}

export async function recordMatchConflict(
  db: Db,
  profileId: string,
  conflictingFields: string[],
  submitted: Record<string, string | null>,
): Promise<void> {
  // One open case per profile (Create, then Forgot, is one person): a later attempt adds to it.
  await db
    .insertInto('match_conflict')
    .values({ profile_id: profileId, conflicting_fields: conflictingFields, submitted: JSON.stringify(submitted) })
    .onConflict((oc) =>
      oc
        .column('profile_id')
        .where('status', '=', 'open')
        .doUpdateSet({
          attempts: sql`match_conflict.attempts + 1`,
          last_attempt_at: sql`now()`,
          submitted: sql`excluded.submitted`,
          conflicting_fields: sql`ARRAY(SELECT DISTINCT unnest(match_conflict.conflicting_fields || excluded.conflicting_fields))`,
        }),
    )
    .execute();
}

/** Another profile with this SSN, if any: an SSN belongs to one person. */
export function findOtherProfileWithSsn(
  db: Db,
  ssnHash: string,
  exceptProfileId: string,
): Promise<{ id: string } | undefined> {
  return db
    .selectFrom('profile')
    .select('id')
    .where('ssn_hash', '=', ssnHash)
    .where('id', '!=', exceptProfileId)
    .executeTakeFirst();
}

/** Corrects who a profile is (names, date of birth, and the SSN when given), with the names' matching keys. */
export async function setIdentity(
  db: Db,
  profileId: string,
  identity: { firstName: string; lastName: string; dateOfBirth: string; ssn: { hash: string; last4: string } | null },
): Promise<void> {
  await db
    .updateTable('profile')
    .set({
      first_name: identity.firstName,
      last_name: identity.lastName,
      first_name_key: nameKey(identity.firstName),
      last_name_key: nameKey(identity.lastName),
      date_of_birth: identity.dateOfBirth,
      ...(identity.ssn ? { ssn_hash: identity.ssn.hash, ssn_last4: identity.ssn.last4 } : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', profileId)
    .execute();
}
