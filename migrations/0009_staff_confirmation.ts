import { sql, type Kysely } from 'kysely';

/**
 * Attack review F2: a staff membership a Directory Administrator makes for someone else's
 * existing profile (found by name, date of birth and SSN) waits for the person to confirm
 * it (`confirmed_at` null) and brings them within no one's reach until then. Every other
 * membership is confirmed when it is made (the default), and so is every membership made
 * before this rule.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('organization_member').addColumn('confirmed_at', 'timestamptz').execute();
  await sql`UPDATE organization_member SET confirmed_at = added_at`.execute(db);
  await sql`ALTER TABLE organization_member ALTER COLUMN confirmed_at SET DEFAULT now()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('organization_member').dropColumn('confirmed_at').execute();
}
