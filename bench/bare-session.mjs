// The real limit of a signed-in ELAR page: bare node:http in its own process that does what
// every ELAR page must (read the session cookie, look the session up and move its idle end
// on, with ELAR's SQL from src/elar/sessions.ts (one UPDATE … RETURNING), on the same database) and answers the bytes
// the portal answered for that page. No framework, no rendering, no other query.
// Env: PORT, DATABASE_URL or PGLITE_DIR, PAGES (JSON: path prefix → file of the bytes).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const IDLE_MS = 30 * 60_000;
const ABSOLUTE_MS = 12 * 60 * 60_000;
const pages = Object.entries(JSON.parse(process.env.PAGES)).map(([prefix, file]) => [prefix, readFileSync(file)]);

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

function cookie(header, name) {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

createServer(async (req, res) => {
  const page = pages.find(([prefix]) => req.url.startsWith(prefix));
  const token = cookie(req.headers.cookie, 'elar_session');
  if (!page || !token) return res.writeHead(404).end();
  const idHash = createHash('sha256').update(token).digest('hex');
  const now = Date.now();
  const [row] = await query(
    'update "elar"."session" set "expires_at" = least($1::timestamptz, created_at + make_interval(secs => $2)) ' +
      'where "id_hash" = $3 and "expires_at" > $4 and "created_at" > $5 returning "claims", "staff_roles", "id_token"',
    [new Date(now + IDLE_MS), ABSOLUTE_MS / 1000, idHash, new Date(now), new Date(now - ABSOLUTE_MS)],
  );
  if (!row) return res.writeHead(303, { location: '/login' }).end();
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': page[1].length });
  res.end(page[1]);
}).listen(Number(process.env.PORT), '127.0.0.1');
