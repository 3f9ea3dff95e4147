import type { ColumnType, Generated, Kysely, Selectable } from 'kysely';

export type ScanState = 'pending' | 'clean' | 'infected' | 'failed';

/** migrations/0012_documents.ts */
export interface DocumentTable {
  id: Generated<string>;
  owner_kind: string;
  owner_id: string;
  blob_key: string;
  sha256: string;
  size: number;
  /** The MIME type read from the bytes (file-type), not the one the browser claimed. */
  detected_type: string;
  /** The file name as the person's computer called it: shown back to them, never used as a path. */
  declared_name: string;
  scan_state: Generated<ScanState>;
  retention_class: string;
  /** A date (YYYY-MM-DD) before which the document may not be deleted; null when its class alone decides. */
  retain_until: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  deleted_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

// A type, not an interface: Kysely's table maps need the implicit index signature.
export type StorageTables = {
  document: DocumentTable;
};

/** The storage tables alone: the platform knows no module's tables. */
export type StorageDb = Kysely<StorageTables>;

/**
 * A database that has the storage tables, seen as one with only them. Safe: the constraint
 * says the tables are there; Kysely's types cannot narrow a generic database by themselves.
 */
export function storageTablesOf<DB extends StorageTables>(db: Kysely<DB>): StorageDb {
  return db as unknown as StorageDb;
}

export type DocumentRow = Selectable<DocumentTable>;
