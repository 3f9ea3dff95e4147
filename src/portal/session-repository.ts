import { sql, type Insertable } from 'kysely';
import type { Db } from '../database.ts';
import type { PortalTables } from './schema.ts';

/** The portal's session rows (src/portal/sessions.ts decides what a session is). */

export async function insertSession(db: Db, row: Insertable<PortalTables['session']>): Promise<void> {
  await db.insertInto('session').values(row).execute();
}

/** A session with the few columns of its person that a request carries (SignedInProfile). */
export function findSessionWithPerson(db: Db, idHash: string) {
  return db
    .selectFrom('session')
    .innerJoin('profile', 'profile.id', 'session.profile_id')
    .select([
      'profile.id',
      'profile.user_name',
      'profile.first_name',
      'profile.last_name',
      'profile.must_change_password',
    ])
    .select(['session.last_seen_at', 'session.expires_at', 'session.created_at as session_created_at'])
    .where('session.id_hash', '=', idHash)
    .executeTakeFirst();
}

export async function touchSession(db: Db, idHash: string, seenAt: Date): Promise<void> {
  await db.updateTable('session').set({ last_seen_at: seenAt }).where('id_hash', '=', idHash).execute();
}

export async function endSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('session').where('id_hash', '=', idHash).execute();
}

/** Ends every session of a profile, except one when the person stays signed in here. */
export async function endAllSessions(db: Db, profileId: string, exceptIdHash?: string): Promise<number> {
  let query = db.deleteFrom('session').where('profile_id', '=', profileId);
  if (exceptIdHash) query = query.where('id_hash', '!=', exceptIdHash);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function countSessions(db: Db, profileId: string): Promise<number> {
  const row = await db
    .selectFrom('session')
    .select(sql<string>`count(*)`.as('n'))
    .where('profile_id', '=', profileId)
    .where('expires_at', '>', new Date())
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Sessions past their absolute lifetime (idle ones are removed when next presented). */
export async function purgeExpiredSessions(db: Db): Promise<void> {
  const now = new Date();
  await db.deleteFrom('session').where('expires_at', '<', now).execute();
}
