import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
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

export interface S3Settings {
  /** An S3-compatible server's URL; unset for AWS itself. */
  endpoint: string | undefined;
  region: string;
  bucket: string;
  /** Bucket URLs as `endpoint/bucket/key` (most S3-compatible servers) instead of `bucket.endpoint/key`. */
  forcePathStyle: boolean;
  /**
   * The access key and secret, or null for the SDK's own chain (instance role, profile). A
   * function, so that logging or serialising the configuration never prints the secret.
   */
  credentials: () => { accessKeyId: string; secretAccessKey: string } | null;
}

/** Every object of ours sits under this prefix, so the bucket can be shared and listed cheaply. */
const PREFIX = 'blobs/';

/**
 * Blobs in an S3-compatible bucket. The key carries the checksum, and the checksum is known
 * only once every byte has passed, so a blob is first spooled to a private local folder
 * (0700) and then sent whole with its length and SHA-256, which S3 verifies on arrival.
 * A read is spooled the same way and checked before the first byte is handed out.
 */
export async function openS3BlobStore(settings: S3Settings, spoolParent = tmpdir()): Promise<BlobStore> {
  const credentials = settings.credentials();
  const client = new S3Client({
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    // We send our own SHA-256; the SDK's default CRC trailers (aws-chunked bodies) are not
    // understood by every S3-compatible server.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const spool = await mkdtemp(join(spoolParent, 'portal-blobs-'));
  const bucket = settings.bucket;
  const objectKey = (key: string) => {
    if (!checksumOfKey(key)) throw new BlobNotFoundError(key);
    return PREFIX + key;
  };

  /** Copies a stream into a new spool file, measuring it; the caller removes the file. */
  async function spoolOf(source: Readable, maxBytes?: number): Promise<{ path: string; measure: Measure }> {
    const path = join(spool, randomUUID());
    const measure = new Measure(maxBytes);
    try {
      await pipeline(source, measure, createWriteStream(path, { mode: 0o600, flags: 'wx' }));
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    return { path, measure };
  }

  return {
    kind: 's3',

    async put(content, options = {}): Promise<StoredBlob> {
      const { path, measure } = await spoolOf(asStream(content), options.maxBytes);
      try {
        const sha256 = measure.digest();
        const key = newKey(sha256);
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: objectKey(key),
            Body: createReadStream(path),
            ContentLength: measure.size,
            ContentType: 'application/octet-stream',
            ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
          }),
        );
        return { key, sha256, size: measure.size };
      } finally {
        await rm(path, { force: true });
      }
    },

    async get(key): Promise<BlobContent> {
      const name = objectKey(key);
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: name })).catch((error: unknown) => {
        throw error instanceof NoSuchKey || isNotFound(error) ? new BlobNotFoundError(key) : error;
      });
      const { path, measure } = await spoolOf(object.Body as Readable);
      // Unlinked once open: the bytes go away with the stream, whatever happens to it.
      const handle = await open(path, 'r');
      await unlink(path);
      const sha256 = measure.digest();
      if (sha256 !== checksumOfKey(key)) {
        await handle.close();
        throw new BlobCorruptedError(key, sha256);
      }
      return { key, sha256, size: measure.size, body: handle.createReadStream({ autoClose: true }) };
    },

    async stat(key): Promise<BlobListing | null> {
      if (!checksumOfKey(key)) return null;
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
        return { key, size: head.ContentLength ?? 0, storedAt: head.LastModified ?? new Date(0) };
      } catch (error) {
        if (error instanceof NotFound || isNotFound(error)) return null;
        throw error;
      }
    },

    async delete(key) {
      if (!checksumOfKey(key)) return;
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
    },

    async *list(): AsyncIterable<BlobListing> {
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: PREFIX, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          const key = object.Key?.slice(PREFIX.length) ?? '';
          if (checksumOfKey(key)) yield { key, size: object.Size ?? 0, storedAt: object.LastModified ?? new Date(0) };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },

    async close() {
      client.destroy();
      await rm(spool, { recursive: true, force: true });
    },
  };
}

function isNotFound(error: unknown): boolean {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
}
