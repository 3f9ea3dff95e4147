import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorageSettings } from '../config.ts';
import type { BlobStore } from './blob-store.ts';
import { openFilesystemBlobStore } from './filesystem.ts';
import { openS3BlobStore } from './s3.ts';

export * from './blob-store.ts';
export * from './documents.ts';
export type { DocumentRow, ScanState } from './schema.ts';

/**
 * The store the configuration names: the S3-compatible bucket when S3_BUCKET is set, else
 * DATA_DIR/blobs. With the in-memory database (`DATA_DIR=memory://`, tests) the blobs are as
 * short-lived: a private temporary folder, removed on close.
 */
export async function openBlobStore(settings: StorageSettings): Promise<BlobStore> {
  if (settings.kind === 's3') return openS3BlobStore(settings.s3);
  if (!settings.dir.startsWith('memory:')) return openFilesystemBlobStore(settings.dir);
  const dir = await mkdtemp(join(tmpdir(), 'portal-blobs-'));
  const store = await openFilesystemBlobStore(dir);
  return { ...store, close: () => rm(dir, { recursive: true, force: true }) };
}
