import { sql, type Kysely } from 'kysely';

/**
 * ELAR's session table becomes ELAR's: it moves out of the single sign-on migration
 * (0003, which created `elar_session` beside the provider's tables) into ELAR's own
 * schema, as `elar.session`, with the staff roles ELAR reads from the `roles` claim.
 *
 * The sessions already there move with it, so nobody signed in to ELAR is signed out by
 * the upgrade (the token hashes are unchanged). They come without staff roles: those are
 * read at sign-in, and ELAR has no staff pages yet for anyone to miss until the next one.
 *
 * It also runs alone, on a database of a separate ELAR process where 0003 never ran
 * (src/elar/database.ts runs it in ELAR's own list), and again on a database where it already ran: it only creates
 * what is missing and moves what is left.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createSchema('elar').ifNotExists().execute();
  await db.schema
    .createTable('elar.session')
    .ifNotExists()
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('sub', 'text', (c) => c.notNull())
    .addColumn('sid', 'text')
    .addColumn('claims', 'jsonb', (c) => c.notNull())
    .addColumn('id_token', 'text', (c) => c.notNull())
    .addColumn('staff_roles', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('session_sid').ifNotExists().on('elar.session').column('sid').execute();
  await db.schema.createIndex('session_sub').ifNotExists().on('elar.session').column('sub').execute();

  const { rows } = await sql<{ old: string | null }>`SELECT to_regclass('public.elar_session')::text AS old`.execute(
    db,
  );
  if (rows[0]?.old) {
    await sql`
      INSERT INTO elar.session (id_hash, sub, sid, claims, id_token, created_at, expires_at)
      SELECT id_hash, sub, sid, claims, id_token, created_at, expires_at FROM public.elar_session
      ON CONFLICT (id_hash) DO NOTHING`.execute(db);
    await db.schema.dropTable('public.elar_session').execute();
  }
}
