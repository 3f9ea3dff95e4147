import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import {
  BlobCorruptedError,
  BlobNotFoundError,
  BlobTooLargeError,
  type BlobStore,
} from '../../../src/platform/storage/blob-store.ts';

export interface ContractSubject {
  store: BlobStore;
  /** Changes the stored bytes of `key` without the store knowing. */
  corrupt(key: string): Promise<void>;
  close(): Promise<void>;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function bytesOf(store: BlobStore, key: string): Promise<Buffer> {
  const { body } = await store.get(key);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function keysOf(store: BlobStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const blob of store.list()) keys.push(blob.key);
  return keys.sort();
}

/** One contract, every backend: what ELAR's uploads, downloads and retention rely on. */
export function blobStoreContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: BlobStore;
    before(async () => {
      subject = await open();
      store = subject.store;
    });
    after(() => subject.close());

    test('bytes put are the bytes got back, with their SHA-256 and size', async () => {
      const bytes = Buffer.from('%PDF-1.7 a small evidence file\n');
      const stored = await store.put(bytes);
      assert.equal(stored.sha256, sha256(bytes));
      assert.equal(stored.size, bytes.length);
      const got = await store.get(stored.key);
      assert.equal(got.sha256, stored.sha256);
      assert.equal(got.size, bytes.length);
      assert.equal(await text(got.body), bytes.toString());
    });

    test('a stream of many chunks (3 MB) is stored whole', async () => {
      const chunks = Array.from({ length: 48 }, (_, i) => Buffer.alloc(64 * 1024, i));
      const stored = await store.put(Readable.from(chunks));
      const all = Buffer.concat(chunks);
      assert.equal(stored.size, all.length);
      assert.equal(stored.sha256, sha256(all));
      assert.ok((await bytesOf(store, stored.key)).equals(all));
    });

    test('an empty file is a blob of 0 bytes', async () => {
      const stored = await store.put(Buffer.alloc(0));
      assert.equal(stored.size, 0);
      assert.equal((await bytesOf(store, stored.key)).length, 0);
    });

    test('the same bytes twice are two blobs: deleting one leaves the other', async () => {
      const bytes = Buffer.from('same content');
      const a = await store.put(bytes);
      const b = await store.put(bytes);
      assert.notEqual(a.key, b.key);
      await store.delete(a.key);
      assert.equal(await store.stat(a.key), null);
      assert.ok((await bytesOf(store, b.key)).equals(bytes));
    });

    test('stat and list tell each blob its size and when it was stored', async () => {
      const startedAt = Date.now();
      const stored = await store.put(Buffer.from('listed'));
      const stat = await store.stat(stored.key);
      assert.equal(stat?.size, 6);
      // Second granularity on some backends: stored at most a second before we asked.
      assert.ok(stat!.storedAt.getTime() >= startedAt - 1000, `${stat!.storedAt.toISOString()}`);
      const listed: Array<{ key: string; size: number }> = [];
      for await (const blob of store.list()) listed.push(blob);
      assert.deepEqual(listed.find((b) => b.key === stored.key)?.size, 6);
    });

    test('an unknown key, or something that is not a key, is "not found", never a path or another object', async () => {
      const unknown = `00000000-0000-4000-8000-000000000000.${'0'.repeat(64)}`;
      for (const key of [unknown, '../../../etc/passwd', 'partial/x', '', `../${unknown}`]) {
        await assert.rejects(store.get(key), BlobNotFoundError, key);
        assert.equal(await store.stat(key), null, key);
        await store.delete(key);
      }
    });

    test('deleting twice is not an error (a retried job), and a deleted blob is gone', async () => {
      const stored = await store.put(Buffer.from('short-lived'));
      await store.delete(stored.key);
      await store.delete(stored.key);
      await assert.rejects(store.get(stored.key), BlobNotFoundError);
      assert.ok(!(await keysOf(store)).includes(stored.key));
    });

    test('a source that fails half-way stores nothing', async () => {
      const before = await keysOf(store);
      const failing = Readable.from(
        (async function* () {
          yield Buffer.alloc(100_000, 1);
          throw new Error('client went away');
        })(),
      );
      await assert.rejects(store.put(failing), /client went away/);
      assert.deepEqual(await keysOf(store), before);
    });

    test('more than maxBytes is refused and stores nothing', async () => {
      const before = await keysOf(store);
      await assert.rejects(
        store.put(Readable.from([Buffer.alloc(700), Buffer.alloc(700)]), { maxBytes: 1000 }),
        BlobTooLargeError,
      );
      assert.deepEqual(await keysOf(store), before);
      const exact = await store.put(Buffer.alloc(1000), { maxBytes: 1000 });
      assert.equal(exact.size, 1000, 'exactly the limit is allowed');
    });

    test('a blob whose bytes changed after writing is reported, not served', async () => {
      const stored = await store.put(Buffer.from('the original certificate'));
      await subject.corrupt(stored.key);
      await assert.rejects(store.get(stored.key), BlobCorruptedError);
    });

    test('20 puts at once: 20 blobs, each with its own bytes', async () => {
      const contents = Array.from({ length: 20 }, (_, i) => Buffer.from(`document number ${i} `.repeat(1000)));
      const stored = await Promise.all(contents.map((c) => store.put(c)));
      assert.equal(new Set(stored.map((s) => s.key)).size, 20);
      for (const [i, s] of stored.entries()) assert.ok((await bytesOf(store, s.key)).equals(contents[i]!), `blob ${i}`);
    });
  });
}
