import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { migrate, openDatabase, type Database } from '../../../src/database.ts';
import { BlobTooLargeError, type BlobStore } from '../../../src/platform/storage/blob-store.ts';
import {
  collectOrphanBlobs,
  deleteDocument,
  DocumentRetainedError,
  documentsOf,
  openDocument,
  ORPHAN_GRACE_MS,
  recordScanResult,
  storeDocument,
  type DocumentDeps,
} from '../../../src/platform/storage/documents.ts';
import { openFilesystemBlobStore } from '../../../src/platform/storage/filesystem.ts';
import { throwawayDatabase } from '../../helpers/throwaway-database.ts';

let database: Database;
let dropDatabase = async () => {};
let dir: string;
let blobs: BlobStore;
let deps: DocumentDeps;

before(async () => {
  const serverUrl = process.env.DATABASE_URL;
  let databaseUrl: string | undefined;
  if (serverUrl) ({ url: databaseUrl, drop: dropDatabase } = await throwawayDatabase(serverUrl, 'documents_test'));
  database = await openDatabase({ databaseUrl, dataDir: 'memory://', poolSize: 4 });
  await migrate(database.db);
  dir = await mkdtemp(join(tmpdir(), 'documents-'));
  blobs = await openFilesystemBlobStore(join(dir, 'blobs'));
  deps = { db: database.db, blobs };
});
after(async () => {
  await database.close();
  await dropDatabase();
  await rm(dir, { recursive: true, force: true });
});

const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const owner = (id: string) => ({ kind: 'test-application', id });

async function blobKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const blob of blobs.list()) keys.push(blob.key);
  return keys.sort();
}

const evidence = (id: string, extra: Partial<Parameters<typeof storeDocument>[1]> = {}) => ({
  owner: owner(id),
  content: PDF,
  detectedType: 'application/pdf',
  declaredName: 'transcript.pdf',
  retention: { class: 'application-evidence' },
  ...extra,
});

