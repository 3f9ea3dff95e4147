import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { BlobContent, BlobStore } from './blob-store.ts';
import {
  documentsOfOwner,
  findDocument,
  insertDocument,
  keysInUse,
  lockDocument,
  markDeleted,
  setScanState,
} from './document-repository.ts';
import { storageTablesOf, type DocumentRow, type ScanState, type StorageTables } from './schema.ts';

/**
 * Documents: a file's bytes in the BlobStore and its record in the `document` table, kept
 * in step. The bytes are written first, since a transaction must not wait on a disk or a
 * bucket; the row, with whatever the caller records about it (its audit row, its timeline
 * entry), is then written in one transaction. When that transaction fails the blob is
 * removed at once; if even that fails, the blob is an orphan that `collectOrphanBlobs`
 * removes later. A blob is never referred to by a row that was not committed, and a
 * committed row never refers to a missing blob.
 */

/** `DB` is the caller's whole database (its `alsoRecord` writes its own tables); it has the storage tables. */
export interface DocumentDeps<DB extends StorageTables = StorageTables> {
  db: Kysely<DB>;
  blobs: BlobStore;
  /** Hears about blobs left for the orphan sweep (pino's logger fits). */
  log?: { warn(details: object, message: string): void };
}

/** Whose document it is, in the owning module's words (`elar-application`, `5d0c…`). */
export interface DocumentOwner {
  kind: string;
  id: string;
}

export interface NewDocument {
  owner: DocumentOwner;
  content: Readable | Uint8Array;
  /** The type read from the bytes (src/platform/uploads.ts), never the one the browser sent. */
  detectedType: string;
  declaredName: string;
  retention: { class: string; retainUntil?: string | null };
  maxBytes?: number;
}

export class DocumentRetainedError extends Error {
  readonly code = 'STORAGE_ERR_RETAINED';
  constructor(readonly retainUntil: string) {
    super(`The document must be kept until ${retainUntil}`);
  }
}

/** Blobs younger than this may belong to a document whose transaction has not yet committed. */
export const ORPHAN_GRACE_MS = 24 * 3_600_000;

export async function storeDocument<DB extends StorageTables>(
  deps: DocumentDeps<DB>,
  input: NewDocument,
  /** Runs in the same transaction as the insert: the caller's audit row and timeline entry. */
  alsoRecord: (tx: Kysely<DB>, document: DocumentRow) => Promise<void> = async () => undefined,
): Promise<DocumentRow> {
  const blob = await deps.blobs.put(input.content, input.maxBytes === undefined ? {} : { maxBytes: input.maxBytes });
  try {
    return await deps.db.transaction().execute(async (tx) => {
      const document = await insertDocument(storageTablesOf(tx), {
        owner_kind: input.owner.kind,
        owner_id: input.owner.id,
        blob_key: blob.key,
        sha256: blob.sha256,
        size: blob.size,
        detected_type: input.detectedType,
        declared_name: input.declaredName,
        retention_class: input.retention.class,
        retain_until: input.retention.retainUntil ?? null,
      });
      await alsoRecord(tx, document);
      return document;
    });
  } catch (error) {
    // The row's failure is what the caller must hear about; a blob that cannot be removed
    // now is left for the orphan sweep.
    await deps.blobs.delete(blob.key).catch((cause: unknown) => leftForSweep(deps, blob.key, cause));
    throw error;
  }
}

/** The document's record and its bytes, checked against their checksum; undefined when there is none. */
export async function openDocument<DB extends StorageTables>(
  deps: DocumentDeps<DB>,
  id: string,
): Promise<{ document: DocumentRow; content: BlobContent } | undefined> {
  const document = await findDocument(storageTablesOf(deps.db), id);
  if (!document) return undefined;
  return { document, content: await deps.blobs.get(document.blob_key) };
}

export function documentsOf<DB extends StorageTables>(
  deps: DocumentDeps<DB>,
  owner: DocumentOwner,
): Promise<DocumentRow[]> {
  return documentsOfOwner(storageTablesOf(deps.db), owner);
}

/**
 * Deletes a document: refused up to and on its retain-until date. The row stays, marked deleted,
 * with whatever the caller records; the bytes go after the commit (a failure there leaves
 * an orphan for the sweep, never a row without its bytes). False when there is no such document.
 */
export async function deleteDocument<DB extends StorageTables>(
  deps: DocumentDeps<DB>,
  id: string,
  now: Date,
  alsoRecord: (tx: Kysely<DB>, document: DocumentRow) => Promise<void> = async () => undefined,
): Promise<boolean> {
  const deleted = await deps.db.transaction().execute(async (tx) => {
    const document = await lockDocument(storageTablesOf(tx), id);
    if (!document) return undefined;
    // Kept through the whole of its retain-until day.
    if (document.retain_until && document.retain_until >= now.toISOString().slice(0, 10))
      throw new DocumentRetainedError(document.retain_until);
    await markDeleted(storageTablesOf(tx), id, now);
    await alsoRecord(tx, document);
    return document;
  });
  if (!deleted) return false;
  await deps.blobs.delete(deleted.blob_key).catch((cause: unknown) => leftForSweep(deps, deleted.blob_key, cause));
  return true;
}

function leftForSweep(deps: Pick<DocumentDeps, 'log'>, key: string, cause: unknown): void {
  deps.log?.warn({ err: cause, blobKey: key }, 'blob not removed; the orphan sweep will remove it');
}

/**
 * A malware scanner's verdict (documents start `pending`): what the owning module may then
 * let people download or count as evidence. False when there is no such document (deleted meanwhile).
 */
export async function recordScanResult<DB extends StorageTables>(
  deps: DocumentDeps<DB>,
  id: string,
  state: Exclude<ScanState, 'pending'>,
  alsoRecord: (tx: Kysely<DB>, document: DocumentRow) => Promise<void> = async () => undefined,
): Promise<boolean> {
  return deps.db.transaction().execute(async (tx) => {
    const document = await lockDocument(storageTablesOf(tx), id);
    if (!document) return false;
    await setScanState(storageTablesOf(tx), id, state);
    await alsoRecord(tx, { ...document, scan_state: state });
    return true;
  });
}

/**
 * Removes blobs that no live document refers to and that are older than the grace period:
 * what a failed row write or a failed delete left behind. Returns how many were removed.
 */
export async function collectOrphanBlobs<DB extends StorageTables>(
  deps: DocumentDeps<DB>,
  now: Date,
  graceMs = ORPHAN_GRACE_MS,
): Promise<number> {
  const cutoff = now.getTime() - graceMs;
  let removed = 0;
  let batch: string[] = [];
  const sweep = async () => {
    const inUse = await keysInUse(storageTablesOf(deps.db), batch);
    for (const key of batch) {
      if (inUse.has(key)) continue;
      await deps.blobs.delete(key);
      removed++;
    }
    batch = [];
  };
  for await (const blob of deps.blobs.list()) {
    if (blob.storedAt.getTime() >= cutoff) continue;
    batch.push(blob.key);
    if (batch.length === 500) await sweep();
  }
  await sweep();
  return removed;
}
