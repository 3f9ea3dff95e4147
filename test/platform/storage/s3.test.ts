import assert from 'node:assert/strict';
import { text } from 'node:stream/consumers';
import { test } from 'node:test';
import { loadConfig } from '../../../src/platform/config.ts';
import { openBlobStore } from '../../../src/platform/storage/index.ts';
import { openS3BlobStore } from '../../../src/platform/storage/s3.ts';
import { startS3 } from '../../helpers/s3.ts';
import { blobStoreContract } from './blob-store.contract.ts';

// The same contract as the filesystem, on a real S3-compatible server (s3rver) on loopback.
blobStoreContract('S3-compatible (s3rver)', async () => {
  const s3 = await startS3();
  const store = await openS3BlobStore(s3.settings);
  return {
    store,
    corrupt: (key) => s3.overwrite(`blobs/${key}`, Buffer.from('the forged certificate')),
    close: async () => {
      await store.close();
      await s3.close();
    },
  };
});

test('S3_* settings in the environment open the S3 store: a blob put through it is in the bucket', async () => {
  const s3 = await startS3();
  try {
    const { accessKeyId, secretAccessKey } = s3.settings.credentials()!;
    const config = loadConfig({
      S3_BUCKET: s3.settings.bucket,
      S3_ENDPOINT: s3.settings.endpoint,
      S3_FORCE_PATH_STYLE: '1',
      S3_ACCESS_KEY_ID: accessKeyId,
      S3_SECRET_ACCESS_KEY: secretAccessKey,
    });
    const store = await openBlobStore(config.storage);
    try {
      assert.equal(store.kind, 's3');
      const { key } = await store.put(Buffer.from('from the environment'));
      // A second store on the same bucket sees it: the bytes are in the bucket, not in this process.
      const other = await openS3BlobStore(s3.settings);
      assert.equal(await text((await other.get(key)).body), 'from the environment');
      await other.close();
    } finally {
      await store.close();
    }
  } finally {
    await s3.close();
  }
});