describe('documents', () => {
  test('an upload is stored as a document in one go: its record says whose, what, how big, its checksum, scan state and retention', async () => {
    const document = await storeDocument(
      deps,
      evidence('a-1', { retention: { class: 'license-record', retainUntil: '2099-12-31' } }),
    );
    assert.equal(document.owner_kind, 'test-application');
    assert.equal(document.owner_id, 'a-1');
    assert.equal(document.detected_type, 'application/pdf');
    assert.equal(document.declared_name, 'transcript.pdf');
    assert.equal(document.size, PDF.length);
    assert.match(document.sha256, /^[0-9a-f]{64}$/);
    assert.equal(document.scan_state, 'pending', 'nothing is clean until the scanner says so');
    assert.equal(document.retention_class, 'license-record');
    assert.equal(document.retain_until, '2099-12-31');
    assert.equal(document.deleted_at, null);
    const opened = await openDocument(deps, document.id);
    assert.equal(await text(opened!.content.body), PDF.toString());
    assert.deepEqual(
      (await documentsOf(deps, owner('a-1'))).map((d) => d.id),
      [document.id],
    );
    assert.deepEqual(await documentsOf(deps, owner('someone-else')), []);
  });

  test("the caller's own records are written in the same transaction: if they fail, there is no row and no blob", async () => {
    const before = await blobKeys();
    await assert.rejects(
      storeDocument(deps, evidence('a-2'), async (tx, document) => {
        await sql`INSERT INTO audit_event (type, subject_id) VALUES ('document.stored', ${document.id})`.execute(tx);
        throw new Error('timeline entry refused');
      }),
      /timeline entry refused/,
    );
    assert.deepEqual(await documentsOf(deps, owner('a-2')), []);
    assert.equal(
      (await database.db.selectFrom('audit_event').select('id').where('type', '=', 'document.stored').execute()).length,
      0,
    );
    assert.deepEqual(await blobKeys(), before, 'the blob written first was removed');
  });

  test('a row the database refuses leaves no blob either', async () => {
    const before = await blobKeys();
    // A NUL character: PostgreSQL text cannot hold one, so the insert itself fails.
    await assert.rejects(storeDocument(deps, evidence('a-3', { declaredName: 'bad\u0000name.pdf' })));
    assert.deepEqual(await blobKeys(), before);
  });

  test('a file over the limit is neither a blob nor a row', async () => {
    const before = await blobKeys();
    await assert.rejects(storeDocument(deps, evidence('a-4', { maxBytes: 10 })), BlobTooLargeError);
    assert.deepEqual(await documentsOf(deps, owner('a-4')), []);
    assert.deepEqual(await blobKeys(), before);
  });

  test('when the blob cannot be removed after a failed row, it is an orphan the sweep collects once the grace period is over', async () => {
    const warnings: object[] = [];
    const stuck: BlobStore = { ...blobs, delete: async () => Promise.reject(new Error('bucket unreachable')) };
    const kept = await storeDocument(deps, evidence('a-5'));
    const before = await blobKeys();
    await assert.rejects(
      storeDocument(
        { ...deps, blobs: stuck, log: { warn: (details) => void warnings.push(details) } },
        evidence('a-5'),
        async () => {
          throw new Error('row refused');
        },
      ),
      /row refused/,
    );
    const orphans = (await blobKeys()).filter((k) => !before.includes(k));
    assert.equal(orphans.length, 1, 'the orphan is there');
    assert.equal(warnings.length, 1, 'and it was logged');

    assert.equal(await collectOrphanBlobs(deps, new Date()), 0, 'too young: it might be a document about to commit');
    const removed = await collectOrphanBlobs(deps, new Date(Date.now() + ORPHAN_GRACE_MS + 60_000));
    assert.ok(removed >= 1);
    const after = await blobKeys();
    assert.ok(!after.includes(orphans[0]!), 'the orphan is gone');
    assert.ok(after.includes(kept.blob_key), "a live document's blob is kept");
    assert.equal(await text((await openDocument(deps, kept.id))!.content.body), PDF.toString());
  });

  test('a document is not deleted before its retain-until date; after it, its row is kept marked deleted and its bytes go', async () => {
    const document = await storeDocument(
      deps,
      evidence('a-6', { retention: { class: 'license-record', retainUntil: '2030-06-30' } }),
    );
    await assert.rejects(deleteDocument(deps, document.id, new Date('2030-06-30T12:00:00Z')), DocumentRetainedError);
    assert.ok(await openDocument(deps, document.id), 'still there');

    assert.equal(await deleteDocument(deps, document.id, new Date('2030-07-01T00:00:00Z')), true);
    assert.equal(await openDocument(deps, document.id), undefined);
    assert.deepEqual(await documentsOf(deps, owner('a-6')), []);
    assert.equal(await blobs.stat(document.blob_key), null, 'the bytes are gone');
    const row = await database.db
      .selectFrom('document')
      .select('deleted_at')
      .where('id', '=', document.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row.deleted_at, new Date('2030-07-01T00:00:00Z'));
    assert.equal(
      await deleteDocument(deps, document.id, new Date('2030-07-02T00:00:00Z')),
      false,
      'deleting again finds nothing',
    );
  });

  test("a scanner's verdict is recorded on the document; a deleted document takes none", async () => {
    const document = await storeDocument(deps, evidence('a-8'));
    assert.equal(await recordScanResult(deps, document.id, 'infected'), true);
    assert.equal((await openDocument(deps, document.id))!.document.scan_state, 'infected');
    await deleteDocument(deps, document.id, new Date());
    assert.equal(await recordScanResult(deps, document.id, 'clean'), false);
  });

  test('the table refuses a scan state outside pending, clean, infected and failed', async () => {
    const document = await storeDocument(deps, evidence('a-7'));
    await assert.rejects(
      sql`UPDATE document SET scan_state = 'probably-fine' WHERE id = ${document.id}`.execute(database.db),
    );
  });
});
