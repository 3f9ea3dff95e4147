import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { searchPeople } from '../src/directory/repository.ts';
import { loadConfig } from '../src/platform/config.ts';
import { openDatabase, type Db } from '../src/database.ts';
import { findMatchCandidates } from '../src/portal/profile-repository.ts';
import { classifyMatch } from '../src/portal/identity.ts';
import { prepareDatabase } from '../src/startup.ts';
import { percentile } from './http.ts';

/**
 * Scale: `npm run bench -- seed --profiles N` fills the database named by DATABASE_URL (or
 * DATA_DIR) with realistic profiles, organizations, memberships and role grants, then
 * measures identity matching (P3) and people search (D5) latency.
 *
 * Rows are generated inside the database (INSERT … SELECT over generate_series) rather
 * than streamed with COPY: nothing crosses the wire, which is faster still, and it works
 * the same on PGlite. Person i is reproducible in JavaScript, so the measurements look up
 * people who exist, as a real match does.
 */

const FIRST = [
  'James',
  'Mary',
  'Robert',
  'Patricia',
  'John',
  'Jennifer',
  'Michael',
  'Linda',
  'David',
  'Elizabeth',
  'William',
  'Barbara',
  'Richard',
  'Susan',
  'Joseph',
  'Jessica',
  'Thomas',
  'Sarah',
  'Carlos',
  'Maria',
  'Wei',
  'Fatima',
  'Nguyen',
  'Aisha',
  'Liam',
  'Sofia',
  'Mateo',
  'Chloe',
  'Omar',
  'Priya',
];
const LAST = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Sanchez',
  'Clark',
  'Ramirez',
  'Lewis',
  'Robinson',
  "O'Brien",
  'Nguyen',
  'Kim',
  'Patel',
  'Murphy',
  'Sullivan',
  'Walsh',
  'Kelly',
  'Costa',
  'Silva',
  'Pereira',
  'Santos',
  'Oliveira',
  'Tran',
  'Le',
  'Pham',
  'Cohen',
  'Levine',
  'Rossi',
  'Russo',
];

// Pure functions of i, mirrored by the SQL below, so a measurement can name a real person.
const firstOf = (i: number) => FIRST[(i * 7) % FIRST.length]!;
const lastOf = (i: number) => `${LAST[(i * 13) % LAST.length]!}${Math.floor(i / (FIRST.length * LAST.length))}`;
const dobOf = (i: number) =>
  new Date(Date.UTC(1950, 0, 1) + ((i * 7919) % 18_000) * 86_400_000).toISOString().slice(0, 10);
const ssnHashOf = (i: number) => createHash('sha256').update(`ssn:${i}`).digest('hex');
const key = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

