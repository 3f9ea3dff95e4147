import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Profile } from '../platform/db.ts';

/**
 * Server-side sessions. The cookie holds 256 random bits; the database holds only their
 * SHA-256, so a leaked database row cannot be replayed as a cookie.
 */

export interface SessionTimeouts {
  idleMs: number;
  absoluteMs: number;
}

export interface ActiveSession {
  idHash: string;
  profile: Profile;
  createdAt: Date;
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function startSession(
  db: Db,
  profileId: string,
  timeouts: SessionTimeouts,
  client: { ip: string | null; userAgent: string | null },
): Promise<string> {
  const token = newToken();
  const now = new Date();
  await db
    .insertInto('session')
    .values({
      id_hash: tokenHash(token),
      profile_id: profileId,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + timeouts.absoluteMs),
      ip: client.ip,
      user_agent: client.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return token;
}

/** The session behind a cookie, if it has not expired (absolute) or gone idle. */
export async function loadSession(db: Db, token: string, timeouts: SessionTimeouts): Promise<ActiveSession | null> {
  const idHash = tokenHash(token);
  const now = new Date();
  const row = await db
    .selectFrom('session')
    .innerJoin('profile', 'profile.id', 'session.profile_id')
    .selectAll('profile')
    .select(['session.last_seen_at', 'session.expires_at', 'session.created_at as session_created_at'])
    .where('session.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row) return null;
  if (row.expires_at <= now || now.getTime() - row.last_seen_at.getTime() > timeouts.idleMs) {
    await db.deleteFrom('session').where('id_hash', '=', idHash).execute();
    return null;
  }
  // Write last-seen at most once a minute: a page view should not always cost a write.
  if (now.getTime() - row.last_seen_at.getTime() > 60_000) {
    await db.updateTable('session').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
  }
  const { last_seen_at: _seen, expires_at: _expires, session_created_at, ...profile } = row;
  return { idHash, profile, createdAt: session_created_at };
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
