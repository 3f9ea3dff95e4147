import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { audit } from './audit-events.ts';
import type { ElarDb } from './schema.ts';
import { isStaffRole, type StaffRole } from './staff.ts';

/**
 * ELAR's own server-side sessions, with the agency's session limits: `expires_at` is the
 * end of the idle period, moved on by each page; `created_at` plus the absolute limit is
 * the hard end. The browser holds a random token; only its hash is stored.
 */

export interface ElarSessionLimits {
  idleMs: number;
  absoluteMs: number;
}

export interface ElarIdentity {
  sub: string;
  sid: string | null;
  claims: Record<string, unknown>;
  idToken: string;
}

export interface ElarSession {
  claims: Record<string, unknown>;
  staffRoles: StaffRole[];
  idToken: string;
  idHash: string;
}

// SHA-256 in hex, as the rows moved from the portal's migration were keyed (0013 keeps them).
function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * A new session, and its audit row: staff roles come from the portal's claim at sign-in, so
 * the trail says which powers each session carried.
 */
export async function startElarSession(
  db: ElarDb,
  identity: ElarIdentity,
  staffRoles: StaffRole[],
  limits: ElarSessionLimits,
  ip: string,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('elar.session')
      .values({
        id_hash: tokenHash(token),
        sub: identity.sub,
        sid: identity.sid,
        claims: JSON.stringify(identity.claims),
        id_token: identity.idToken,
        staff_roles: staffRoles,
        expires_at: new Date(Date.now() + Math.min(limits.idleMs, limits.absoluteMs)),
      })
      .execute();
    await audit(trx, {
      type: 'elar.signedIn',
      actorId: identity.sub,
      ip,
      detail: { staffRoles: staffRoles.join(' ') || null },
    });
  });
  return token;
}

export async function loadElarSession(
  db: ElarDb,
  token: string | undefined,
  limits: ElarSessionLimits,
): Promise<ElarSession | null> {
  if (!token) return null;
  const idHash = tokenHash(token);
  const now = Date.now();
  // One round trip: the idle end moves on only while the session is within both limits, and
  // the row comes back with it. Nothing back: unknown, or past a limit (then it is ended).
  const row = await db
    .updateTable('elar.session')
    .set({
      expires_at: sql<Date>`least(${new Date(now + limits.idleMs)}::timestamptz,
        created_at + make_interval(secs => ${limits.absoluteMs / 1000}))`,
    })
    .where('id_hash', '=', idHash)
    .where('expires_at', '>', new Date(now))
    .where('created_at', '>', new Date(now - limits.absoluteMs))
    .returning(['claims', 'staff_roles', 'id_token'])
    .executeTakeFirst();
  if (!row) {
    await endElarSessions(db, { idHash });
    return null;
  }
  return {
    claims: row.claims as Record<string, unknown>,
    staffRoles: row.staff_roles.filter(isStaffRole),
    idToken: row.id_token,
    idHash,
  };
}

export async function endElarSessions(
  db: ElarDb,
  by: { sid?: string; sub?: string; idHash?: string },
): Promise<number> {
  let query = db.deleteFrom('elar.session');
  if (by.idHash) query = query.where('id_hash', '=', by.idHash);
  else if (by.sid) query = query.where('sid', '=', by.sid);
  else if (by.sub) query = query.where('sub', '=', by.sub);
  else return 0;
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Sessions past their idle or absolute end (idle ones are also removed when next presented). */
export async function purgeExpiredElarSessions(db: ElarDb): Promise<void> {
  await db.deleteFrom('elar.session').where('expires_at', '<', new Date()).execute();
}

/**
 * Which of these sessions (by `idHash`) are still within their limits, without moving them
 * on: an open live-status stream is not the person's activity. Ended ones (logout,
 * back-channel logout, idle or absolute end) are simply not in the answer.
 */
export async function liveElarSessions(
  db: ElarDb,
  idHashes: readonly string[],
  limits: ElarSessionLimits,
): Promise<Set<string>> {
  if (idHashes.length === 0) return new Set();
  const now = Date.now();
  const rows = await db
    .selectFrom('elar.session')
    .select('id_hash')
    .where('id_hash', 'in', [...idHashes])
    .where('expires_at', '>', new Date(now))
    .where('created_at', '>', new Date(now - limits.absoluteMs))
    .execute();
  return new Set(rows.map((row) => row.id_hash));
}
