import type { Insertable } from 'kysely';
import type { DocumentRow, DocumentTable, ScanState, StorageDb as Db } from './schema.ts';

/** SQL for the document table; rules are in documents.ts. */

export function insertDocument(tx: Db, row: Insertable<DocumentTable>): Promise<DocumentRow> {
  return tx.insertInto('document').values(row).returningAll().executeTakeFirstOrThrow();
}

/** A document that has not been deleted. */
export function findDocument(db: Db, id: string): Promise<DocumentRow | undefined> {
  return db.selectFrom('document').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
}

export function documentsOfOwner(db: Db, owner: { kind: string; id: string }): Promise<DocumentRow[]> {
  return db
    .selectFrom('document')
    .selectAll()
    .where('owner_kind', '=', owner.kind)
    .where('owner_id', '=', owner.id)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Locked until the transaction ends, so a deletion and a scan result cannot cross. */
export function lockDocument(tx: Db, id: string): Promise<DocumentRow | undefined> {
  return tx
    .selectFrom('document')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

export async function markDeleted(tx: Db, id: string, at: Date): Promise<void> {
  await tx.updateTable('document').set({ deleted_at: at }).where('id', '=', id).execute();
}

export async function setScanState(tx: Db, id: string, state: ScanState): Promise<void> {
  await tx.updateTable('document').set({ scan_state: state }).where('id', '=', id).execute();
}

/** Which of these blob keys a live document still refers to. */
export async function keysInUse(db: Db, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .selectFrom('document')
    .select('blob_key')
    .where('blob_key', 'in', keys)
    .where('deleted_at', 'is', null)
    .execute();
  return new Set(rows.map((r) => r.blob_key));
}
