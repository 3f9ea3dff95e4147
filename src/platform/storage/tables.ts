import { sql, type Kysely } from 'kysely';

/**
 * The `document` table (src/platform/storage/schema.ts), created by the portal's migration
 * 0012 and by ELAR's 0014 in its own schema, in the current schema.
 *
 * An uploaded file's record. Its bytes are a blob in the BlobStore (filesystem or S3), named
 * by `blob_key`; the row says whose it is (an opaque owner: the platform knows no domain),
 * what the bytes really are, whether the malware scan has passed, and how long it must be
 * kept. Deleting a document keeps its row (`deleted_at`) for the record.
 */
export async function createDocumentTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('document')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('owner_kind', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('blob_key', 'text', (c) => c.notNull().unique())
    .addColumn('sha256', 'text', (c) => c.notNull().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn('size', 'integer', (c) => c.notNull().check(sql`size >= 0`))
    .addColumn('detected_type', 'text', (c) => c.notNull())
    .addColumn('declared_name', 'text', (c) => c.notNull())
    .addColumn('scan_state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`scan_state IN ('pending', 'clean', 'infected', 'failed')`),
    )
    .addColumn('retention_class', 'text', (c) => c.notNull())
    .addColumn('retain_until', 'date')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('document_owner')
    .on('document')
    .columns(['owner_kind', 'owner_id'])
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  // The scanner's queue and the retention sweep read these.
  await db.schema
    .createIndex('document_scan_pending')
    .on('document')
    .column('created_at')
    .where(sql.ref('scan_state'), '=', 'pending')
    .execute();
  await db.schema
    .createIndex('document_retain_until')
    .on('document')
    .column('retain_until')
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
}
