import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import type { S3Settings } from '../../src/platform/storage/s3.ts';

export interface TestS3 {
  settings: S3Settings;
  /** Replaces an object's bytes behind the store's back, as a damaged disk or a hand in the bucket would. */
  overwrite(objectKey: string, bytes: Buffer): Promise<void>;
  close(): Promise<void>;
}

/** A real S3-compatible server (s3rver) on loopback, port 0, with one empty bucket, in a folder of its own. */
export async function startS3(): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: 'documents' }],
  });
  const { port } = await server.run();
  // s3rver accepts this one key pair and checks the signature made with it.
  const secret = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const settings: S3Settings = {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    bucket: 'documents',
    forcePathStyle: true,
    credentials: () => secret,
  };
  const client = new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: true,
    credentials: secret,
  });
  return {
    settings,
    overwrite: async (objectKey, bytes) =>
      void (await client.send(new PutObjectCommand({ Bucket: 'documents', Key: objectKey, Body: bytes }))),
    close: async () => {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
