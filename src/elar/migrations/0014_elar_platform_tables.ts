import type { Kysely } from 'kysely';
import { createAuditTable } from '../../platform/audit.ts';
import { inSchema } from '../../platform/db.ts';
import { createJobTables } from '../../platform/jobs/tables.ts';
import { createMailOutbox } from '../../platform/mail/tables.ts';
import { createDocumentTable } from '../../platform/storage/tables.ts';

/**
 * ELAR's own copies of the platform's tables, in its schema: its job queue, mail outbox,
 * audit trail and documents. ELAR may run as a separate process on a database of its own,
 * so it cannot lean on the portal's; co-hosted, its queue and audit trail stay its own
 * (an operator reads ELAR's dead jobs and ELAR's audit without the portal's in the way).
 * ELAR's database handle is bound to the schema (src/elar/schema.ts), so the platform's
 * code runs on these tables unchanged. People are named by the issuer's `sub` (text).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createSchema('elar').ifNotExists().execute();
  await inSchema(db, 'elar', async () => {
    await createJobTables(db);
    await createMailOutbox(db);
    await createAuditTable(db, 'text');
    await createDocumentTable(db);
  });
}
