// What every signed-in ELAR page must do before its own work, for the benchmark's baseline
// servers (bench/bare-session.mjs, bench/platform-session.ts): the pages' bytes to answer
// with, and ELAR's session lookup with its idle-end update (the SQL of src/elar/sessions.ts,
// one UPDATE … RETURNING) on the same database as the portal.
// Env: DATABASE_URL or PGLITE_DIR, PAGES (JSON: path prefix → file of the bytes).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const IDLE_MS = 30 * 60_000;
const ABSOLUTE_MS = 12 * 60 * 60_000;

/** [path prefix, bytes] of each page the portal answered. */
export const pages = Object.entries(JSON.parse(process.env.PAGES)).map(([prefix, file]) => [
  prefix,
  readFileSync(file),
]);

let query;
if (process.env.DATABASE_URL) {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
  query = async (text, params) => (await pool.query(text, params)).rows;
} else {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(process.env.PGLITE_DIR);
  await db.waitReady;
  query = async (text, params) => (await db.query(text, params)).rows;
}

/** The session of this cookie value, its idle end moved on; undefined when there is none. */
export async function lookUpSession(token) {
  const idHash = createHash('sha256').update(token).digest('hex');
  const now = Date.now();
  const [row] = await query(
    'update "elar"."session" set "expires_at" = least($1::timestamptz, created_at + make_interval(secs => $2)) ' +
      'where "id_hash" = $3 and "expires_at" > $4 and "created_at" > $5 returning "claims", "staff_roles", "id_token"',
    [new Date(now + IDLE_MS), ABSOLUTE_MS / 1000, idHash, new Date(now), new Date(now - ABSOLUTE_MS)],
  );
  return row;
}
