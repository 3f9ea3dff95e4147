import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  asStream,
  BlobCorruptedError,
  BlobNotFoundError,
  checksumOfKey,
  Measure,
  newKey,
  type BlobContent,
  type BlobListing,
  type BlobStore,
  type StoredBlob,
} from './blob-store.ts';

/** Partial files older than this belong to a process that died mid-write, not to a write in progress. */
const ABANDONED_PARTIAL_MS = 3_600_000;

/**
 * Blobs as files under `dir` (DATA_DIR/blobs): `ab/<key>` in 256 folders, so no folder grows
 * to millions of names. Documents carry personal data, so folders are 0700 and files 0600
 * whatever the umask. A blob is written as `partial/<random>`, flushed to disk, then renamed
 * into place: a crash leaves a partial file (removed at the next start), never half a
 * blob under its key.
 */
export async function openFilesystemBlobStore(dir: string): Promise<BlobStore> {
  const partials = join(dir, 'partial');
  await mkdir(partials, { recursive: true, mode: 0o700 });
  await removeAbandonedPartials(partials);

  const pathOf = (key: string) => {
    if (!checksumOfKey(key)) throw new BlobNotFoundError(key);
    return join(dir, key.slice(0, 2), key);
  };

  return {
    kind: 'filesystem',

    async put(content, options = {}): Promise<StoredBlob> {
      const partial = join(partials, randomUUID());
      const measure = new Measure(options.maxBytes);
      try {
        await pipeline(asStream(content), measure, createWriteStream(partial, { mode: 0o600, flags: 'wx' }));
        const sha256 = measure.digest();
        const key = newKey(sha256);
        await flush(partial);
        await mkdir(join(dir, key.slice(0, 2)), { mode: 0o700 }).catch(ignoreExisting);
        await rename(partial, pathOf(key));
        await flush(join(dir, key.slice(0, 2)));
        return { key, sha256, size: measure.size };
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
    },

    async get(key): Promise<BlobContent> {
      const path = pathOf(key);
      const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'ENOENT' ? new BlobNotFoundError(key) : error;
      });
      try {
        // One open file for the check and the reading, so what is served is what was checked.
        const measure = new Measure();
        await pipeline(handle.createReadStream({ start: 0, autoClose: false }), measure, async (source) => {
          for await (const _ of source);
        });
        const sha256 = measure.digest();
        if (sha256 !== checksumOfKey(key)) throw new BlobCorruptedError(key, sha256);
        return { key, sha256, size: measure.size, body: handle.createReadStream({ start: 0, autoClose: true }) };
      } catch (error) {
        await handle.close();
        throw error;
      }
    },

    async stat(key): Promise<BlobListing | null> {
      try {
        const s = await stat(pathOf(key));
        return { key, size: s.size, storedAt: s.mtime };
      } catch (error) {
        if (error instanceof BlobNotFoundError || (error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },

    async delete(key) {
      if (!checksumOfKey(key)) return;
      await rm(pathOf(key), { force: true });
    },

    async *list(): AsyncIterable<BlobListing> {
      for (const shard of await readdir(dir)) {
        if (!/^[0-9a-f]{2}$/.test(shard)) continue;
        for (const name of await readdir(join(dir, shard))) {
          if (!checksumOfKey(name)) continue;
          const s = await stat(join(dir, shard, name)).catch(goneAsNull);
          if (s) yield { key: name, size: s.size, storedAt: s.mtime };
        }
      }
    },

    async close() {},
  };
}

/** The data, and then the folder's new name, reach the disk before the key is handed out. */
async function flush(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function ignoreExisting(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EEXIST') throw error;
}

/** A file listed a moment ago and deleted since (by another instance's sweep) is simply not there. */
function goneAsNull(error: NodeJS.ErrnoException): null {
  if (error.code !== 'ENOENT') throw error;
  return null;
}

async function removeAbandonedPartials(partials: string): Promise<void> {
  const cutoff = Date.now() - ABANDONED_PARTIAL_MS;
  for (const name of await readdir(partials)) {
    const s = await stat(join(partials, name)).catch(goneAsNull);
    if (s && s.mtimeMs < cutoff) await rm(join(partials, name), { force: true });
  }
}
