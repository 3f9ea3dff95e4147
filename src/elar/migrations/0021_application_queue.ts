import { sql, type Kysely } from 'kysely';

/**
 * The evaluators' queue (src/elar/staff): open applications waiting for or under review,
 * oldest submission first, read a page at a time by keyset. The partial index holds only
 * those, so the queue stays as quick at a million applications as at a hundred.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX application_queue ON elar.application (submitted_at, id)
    WHERE state IN ('ready-for-review', 'not-ready', 'in-review')`.execute(db);
}
