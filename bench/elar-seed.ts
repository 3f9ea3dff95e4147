import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Db } from '../src/database.ts';

/**
 * ELAR's rows for `npm run bench`, written straight into the database before (PGlite) or
 * beside (PostgreSQL) the portal process: applications in bulk (INSERT … SELECT over
 * generate_series, nothing crosses the wire), and signed-in ELAR sessions. Sessions are
 * inserted rather than made by signing in: a sign-in is an argon2id hash, measured on its
 * own as the login rate, and 400 of them would cost the bench a minute of CPU for nothing.
 */

/** License codes from the shipped catalog, so pages name real licenses. */
export const LICENSE_CODES = readFileSync('src/elar/catalog/license-catalog.csv', 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('license,'))
  .map((line) => line.split(',')[1]!);

/** Ids are a function of the row number, so the bench can name an application without reading it back. */
export const applicationIdOf = (i: number) =>
  createHash('md5')
    .update(`bench-app-${i}`)
    .digest('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

export interface BenchPerson {
  sub: string;
  /** The ELAR session cookie's value. */
  token: string;
}

const codes = () => sql.raw(`ARRAY[${LICENSE_CODES.map((c) => `'${c}'`).join(',')}]`);

/**
 * Applications `from`..`to` (row numbers), each awaiting payment with one license and its
 * two timeline entries (started, submitted). `person` and `code` are SQL over `i` and the
 * array `codes` (1-based).
 */
async function insertApplications(db: Db, from: number, to: number, person: string, code: string) {
  const rows = sql`FROM generate_series(${from}::int, ${to}::int) AS i`;
  const id = sql.raw(`md5('bench-app-' || i)::uuid`);
  const sub = sql.raw(person);
  await sql`
    INSERT INTO elar.application (id, person_sub, person_mepid, state, version, fee_cents, fee_schedule_version,
      created_at, updated_at, submitted_at)
    SELECT ${id}, ${sub}, (20000000 + i)::text, 'awaiting-payment', 1, 10000, 1,
      now() - make_interval(mins => i), now() - make_interval(mins => i), now() - make_interval(mins => i)
    ${rows}`.execute(db);
  await sql`
    INSERT INTO elar.application_license (application_id, position, person_sub, catalog_code, type_code, route)
    SELECT ${id}, 1, ${sub}, (${codes()})[${sql.raw(code)}], 'INI', 'PREP'
    ${rows}`.execute(db);
  await sql`
    INSERT INTO elar.application_event (application_id, from_state, to_state, transition, text_key, actor, at)
    SELECT ${id}, s.from_state, s.to_state, s.transition, s.transition, 'educator:' || ${sub},
      now() - make_interval(mins => i) + s.after
    ${rows}
    CROSS JOIN (VALUES (NULL, 'draft', 'start', interval '0'),
                       ('draft', 'awaiting-payment', 'submit', interval '1 minute')) AS s(from_state, to_state, transition, after)`.execute(
    db,
  );
}

/**
 * About `total` applications: five a person for the crowd, fifty for the dashboard's person
 * (`bench-dashboard`), two each for the `live` people of the live-status figure (`bench-live-K`).
 * Row numbers: the dashboard's 0–49, person K's 50 + 2K and 51 + 2K, the crowd's after them.
 */
export async function seedApplications(
  db: Db,
  total: number,
  live: number,
  progress: (done: number) => void = () => {},
): Promise<void> {
  const n = LICENSE_CODES.length;
  if (n < 50) throw new Error('the catalog has fewer than 50 licenses');
  await insertApplications(db, 0, 49, `'bench-dashboard'`, 'i + 1');
  await insertApplications(db, 50, 50 + 2 * live - 1, `'bench-live-' || ((i - 50) / 2)`, '(i - 50) % 2 + 1');
  const batch = 100_000;
  for (let from = 50 + 2 * live; from < total; from += batch) {
    const to = Math.min(total, from + batch) - 1;
    await insertApplications(db, from, to, `'bench-' || (i / 5)`, `i % 5 + 1 + (i / 5) % ${n - 5}`);
    progress(to + 1);
  }
  await sql`ANALYZE`.execute(db);
}

/** A signed-in ELAR session for each person, as ELAR's callback would have started it. */
export async function insertSessions(db: Db, subs: string[]): Promise<BenchPerson[]> {
  const people = subs.map((sub) => ({ sub, token: randomBytes(32).toString('base64url') }));
  for (let i = 0; i < people.length; i += 500) {
    const values = people.slice(i, i + 500).map(({ sub, token }, j) => {
      const claims = {
        sub,
        preferred_username: `Bench${i + j}`,
        name: `Bench Person ${i + j}`,
        given_name: 'Bench',
        family_name: `Person ${i + j}`,
        mepid: String(30000000 + i + j),
      };
      return sql`(${createHash('sha256').update(token).digest('hex')}, ${sub}, ${JSON.stringify(claims)}::jsonb,
        'bench-id-token', now() + interval '1 day')`;
    });
    await sql`
      INSERT INTO elar.session (id_hash, sub, claims, id_token, expires_at)
      VALUES ${sql.join(values)}`.execute(db);
  }
  return people;
}
