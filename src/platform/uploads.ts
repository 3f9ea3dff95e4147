import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import multipart, { type Multipart, type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { fileTypeFromBuffer } from 'file-type';
import { errors, PortalError } from './errors.ts';
import { BlobTooLargeError } from './storage/blob-store.ts';

/**
 * Forms that send a file (`multipart/form-data`). They get the same CSRF check as every
 * other form, and nothing of the file is read, let alone stored, before it has passed: the
 * form's first part must be its `_csrf` field (a hidden input placed before the file input),
 * and a form whose first part is anything else is refused as a forged one. Each upload route
 * declares how much it takes (the server's 64 KB stays the default) and which kinds of file,
 * judged by their bytes, never by their name or the browser's word.
 */

export interface UploadRoute {
  url: string;
  /** The most the whole form may send, in bytes (fields and file together); 64 KB if unset. */
  bodyLimit?: number;
  /** The MIME types taken, as read from the bytes, each with the word a person knows it by. */
  accept: Record<string, string>;
  /** The name of the form's file input. */
  fileField: string;
  config?: RouteShorthandOptions['config'];
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/** What the route's handler gets to store: the bytes as they arrive, once their kind is known. */
export interface IncomingFile {
  stream: Readable;
  detectedType: string;
  /** The file's name on the person's computer, for showing back only: never a path. */
  declaredName: string;
  /** The form's fields sent before the file. */
  fields: Record<string, string>;
}

const FIELD_LIMITS = { fields: 20, fieldSize: 8 * 1024, parts: 22, headerPairs: 50 };
/** Enough of the start of a file for file-type to tell what it is. */
const SNIFF_BYTES = 64 * 1024;

interface Pending {
  parts: AsyncIterableIterator<Multipart>;
  route: UploadRoute;
  limit: number;
  /** Rejects once the request has sent more than the limit, wherever in the form the bytes were. */
  overflow: Promise<never>;
}
const pending = new WeakMap<FastifyRequest, Pending>();

/**
 * Registers a POST route that takes one file. Multipart parsing exists only inside the
 * route's own scope, so every other form keeps refusing multipart bodies as before.
 */
export function registerUploadRoute(app: FastifyInstance, route: UploadRoute): void {
  void app.register(async (scope) => {
    await scope.register(multipart, { throwFileSizeLimit: true });
    const limit = route.bodyLimit ?? app.initialConfig.bodyLimit ?? 64 * 1024;
    scope.post(route.url, {
      bodyLimit: limit,
      ...(route.config ? { config: route.config } : {}),
      preValidation: (request, reply) => readTokenFirst(request, reply, route, limit),
      handler: route.handler,
    });
  });
}

/**
 * Runs before the shared CSRF check: takes the form's first part, which must be `_csrf`, and
 * hands it to the check as any form's body would be, leaving the rest of the form unread.
 */
async function readTokenFirst(
  request: FastifyRequest,
  reply: FastifyReply,
  route: UploadRoute,
  limit: number,
): Promise<void> {
  // A browser says how much is coming: refuse before reading any of it.
  if (Number(request.headers['content-length'] ?? 0) > limit) throw errors.uploadTooLarge(limit);
  if (!request.isMultipart()) throw errors.badRequest();
  const parts = request.parts({ limits: { ...FIELD_LIMITS, files: 1, fileSize: limit } });
  const overflow = watchBodySize(request.raw, reply.raw, limit);
  const first = await nextPart(parts, limit, overflow);
  if (!first || first.type !== 'field' || first.fieldname !== '_csrf' || typeof first.value !== 'string')
    throw errors.csrf();
  request.body = { _csrf: first.value };
  pending.set(request, { parts, route, limit, overflow });
}

/**
 * The parser's limits count the bytes of fields and files only: a body that never reaches a
 * part (an endless preamble, with no length announced) would be read for ever. This counts
 * every byte the request sends; past the limit the parser is fed no more and whatever is
 * waiting on the form fails with the route's 413 (attack review, issue 12).
 */
function watchBodySize(raw: IncomingMessage, response: ServerResponse, limit: number): Promise<never> {
  const overflow = new Promise<never>((_, reject) => {
    let received = 0;
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limit) return;
      raw.off('data', count);
      raw.unpipe();
      raw.pause();
      // Whatever was waiting on the form answers 413; if the answer is out already (junk
      // sent after the file), the connection just ends.
      if (response.writableFinished) lingerThenClose(raw, limit);
      else response.once('finish', () => lingerThenClose(raw, limit));
      reject(errors.uploadTooLarge(limit));
    };
    // Added after the parser's pipe (request.parts() pipes at once), so no byte flows past it.
    raw.on('data', count);
  });
  // Only awaited while the form is being read; a body that overflows afterwards concerns no one.
  overflow.catch(() => undefined);
  return overflow;
}

