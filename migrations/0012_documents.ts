import type { Kysely } from 'kysely';
import { createDocumentTable } from '../src/platform/storage/tables.ts';

/** Documents: an uploaded file's record (src/platform/storage/tables.ts). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createDocumentTable(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('document').execute();
}
