import { createHash, randomUUID } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';

/**
 * Where uploaded files live, whichever backend holds them: a folder under DATA_DIR or an
 * S3-compatible bucket (test/platform/storage/blob-store.contract.ts holds both to the same
 * contract). A blob is written once and never changed: its key names a new object every
 * time and carries the SHA-256 of its bytes, so every read is checked against what was
 * written without asking the database, and a damaged blob is refused rather than served.
 */
export interface BlobStore {
  readonly kind: 'filesystem' | 's3';
  /**
   * Stores the bytes under a new key. Nothing is visible under that key until every byte is
   * there: a source that fails, or passes `maxBytes`, leaves nothing behind.
   */
  put(content: Readable | Uint8Array, options?: { maxBytes?: number }): Promise<StoredBlob>;
  /** The bytes, once they have been read and found to match their checksum. */
  get(key: string): Promise<BlobContent>;
  /** Size and time stored, or null when there is no such blob. */
  stat(key: string): Promise<BlobListing | null>;
  /** Removes the blob; removing one that is already gone is not an error (a retried job). */
  delete(key: string): Promise<void>;
  /** Every stored blob, for the sweep that collects blobs no document row refers to. */
  list(): AsyncIterable<BlobListing>;
  close(): Promise<void>;
}

export interface StoredBlob {
  key: string;
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string;
  size: number;
}

export interface BlobContent extends StoredBlob {
  body: Readable;
}

export interface BlobListing {
  key: string;
  size: number;
  storedAt: Date;
}

export class BlobNotFoundError extends Error {
  readonly code = 'STORAGE_ERR_NOT_FOUND';
  constructor(key: string) {
    super(`No blob ${key}`);
  }
}

/** The bytes read back are not the bytes written: a damaged disk, or a hand in the bucket. */
export class BlobCorruptedError extends Error {
  readonly code = 'STORAGE_ERR_CORRUPTED';
  constructor(key: string, actual: string) {
    super(`Blob ${key} does not match its checksum (read ${actual})`);
  }
}

export class BlobTooLargeError extends Error {
  readonly code = 'STORAGE_ERR_TOO_LARGE';
  constructor(readonly maxBytes: number) {
    super(`More than ${maxBytes} bytes`);
  }
}

const KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.([0-9a-f]{64})$/;

export function newKey(sha256: string): string {
  return `${randomUUID()}.${sha256}`;
}

/**
 * The checksum a key promises, or null for anything that is not one of our keys: a key
 * never reaches a path or a bucket unchecked, so `../` or a stranger's object cannot be named.
 */
export function checksumOfKey(key: string): string | null {
  return KEY.exec(key)?.[1] ?? null;
}

export function asStream(content: Readable | Uint8Array): Readable {
  return content instanceof Readable ? content : Readable.from([content]);
}

/** Hashes and counts the bytes passing through, and fails past `maxBytes`. */
export class Measure extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;

  constructor(private readonly maxBytes = Infinity) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) return callback(new BlobTooLargeError(this.maxBytes));
    this.hash.update(chunk);
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}