/**
 * Ending the connection while the client is still sending resets it, and the client may lose
 * the answer unread: the rest is taken in and thrown away, up to the limit again, and only a
 * body longer than that loses its connection. So an endless body is never read to its end,
 * and a slow one is bound by the bytes, however long it takes (a slow client cannot be told
 * from a busy server by the clock).
 */
function lingerThenClose(raw: IncomingMessage, limit: number): void {
  let discarded = 0;
  raw.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limit) raw.destroy();
  });
  raw.resume();
}

/**
 * Reads the rest of the form: its fields, then the file, whose first bytes decide whether
 * it is a kind the route takes before `store` sees any of it. `store` gets a stream that
 * fails if the file passes the route's limit, so whatever it was writing is abandoned.
 * Fields after the file are not read: the file input comes last in the form.
 */
export async function receiveUpload<T>(
  request: FastifyRequest,
  store: (file: IncomingFile) => Promise<T>,
): Promise<{ stored: T; fields: Record<string, string> }> {
  const upload = pending.get(request);
  if (!upload) throw new Error(`${request.url} is not an upload route (registerUploadRoute)`);
  pending.delete(request);
  const { parts, route, limit, overflow } = upload;
  const fields: Record<string, string> = {};
  for (let part = await nextPart(parts, limit, overflow); part; part = await nextPart(parts, limit, overflow)) {
    if (part.type === 'field') {
      if (typeof part.value !== 'string' || part.value.includes('\u0000') || part.valueTruncated)
        throw errors.badRequest();
      if (part.fieldname !== '_csrf') fields[part.fieldname] = part.value;
      continue;
    }
    if (part.fieldname !== route.fileField) throw errors.badRequest();
    const file = await sniff(part, route, limit, overflow);
    try {
      return { stored: await store({ ...file, fields: { ...fields } }), fields };
    } catch (error) {
      if (error instanceof BlobTooLargeError) throw errors.uploadTooLarge(limit);
      throw error;
    }
  }
  throw errors.uploadEmpty();
}

async function nextPart(
  parts: AsyncIterableIterator<Multipart>,
  limit: number,
  overflow: Promise<never>,
): Promise<Multipart | undefined> {
  try {
    const { done, value } = await Promise.race([parts.next(), overflow]);
    return done ? undefined : value;
  } catch (error) {
    throw asUploadError(error, limit);
  }
}

async function sniff(
  part: MultipartFile,
  route: UploadRoute,
  limit: number,
  overflow: Promise<never>,
): Promise<Omit<IncomingFile, 'fields'>> {
  const iterator = part.file[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  // Each read of the file fails as the form would: past the limit, or cut off (a 4xx, never a 500).
  const chunks = {
    next: () =>
      Promise.race([iterator.next(), overflow]).catch((error: unknown) => Promise.reject(asUploadError(error, limit))),
  };
  const head: Buffer[] = [];
  let headSize = 0;
  let ended = false;
  while (headSize < SNIFF_BYTES) {
    const { done, value } = await chunks.next();
    if (done) {
      ended = true;
      break;
    }
    head.push(value);
    headSize += value.length;
  }
  if (part.file.truncated) throw errors.uploadTooLarge(limit);
  if (headSize === 0) throw errors.uploadEmpty();
  const start = Buffer.concat(head);
  const detected = await fileTypeFromBuffer(start);
  if (!detected || !Object.hasOwn(route.accept, detected.mime))
    throw errors.uploadTypeRefused(Object.values(route.accept));

  const stream = Readable.from(
    (async function* () {
      yield start;
      if (ended) return;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
      // Busboy ends a file at the limit without an error of its own; this is the error.
      if (part.file.truncated) throw errors.uploadTooLarge(limit);
    })(),
  );
  return { stream, detectedType: detected.mime, declaredName: declaredName(part.filename) };
}

/** Busboy already drops folders from the name; what is left is kept printable and short. */
function declaredName(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255) || 'file';
}

/**
 * The multipart plugin's limit errors carry 413; any of them, at any part, is the route's
 * limit. Every other error of the parser is the form's own fault (cut off before its end,
 * a malformed part): a 400, never a 500 (attack review, issue 12).
 */
function asUploadError(error: unknown, limit: number): PortalError {
  if (error instanceof PortalError) return error;
  if ((error as { statusCode?: number }).statusCode === 413) return errors.uploadTooLarge(limit);
  return errors.badRequest();
}
