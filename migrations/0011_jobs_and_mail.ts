import type { Kysely } from 'kysely';
import { createJobTables } from '../src/platform/jobs/tables.ts';
import { createMailOutbox } from '../src/platform/mail/tables.ts';

/**
 * Issue 12, section 4: durable jobs and the mail outbox (src/platform/jobs, src/platform/mail).
 * The tables are the platform's, described where they are made, so that ELAR can make its own.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createJobTables(db);
  await createMailOutbox(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('mail_outbox').execute();
  await db.schema.dropTable('job_schedule').execute();
  await db.schema.dropTable('job').execute();
}
