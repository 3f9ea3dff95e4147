import { sql, type Kysely } from 'kysely';

/**
 * Finding every provider record of one account (sessions, grants, tokens) is what a
 * password reset or "sign out everywhere" does; without this index it reads the table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index oidc_model_account on oidc_model ((payload->>'accountId')) where (payload->>'accountId') is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index oidc_model_account`.execute(db);
}
