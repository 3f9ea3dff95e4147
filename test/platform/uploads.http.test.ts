import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { publicRoute } from '../../src/platform/access.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { migrate, openDatabase, type Database } from '../../src/database.ts';
import { errors } from '../../src/platform/errors.ts';
import { createHttpServer } from '../../src/platform/http.tsx';
import type { Navigation } from '../../src/platform/views/layout.tsx';
import type { BlobStore } from '../../src/platform/storage/blob-store.ts';
import { openDocument, storeDocument, type DocumentDeps } from '../../src/platform/storage/documents.ts';
import { openFilesystemBlobStore } from '../../src/platform/storage/filesystem.ts';
import { receiveUpload, registerUploadRoute } from '../../src/platform/uploads.ts';
import { Browser } from '../helpers/portal.ts';
import { throwawayDatabase } from '../helpers/throwaway-database.ts';

const NO_LINKS: Navigation = { signedIn: [], signedOut: [], logout: '/logout', footer: [] };

/**
 * Nothing in the product takes a file yet: this app, made by the portal's own server factory
 * (security headers, CSRF, limits, error pages), carries one upload route as ELAR's will be,
 * storing each file as a document. Every refusal must leave no row and no blob behind.
 */

const MB = 1024 * 1024;
const ACCEPT = { 'application/pdf': 'PDF', 'image/png': 'PNG image', 'image/jpeg': 'JPEG image' };
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(200_000, 'x'), Buffer.from('\n%%EOF\n')]);
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
// The start of a Windows program: "MZ", then the PE header a few bytes on.
const EXE = Buffer.concat([
  Buffer.from('MZ'),
  Buffer.alloc(58),
  Buffer.from([0x40, 0, 0, 0]),
  Buffer.alloc(0x40 - 64),
  Buffer.from('PE\0\0'),
  Buffer.alloc(4000),
]);

let app: FastifyInstance;
let database: Database;
let dropDatabase = async () => {};
let dir: string;
let blobs: BlobStore;
let deps: DocumentDeps;
let address: string;

before(async () => {
  const serverUrl = process.env.DATABASE_URL;
  let databaseUrl: string | undefined;
  if (serverUrl) ({ url: databaseUrl, drop: dropDatabase } = await throwawayDatabase(serverUrl, 'uploads_test'));
  database = await openDatabase({ databaseUrl, dataDir: 'memory://', poolSize: 4 });
  await migrate(database.db);
  dir = await mkdtemp(join(tmpdir(), 'uploads-'));
  blobs = await openFilesystemBlobStore(join(dir, 'blobs'));
  deps = { db: database.db, blobs };

  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: 'memory://',
    RATE_LIMIT_POSTS_PER_MINUTE: '0',
  });
  app = await createHttpServer(config, false, 'test-secrets-key-0123456789abcdef012345', NO_LINKS);
  // The app's access check wants every route declared; these test routes are public.
  const open = publicRoute('a test route of the upload machinery');
  app.get('/evidence', open, async (request, reply) =>
    reply
      .type('text/html')
      .send(
        `<form method="post" enctype="multipart/form-data"><input type="hidden" name="_csrf" value="${request.view.csrfToken()}"></form>`,
      ),
  );
  registerUploadRoute(app, {
    url: '/evidence',
    config: open.config,
    bodyLimit: 10 * MB,
    accept: ACCEPT,
    fileField: 'document',
    handler: async (request, reply) => {
      const { stored } = await receiveUpload(request, (file) =>
        storeDocument(deps, {
          owner: { kind: 'test-application', id: file.fields.application ?? 'none' },
          content: file.stream,
          detectedType: file.detectedType,
          declaredName: file.declaredName,
          retention: { class: 'application-evidence' },
        }),
      );
      return reply.code(303).header('location', `/evidence/${stored.id}`).send();
    },
  });
  // A route that declares no limit of its own keeps the server's 64 KB.
  registerUploadRoute(app, {
    url: '/photo',
    config: open.config,
    accept: ACCEPT,
    fileField: 'photo',
    handler: async (request, reply) => {
      const { stored } = await receiveUpload(request, (file) => buffer(file.stream));
      return reply.send(`received ${stored.length} bytes`);
    },
  });
  app.get<{ Params: { id: string } }>('/evidence/:id', open, async (request, reply) => {
    const opened = await openDocument(deps, request.params.id);
    if (!opened) throw errors.notFound();
    return reply.type(opened.document.detected_type).send(opened.content.body);
  });
  app.post('/plain-form', open, async () => 'ok');
  address = await app.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => {
  await app?.close();
  await database?.close();
  await dropDatabase();
  await rm(dir, { recursive: true, force: true });
});

