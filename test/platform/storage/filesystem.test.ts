import assert from 'node:assert/strict';
import { access, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/platform/config.ts';
import { openFilesystemBlobStore } from '../../../src/platform/storage/filesystem.ts';
import { openBlobStore } from '../../../src/platform/storage/index.ts';
import { blobStoreContract } from './blob-store.contract.ts';

blobStoreContract('filesystem', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'blobs-'));
  const store = await openFilesystemBlobStore(join(dir, 'blobs'));
  return {
    store,
    corrupt: (key) => writeFile(join(dir, 'blobs', key.slice(0, 2), key), 'the forged certificate'),
    close: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('filesystem blobs on disk', () => {
  test('files are 0600 in 0700 folders, whatever the umask', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blobs-'));
    const previous = process.umask(0o000);
    try {
      const store = await openFilesystemBlobStore(join(dir, 'blobs'));
      const { key } = await store.put(Buffer.from('personal data'));
      assert.equal((await stat(join(dir, 'blobs'))).mode & 0o777, 0o700);
      assert.equal((await stat(join(dir, 'blobs', key.slice(0, 2)))).mode & 0o777, 0o700);
      assert.equal((await stat(join(dir, 'blobs', key.slice(0, 2), key))).mode & 0o777, 0o600);
    } finally {
      process.umask(previous);
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('while a blob is being written nothing is under a key; a failed write leaves no partial file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blobs-'));
    try {
      const store = await openFilesystemBlobStore(join(dir, 'blobs'));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const source = Readable.from(
        (async function* () {
          yield Buffer.alloc(50_000, 7);
          await held;
          yield Buffer.alloc(50_000, 8);
        })(),
      );
      const writing = store.put(source);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(
        (await readdir(join(dir, 'blobs'))).sort(),
        ['partial'],
        'only the partial folder while writing',
      );
      assert.equal((await readdir(join(dir, 'blobs', 'partial'))).length, 1);
      release();
      const { key } = await writing;
      assert.deepEqual(await readdir(join(dir, 'blobs', 'partial')), []);
      assert.equal((await stat(join(dir, 'blobs', key.slice(0, 2), key))).size, 100_000);

      await assert.rejects(
        store.put(
          Readable.from(
            (async function* () {
              yield Buffer.alloc(10);
              throw new Error('cut');
            })(),
          ),
        ),
      );
      assert.deepEqual(await readdir(join(dir, 'blobs', 'partial')), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('partial files abandoned by a crash more than an hour ago are removed at start; recent ones are left to their writer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blobs-'));
    try {
      await openFilesystemBlobStore(join(dir, 'blobs'));
      const partial = join(dir, 'blobs', 'partial');
      await writeFile(join(partial, 'crashed'), 'half');
      await writeFile(join(partial, 'in-progress'), 'half');
      const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
      await utimes(join(partial, 'crashed'), twoHoursAgo, twoHoursAgo);
      await openFilesystemBlobStore(join(dir, 'blobs'));
      assert.deepEqual(await readdir(partial), ['in-progress']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the store the configuration names', () => {
  test('by default: files under DATA_DIR/blobs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'data-'));
    try {
      const store = await openBlobStore(loadConfig({ DATA_DIR: dir }).storage);
      assert.equal(store.kind, 'filesystem');
      const { key } = await store.put(Buffer.from('kept on disk'));
      assert.equal((await stat(join(dir, 'blobs', key.slice(0, 2), key))).size, 12);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('with the in-memory database, a temporary folder that goes on close, never a folder named "memory:"', async () => {
    const store = await openBlobStore(loadConfig({ DATA_DIR: 'memory://' }).storage);
    const { key } = await store.put(Buffer.from('short-lived'));
    assert.equal((await store.stat(key))?.size, 11);
    await store.close();
    await assert.rejects(access('memory:'), { code: 'ENOENT' });
  });
});
