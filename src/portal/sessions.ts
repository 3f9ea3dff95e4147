import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../database.ts';
import type { Profile } from './schema.ts';
import * as sessions from './session-repository.ts';

/**
 * Server-side sessions. The cookie holds 256 random bits; the database holds only their
 * SHA-256, so a leaked database row cannot be replayed as a cookie.
 */

export interface SessionTimeouts {
  idleMs: number;
  absoluteMs: number;
}

/**
 * The signed-in person as every request carries them: who they are and what the routes
 * decide on, never their password, hint answer or SSN hashes.
 */
export type SignedInProfile = Pick<Profile, 'id' | 'user_name' | 'first_name' | 'last_name' | 'must_change_password'>;

export interface ActiveSession {
  idHash: string;
  profile: SignedInProfile;
  createdAt: Date;
}

// The portal's slot on the request, set by the session hook the composition root installs.
declare module 'fastify' {
  interface FastifyRequest {
    session: ActiveSession | null;
  }
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
  await sessions.insertSession(db, {
    id_hash: tokenHash(token),
    profile_id: profileId,
    created_at: now,
    last_seen_at: now,
    expires_at: new Date(now.getTime() + timeouts.absoluteMs),
    ip: client.ip,
    user_agent: client.userAgent?.slice(0, 300) ?? null,
  });
  return token;
}

/** The session behind a cookie, if it has not expired (absolute) or gone idle. */
export async function loadSession(db: Db, token: string, timeouts: SessionTimeouts): Promise<ActiveSession | null> {
  const idHash = tokenHash(token);
  const now = new Date();
  const row = await sessions.findSessionWithPerson(db, idHash);
  if (!row) return null;
  if (row.expires_at <= now || now.getTime() - row.last_seen_at.getTime() > timeouts.idleMs) {
    await sessions.endSession(db, idHash);
    return null;
  }
  // Write last-seen at most once a minute: a page view should not always cost a write.
  if (now.getTime() - row.last_seen_at.getTime() > 60_000) await sessions.touchSession(db, idHash, now);
  const { last_seen_at: _seen, expires_at: _expires, session_created_at, ...profile } = row;
  return { idHash, profile, createdAt: session_created_at };
}
