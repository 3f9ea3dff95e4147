import type { Kysely } from 'kysely';

/** When a temporary password (an administrator's reset) stops working if still unused. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('profile').addColumn('password_expires_at', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('profile').dropColumn('password_expires_at').execute();
}