function progress(done: number, total: number) {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toLocaleString()} / ${total.toLocaleString()}`,
  );
}

async function open(): Promise<{ db: Db; close: () => Promise<void>; kind: string }> {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 4 });
  await prepareDatabase(database.db);
  return { db: database.db, close: database.close, kind: database.kind };
}

export async function seedScale(total: number): Promise<void> {
  const { db, close, kind } = await open();
  try {
    const first = sql.raw(`ARRAY[${FIRST.map((n) => `'${n}'`).join(',')}]`);
    const last = sql.raw(`ARRAY[${LAST.map((n) => `'${n.replace(/'/g, "''")}'`).join(',')}]`);
    const existing = Number(
      (await sql<{ n: string }>`SELECT count(*) AS n FROM profile WHERE user_name LIKE 'bench%'`.execute(db)).rows[0]!
        .n,
    );
    const batch = 50_000;
    const started = performance.now();
    for (let from = existing; from < total; from += batch) {
      const to = Math.min(total, from + batch) - 1;
      await sql`
        INSERT INTO profile (id, user_name, mepid, first_name, last_name, first_name_key, last_name_key, date_of_birth,
          ssn_hash, ssn_last4, email, status, password_hash, created_at, updated_at)
        SELECT gen_random_uuid(), 'bench' || i, (10000000 + i)::text,
          f, l, lower(regexp_replace(f, '[^A-Za-z0-9]', '', 'g')), lower(regexp_replace(l, '[^A-Za-z0-9]', '', 'g')),
          (date '1950-01-01' + ((i::bigint * 7919) % 18000)::int),
          encode(sha256(convert_to('ssn:' || i, 'UTF8')), 'hex'), lpad((i % 10000)::text, 4, '0'),
          'person' || i || '@example.org', 'active', NULL, now(), now()
        FROM (
          SELECT i, (${first})[(i * 7) % ${FIRST.length} + 1] AS f,
                 (${last})[(i * 13) % ${LAST.length} + 1] || (i / ${FIRST.length * LAST.length}) AS l
          FROM generate_series(${from}::int, ${to}::int) AS i
        ) people`.execute(db);
      progress(to + 1, total);
    }
    // One school per 400 people, in districts of 10 schools; everyone works in one; one in
    // ten holds a SIMS role there.
    const schools = Math.max(1, Math.ceil(total / 400));
    await sql`
      INSERT INTO organization (id, code, name, type, town)
      SELECT gen_random_uuid(), lpad(d::text, 4, '0') || '0000', 'District ' || d, 'district', 'Town ' || d
      FROM generate_series(1, ${Math.ceil(schools / 10)}::int) d
      ON CONFLICT (code) DO NOTHING`.execute(db);
    await sql`
      INSERT INTO organization (id, code, name, type, district_id, town)
      SELECT gen_random_uuid(), lpad((s / 10 + 1)::text, 4, '0') || lpad((s % 10 + 1)::text, 4, '0'), 'School ' || s, 'school',
        (SELECT id FROM organization WHERE code = lpad((s / 10 + 1)::text, 4, '0') || '0000'), 'Town ' || (s / 10 + 1)
      FROM generate_series(0, ${schools - 1}::int) s
      ON CONFLICT (code) DO NOTHING`.execute(db);
    await sql`
      INSERT INTO organization_member (organization_id, profile_id)
      SELECT o.id, p.id FROM profile p
      JOIN organization o ON o.code = lpad(((substr(p.user_name, 6)::int / 400) / 10 + 1)::text, 4, '0') || lpad(((substr(p.user_name, 6)::int / 400) % 10 + 1)::text, 4, '0')
      WHERE p.user_name LIKE 'bench%'
      ON CONFLICT DO NOTHING`.execute(db);
    await sql`
      INSERT INTO role_grant (profile_id, organization_id, application_id, role)
      SELECT m.profile_id, m.organization_id, 'sims', 'user' FROM organization_member m
      JOIN profile p ON p.id = m.profile_id
      WHERE p.user_name LIKE 'bench%' AND substr(p.user_name, 6)::int % 10 = 0
      ON CONFLICT DO NOTHING`.execute(db);
    await sql`ANALYZE`.execute(db);
    if (process.stderr.isTTY) process.stderr.write('\n');
    console.log(
      `Seeded ${total.toLocaleString()} profiles and ${schools.toLocaleString()} schools on ${kind} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    for (const line of await measure(db, total)) console.log(line);
  } finally {
    await close();
  }
}

async function timed(
  samples: number,
  run: (n: number) => Promise<void>,
): Promise<{ p50: number; p95: number; p99: number }> {
  const times: number[] = [];
  for (let n = 0; n < samples; n++) {
    const t = performance.now();
    await run(n);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
}

async function measure(db: Db, total: number): Promise<string[]> {
  const pick = (n: number) => (n * 104_729) % total;
  const match = await timed(2000, async (n) => {
    const i = pick(n);
    // Half exact people, half a changed SSN (the partial-match path reads the same indexes).
    const keys = {
      firstNameKey: key(firstOf(i)),
      lastNameKey: key(lastOf(i)),
      dateOfBirth: dobOf(i),
      ssnHash: ssnHashOf(n % 2 ? i : i + total),
    };
    classifyMatch(keys, await findMatchCandidates(db, keys));
  });
  const search = await timed(1000, async (n) => {
    const i = pick(n);
    const q =
      n % 3 === 0 ? `bench${i}` : n % 3 === 1 ? `${lastOf(i)}, ${firstOf(i).slice(0, 2)}` : lastOf(i).slice(0, 4);
    await searchPeople(db, q, 1);
  });
  const f = (x: number) => `${x.toFixed(2)} ms`;
  return [
    `| 5. identity match (P3) at ${total.toLocaleString()} profiles | p50 ${f(match.p50)}, p95 ${f(match.p95)}, p99 ${f(match.p99)} | target p95 < 20 ms |`,
    `| 5. people search (D5) at ${total.toLocaleString()} profiles | p50 ${f(search.p50)}, p95 ${f(search.p95)}, p99 ${f(search.p99)} | target p95 < 50 ms |`,
  ];
}
