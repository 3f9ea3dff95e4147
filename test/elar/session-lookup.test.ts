import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { migrate, openDatabase } from '../../src/database.ts';
import { elarTables } from '../../src/elar/index.ts';
import { loadElarSession } from '../../src/elar/sessions.ts';
import { throwawayDatabase } from '../helpers/throwaway-database.ts';

/**
 * ELAR's session lookup is one statement (it reads the session and moves its idle end on
 * together); these are the limits a person notices, on whichever database the tests run.
 */
const LIMITS = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

let database: Awaited<ReturnType<typeof openDatabase>>;
let drop: (() => Promise<void>) | undefined;
const db = () => elarTables(database.db);

before(async () => {
  const throwaway = process.env.DATABASE_URL
    ? await throwawayDatabase(process.env.DATABASE_URL, 'elar_session_lookup')
    : undefined;
  drop = throwaway?.drop;
  database = await openDatabase({ databaseUrl: throwaway?.url, dataDir: 'memory://' });
  await migrate(database.db);
});
after(async () => {
  await database.close();
  await drop?.();
});

async function session(token: string, startedMinutesAgo: number, idleEndsInMinutes: number) {
  await sql`INSERT INTO elar.session (id_hash, sub, claims, id_token, staff_roles, created_at, expires_at)
    VALUES (${hashOf(token)}, 'sub-lookup', '{"sub":"sub-lookup"}'::jsonb, 'id.token', ARRAY['licensure-evaluator', 'not-a-role'],
      now() - make_interval(mins => ${startedMinutesAgo}), now() + make_interval(mins => ${idleEndsInMinutes}))`.execute(
    database.db,
  );
}
const expiresAt = async (token: string) =>
  (await db().selectFrom('elar.session').select('expires_at').where('id_hash', '=', hashOf(token)).executeTakeFirst())
    ?.expires_at;

describe('the ELAR session lookup', () => {
  test('a live session comes back with its claims and known staff roles, its idle end moved a full idle period on', async () => {
    await session('live', 60, 5);
    const found = await loadElarSession(db(), 'live', LIMITS);
    assert.deepEqual(found?.claims, { sub: 'sub-lookup' });
    assert.deepEqual(found?.staffRoles, ['licensure-evaluator']);
    assert.equal(found?.idHash, hashOf('live'));
    const moved = (await expiresAt('live'))!.getTime() - Date.now();
    assert.ok(Math.abs(moved - LIMITS.idleMs) < 5_000, `idle end ${moved} ms away`);
  });

  test('near its hard end, the idle end moves only as far as the hard end', async () => {
    await session('nearly-over', 12 * 60 - 6, 5);
    assert.ok(await loadElarSession(db(), 'nearly-over', LIMITS));
    const left = (await expiresAt('nearly-over'))!.getTime() - Date.now();
    assert.ok(left > 5 * 60_000 && left < 7 * 60_000, `six minutes of the 12 hours are left, not ${left} ms`);
  });

  test('past its idle end or its hard end a session is ended, and an unknown token finds nothing', async () => {
    await session('idle', 60, -1);
    await session('too-old', 12 * 60 + 1, 20);
    assert.equal(await loadElarSession(db(), 'idle', LIMITS), null);
    assert.equal(await loadElarSession(db(), 'too-old', LIMITS), null);
    assert.equal(await expiresAt('idle'), undefined, 'the idle session is gone');
    assert.equal(await expiresAt('too-old'), undefined, 'the old session is gone');
    assert.equal(await loadElarSession(db(), 'never-issued', LIMITS), null);
  });
});
