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