type Part = [name: string, value: string] | [name: string, bytes: Buffer, fileName: string, declaredType?: string];

/** A form as a browser encodes it, parts in the order given. */
async function multipart(parts: Part[]): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, value, fileName, declaredType] of parts) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([new Uint8Array(value)], { type: declaredType ?? 'application/pdf' }), fileName);
  }
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return { body: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

/** A browser that has opened the upload page: its cookies and its form's token. */
async function browser(): Promise<{ cookie: string; csrf: string }> {
  const b = new Browser(app);
  await b.get('/evidence');
  assert.ok(b.csrf, 'the page gave a token');
  return { cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '), csrf: b.csrf };
}

async function upload(url: string, parts: Part[], options: { cookie?: string; chunked?: boolean } = {}) {
  const { body, contentType } = await multipart(parts);
  return app.inject({
    method: 'POST',
    url,
    // A stream has no length up front, as with a chunked request.
    payload: options.chunked ? Readable.from([body]) : body,
    headers: { 'content-type': contentType, ...(options.cookie ? { cookie: options.cookie } : {}) },
  });
}

async function stored(): Promise<{ rows: number; blobs: number }> {
  const rows = await database.db.selectFrom('document').select('id').execute();
  let count = 0;
  for await (const _ of blobs.list()) count++;
  return { rows: rows.length, blobs: count };
}

/** A refusal: its status, its message on a page, and nothing stored. */
async function assertRefused(
  res: { statusCode: number; body: string; headers: Record<string, unknown> },
  status: number,
  message: string,
  before: { rows: number; blobs: number },
) {
  assert.equal(res.statusCode, status, res.body.slice(0, 300));
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.ok(res.body.includes(message.replace(/'/g, '&#39;')), `the page says: ${message}`);
  assert.deepEqual(await stored(), before, 'nothing stored');
}

describe('an upload form', () => {
  test('a PDF sent with the token first is stored as a document: its real type, name, size and checksum, and the same bytes come back', async () => {
    const { cookie, csrf } = await browser();
    const res = await upload(
      '/evidence',
      [
        ['_csrf', csrf],
        ['application', 'A-1001'],
        ['document', PDF, 'transcript.pdf'],
      ],
      { cookie },
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 300));
    const id = String(res.headers.location).split('/').pop()!;
    const row = await database.db.selectFrom('document').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.owner_id, 'A-1001', 'the field before the file reached the handler');
    assert.equal(row.detected_type, 'application/pdf');
    assert.equal(row.declared_name, 'transcript.pdf');
    assert.equal(row.size, PDF.length);
    assert.equal(row.sha256, createHash('sha256').update(PDF).digest('hex'));
    assert.equal(row.scan_state, 'pending');
    const download = await app.inject({ method: 'GET', url: `/evidence/${id}` });
    assert.equal(download.statusCode, 200);
    assert.ok(download.rawPayload.equals(PDF), 'the bytes come back unchanged');
  });

  test('a type is judged by its bytes: a PNG named .pdf is stored as a PNG', async () => {
    const { cookie, csrf } = await browser();
    const res = await upload(
      '/evidence',
      [
        ['_csrf', csrf],
        ['document', PNG, 'scan.pdf', 'application/pdf'],
      ],
      { cookie },
    );
    assert.equal(res.statusCode, 303);
    const id = String(res.headers.location).split('/').pop()!;
    const row = await database.db
      .selectFrom('document')
      .select(['detected_type', 'declared_name'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { detected_type: 'image/png', declared_name: 'scan.pdf' });
  });

  test('without a token: refused as a forged form, nothing stored', async () => {
    const { cookie } = await browser();
    const before = await stored();
    await assertRefused(
      await upload('/evidence', [['document', PDF, 'transcript.pdf']], { cookie }),
      403,
      errors.csrf().message,
      before,
    );
    await assertRefused(
      await upload(
        '/evidence',
        [
          ['application', 'A-1'],
          ['document', PDF, 'transcript.pdf'],
        ],
        { cookie },
      ),
      403,
      errors.csrf().message,
      before,
    );
  });

  test("with a wrong token, or another browser's: refused, nothing stored", async () => {
    const { cookie } = await browser();
    const other = await browser();
    const before = await stored();
    await assertRefused(
      await upload(
        '/evidence',
        [
          ['_csrf', 'forged'],
          ['document', PDF, 'a.pdf'],
        ],
        { cookie },
      ),
      403,
      errors.csrf().message,
      before,
    );
    await assertRefused(
      await upload(
        '/evidence',
        [
          ['_csrf', other.csrf],
          ['document', PDF, 'a.pdf'],
        ],
        { cookie },
      ),
      403,
      errors.csrf().message,
      before,
    );
  });

  test('with the token after the file: refused before the file is read, nothing stored', async () => {
    const { cookie, csrf } = await browser();
    const before = await stored();
    await assertRefused(
      await upload(
        '/evidence',
        [
          ['document', PDF, 'transcript.pdf'],
          ['_csrf', csrf],
        ],
        { cookie },
      ),
      403,
      errors.csrf().message,
      before,
    );
  });

  test('a file over the route’s 10 MB: a 413 page that says the limit, nothing stored, whether the size is announced or not', async () => {
    const { cookie, csrf } = await browser();
    const before = await stored();
    const big = Buffer.concat([PDF, Buffer.alloc(10 * MB)]);
    const message = errors.uploadTooLarge(10 * MB).message;
    assert.match(message, /up to 10 MB/);
    await assertRefused(
      await upload(
        '/evidence',
        [
          ['_csrf', csrf],
          ['document', big, 'big.pdf'],
        ],
        { cookie },
      ),
      413,
      message,
      before,
    );
    await assertRefused(
      await upload(
        '/evidence',
        [
          ['_csrf', csrf],
          ['document', big, 'big.pdf'],
        ],
        { cookie, chunked: true },
      ),
      413,
      message,
      before,
    );
    // Just under the limit is taken.
    const fits = Buffer.concat([PDF, Buffer.alloc(10 * MB - PDF.length - 1024)]);
    assert.equal(
      (
        await upload(
          '/evidence',
          [
            ['_csrf', csrf],
            ['document', fits, 'fits.pdf'],
          ],
          { cookie, chunked: true },
        )
      ).statusCode,
      303,
    );
  });

  test('a Windows program renamed .pdf and declared as a PDF: refused with what is accepted, nothing stored', async () => {
    const { cookie, csrf } = await browser();
    const before = await stored();
    const res = await upload(
      '/evidence',
      [
        ['_csrf', csrf],
        ['document', EXE, 'transcript.pdf', 'application/pdf'],
      ],
      { cookie },
    );
    await assertRefused(res, 415, errors.uploadTypeRefused(Object.values(ACCEPT)).message, before);
    assert.match(res.body, /Send one of these: PDF, PNG image, JPEG image/);
    // Plain text has no signature at all: not a kind this form takes either.
    await assertRefused(
      await upload(
        '/evidence',
        [
          ['_csrf', csrf],
          ['document', Buffer.from('just some words'), 'notes.pdf'],
        ],
        { cookie },
      ),
      415,
      errors.uploadTypeRefused(Object.values(ACCEPT)).message,
      before,
    );
  });

  test('an empty file, or no file chosen at all: a clear 422, nothing stored', async () => {
    const { cookie, csrf } = await browser();
    const before = await stored();
    await assertRefused(
      await upload(
        '/evidence',
        [
          ['_csrf', csrf],
          ['document', Buffer.alloc(0), 'empty.pdf'],
        ],
        { cookie },
      ),
      422,
      errors.uploadEmpty().message,
      before,
    );
    // What a browser sends when the file input was left empty.
    await assertRefused(
      await upload(
        '/evidence',
        [
          ['_csrf', csrf],
          ['document', Buffer.alloc(0), '', 'application/octet-stream'],
        ],
        { cookie },
      ),
      422,
      errors.uploadEmpty().message,
      before,
    );
    await assertRefused(
      await upload(
        '/evidence',
        [
          ['_csrf', csrf],
          ['application', 'A-1'],
        ],
        { cookie },
      ),
      422,
      errors.uploadEmpty().message,
      before,
    );
  });

  test('a file in another field, or a form that is not multipart, is a 400', async () => {
    const { cookie, csrf } = await browser();
    const before = await stored();
    await assertRefused(
      await upload(
        '/evidence',
        [
          ['_csrf', csrf],
          ['other', PDF, 'a.pdf'],
        ],
        { cookie },
      ),
      400,
      errors.badRequest().message,
      before,
    );
    const res = await app.inject({
      method: 'POST',
      url: '/evidence',
      payload: `_csrf=${encodeURIComponent(csrf)}`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    });
    await assertRefused(res, 400, errors.badRequest().message, before);
  });

  test('20 uploads at once, over real connections: 20 documents, each with its own bytes', async () => {
    const { cookie, csrf } = await browser();
    const before = await stored();
    const files = Array.from({ length: 20 }, (_, i) =>
      Buffer.concat([Buffer.from(`%PDF-1.7\n% document ${i}\n`), Buffer.alloc(100_000 + i * 1000, i)]),
    );
    const responses = await Promise.all(
      files.map(async (file, i) => {
        const { body, contentType } = await multipart([
          ['_csrf', csrf],
          ['application', `P-${i}`],
          ['document', file, `file-${i}.pdf`],
        ]);
        return fetch(`${address}/evidence`, {
          method: 'POST',
          body: new Uint8Array(body),
          headers: { 'content-type': contentType, cookie },
          redirect: 'manual',
        });
      }),
    );
    assert.deepEqual(
      responses.map((r) => r.status),
      Array(20).fill(303),
    );
    assert.deepEqual(await stored(), { rows: before.rows + 20, blobs: before.blobs + 20 });
    for (const [i, res] of responses.entries()) {
      const download = await fetch(`${address}${res.headers.get('location')}`);
      assert.ok(Buffer.from(await download.arrayBuffer()).equals(files[i]!), `upload ${i} came back whole`);
      const row = await database.db
        .selectFrom('document')
        .select('owner_id')
        .where('id', '=', res.headers.get('location')!.split('/').pop()!)
        .executeTakeFirstOrThrow();
      assert.equal(row.owner_id, `P-${i}`);
    }
  });

  test('over a real connection, a refused upload is answered with its page while the browser is still sending', async () => {
    const { cookie, csrf } = await browser();
    const before = await stored();
    const big = Buffer.concat([PDF, Buffer.alloc(12 * MB)]);
    const cases: Array<[Part[], number, string]> = [
      [
        [
          ['_csrf', csrf],
          ['document', big, 'big.pdf'],
        ],
        413,
        errors.uploadTooLarge(10 * MB).message,
      ],
      [
        [
          ['document', Buffer.concat([PDF, Buffer.alloc(5 * MB)]), 'a.pdf'],
          ['_csrf', csrf],
        ],
        403,
        errors.csrf().message,
      ],
      [
        [
          ['_csrf', csrf],
          ['document', Buffer.concat([EXE, Buffer.alloc(5 * MB)]), 'a.pdf'],
        ],
        415,
        errors.uploadTypeRefused(Object.values(ACCEPT)).message,
      ],
    ];
    for (const [parts, status, message] of cases) {
      const { body, contentType } = await multipart(parts);
      // Sent in pieces with no length announced, as a slow browser would.
      const pieces = Readable.toWeb(
        Readable.from(
          Array.from(
            { length: Math.ceil(body.length / 65536) },
            (_, i) => new Uint8Array(body.subarray(i * 65536, (i + 1) * 65536)),
          ),
        ),
      );
      const res = await fetch(`${address}/evidence`, {
        method: 'POST',
        body: pieces,
        duplex: 'half',
        headers: { 'content-type': contentType, cookie },
        redirect: 'manual',
      } as RequestInit);
      assert.equal(res.status, status);
      assert.ok((await res.text()).includes(message.replace(/'/g, '&#39;')), message);
    }
    assert.deepEqual(await stored(), before);
  });
});

describe('limits elsewhere stay as they were', () => {
  test('an upload route that declares no limit takes 64 KB, the server default', async () => {
    const { cookie, csrf } = await browser();
    const small = await upload(
      '/photo',
      [
        ['_csrf', csrf],
        ['photo', Buffer.concat([PNG, Buffer.alloc(30_000)]), 'me.png'],
      ],
      { cookie },
    );
    assert.equal(small.statusCode, 200);
    assert.equal(small.body, `received ${PNG.length + 30_000} bytes`);
    const large = await upload(
      '/photo',
      [
        ['_csrf', csrf],
        ['photo', Buffer.concat([PNG, Buffer.alloc(70_000)]), 'me.png'],
      ],
      { cookie, chunked: true },
    );
    assert.equal(large.statusCode, 413);
    assert.match(large.body, /up to 64 KB/);
  });

  test('other forms still refuse multipart bodies (415) and anything over 64 KB (413)', async () => {
    const { cookie, csrf } = await browser();
    const { body, contentType } = await multipart([
      ['_csrf', csrf],
      ['name', 'x'],
    ]);
    assert.equal(
      (
        await app.inject({
          method: 'POST',
          url: '/plain-form',
          payload: body,
          headers: { cookie, 'content-type': contentType },
        })
      ).statusCode,
      415,
    );
    const big = await app.inject({
      method: 'POST',
      url: '/plain-form',
      payload: `_csrf=${csrf}&x=${'a'.repeat(70_000)}`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(big.statusCode, 413);
  });
});

describe('attack review, issue 12: forms that never end properly', () => {
  /** The files under the store's folder, partial ones included: nothing may be left behind. */
  async function filesOnDisk(): Promise<string[]> {
    const { readdir } = await import('node:fs/promises');
    return (await readdir(join(dir, 'blobs'), { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => e.name);
  }

  test('a form cut off before its end (in the token, early or late in the file) is a 400 page, never a 500, and leaves no file', async () => {
    const { cookie, csrf } = await browser();
    const before = await stored();
    const filesBefore = await filesOnDisk();
    const { body, contentType } = await multipart([
      ['_csrf', csrf],
      ['document', PDF, 'cut.pdf'],
    ]);
    const tokenEnds = body.indexOf(Buffer.from(csrf)) + csrf.length;
    // In the token's part; in the first bytes of the file (read to tell its type); deep in the file.
    for (const cut of [tokenEnds - 5, tokenEnds + 400, body.length - 5000]) {
      const res = await app.inject({
        method: 'POST',
        url: '/evidence',
        payload: Readable.from([body.subarray(0, cut)]),
        headers: { 'content-type': contentType, cookie },
      });
      await assertRefused(res, 400, errors.badRequest().message, before);
    }
    assert.deepEqual(await filesOnDisk(), filesBefore, 'no partial file left behind');
  });

  test('bytes that are never a part (an endless preamble) count against the route’s limit: 413 once it is passed', async () => {
    const { cookie } = await browser();
    const before = await stored();
    const { connect } = await import('node:net');
    const url = new URL(address);
    const junk = Buffer.alloc(MB, 65);
    // A client that sends junk with no boundary, chunk after chunk, up to 200 MB, reading
    // whatever the server answers meanwhile, as a browser does.
    const { answer, sentMb } = await new Promise<{ answer: string; sentMb: number }>((resolve) => {
      let answer = '';
      let sentMb = 0;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        socket.destroy();
        resolve({ answer, sentMb });
      };
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(
          `POST /evidence HTTP/1.1\r\nHost: ${url.host}\r\nCookie: ${cookie}\r\n` +
            'Content-Type: multipart/form-data; boundary=neverComes\r\nTransfer-Encoding: chunked\r\n\r\n',
        );
        const more = () => {
          while (!done && sentMb < 200) {
            sentMb++;
            if (
              !socket.write(Buffer.concat([Buffer.from(`${junk.length.toString(16)}\r\n`), junk, Buffer.from('\r\n')]))
            )
              return void socket.once('drain', more);
          }
          if (!done) socket.end('0\r\n\r\n');
        };
        more();
      });
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.on('error', finish);
      socket.on('close', finish);
    });
    assert.match(answer, /^HTTP\/1\.1 413 /, `${sentMb} MB: ${answer.slice(0, 100)}`);
    assert.ok(
      answer.includes(errors.uploadTooLarge(10 * MB).message.replace(/'/g, '&#39;')),
      'the page says the limit',
    );
    assert.ok(sentMb < 40, `the server stopped reading soon after 10 MB (the client had sent ${sentMb} MB)`);
    assert.deepEqual(await stored(), before);
  });
});
