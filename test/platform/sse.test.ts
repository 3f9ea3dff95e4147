import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { publicRoute } from '../../src/platform/access.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { openDatabase, type Database } from '../../src/database.ts';
import { createHttpServer } from '../../src/platform/http.tsx';
import type { Navigation } from '../../src/platform/views/layout.tsx';
import { EventBus, publish, SseStreams, type SseSettings, type SseStream } from '../../src/platform/events/index.ts';
import { until } from '../helpers/database.ts';
import { throwawayDatabase } from '../helpers/throwaway-database.ts';

/**
 * Event streams served by the portal's own server factory (security headers, error pages),
 * on a route shaped like ELAR's status stream will be: subscribe to a channel, say where the
 * client resumes, forward each event, and let go of the subscription when the client leaves.
 */

const NO_LINKS: Navigation = { signedIn: [], signedOut: [], logout: '/logout', footer: [] };

let database: Database;
let drop = async () => {};
let bus: EventBus;

before(async () => {
  const serverUrl = process.env.DATABASE_URL;
  let databaseUrl: string | undefined;
  if (serverUrl) ({ url: databaseUrl, drop } = await throwawayDatabase(serverUrl, 'sse_test'));
  database = await openDatabase({ databaseUrl, dataDir: 'memory://', poolSize: 2 });
  bus = new EventBus(database.notifications);
  await bus.ready;
});

after(async () => {
  await bus.close();
  await database.close();
  await drop();
});

interface Served {
  app: FastifyInstance;
  origin: string;
  streams: SseStreams;
  /** The streams the route opened, newest last. */
  opened: SseStream[];
}

async function serve(settings: Partial<SseSettings> = {}): Promise<Served> {
  const app = await createHttpServer(loadConfig({}), false, 's'.repeat(32), NO_LINKS);
  const streams = new SseStreams(app, { maxConnections: 10, ...settings });
  const opened: SseStream[] = [];
  app.get('/status/:channel', publicRoute('test stream'), async (request, reply) => {
    const stream = streams.open(request, reply);
    opened.push(stream);
    const subscription = await bus.subscribe((request.params as { channel: string }).channel, {
      event: (payload) => stream.send({ id: payload, event: 'status', data: payload }),
    });
    stream.onClose(() => void subscription.unsubscribe());
    stream.send({ event: 'resumed-from', data: stream.lastEventId ?? 'the start' });
  });
  const origin = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, origin, streams, opened };
}

/** An EventSource-like client: what arrived so far, and a way to wait for more. */
interface Client {
  response: IncomingMessage;
  text(): string;
  waitFor(pattern: RegExp): Promise<void>;
  ended: Promise<void>;
  leave(): void;
}

function connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false });
    req.on('error', reject);
    req.on('response', (response) => {
      let received = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (received += chunk));
      response.on('error', () => undefined);
      const ended = new Promise<void>((done) => response.on('close', done));
      resolve({
        response,
        text: () => received,
        waitFor: (pattern) => until(`the stream carries ${pattern}`, () => pattern.test(received), 5000),
        ended,
        leave: () => req.destroy(),
      });
    });
    req.end();
  });
}

describe('server-sent events', () => {
  test('a stream opens as text/event-stream, uncached and unbuffered, with the retry hint and the security headers', async () => {
    const served = await serve({ retryMs: 3000 });
    try {
      const client = await connect(`${served.origin}/status/sse_headers`);
      assert.equal(client.response.statusCode, 200);
      assert.equal(client.response.headers['content-type'], 'text/event-stream; charset=utf-8');
      assert.match(String(client.response.headers['cache-control']), /no-cache/);
      assert.equal(client.response.headers['x-accel-buffering'], 'no');
      assert.equal(client.response.headers['x-content-type-options'], 'nosniff', "the app's own headers still go out");
      await client.waitFor(/event: resumed-from/);
      assert.ok(client.text().startsWith('retry: 3000\n\n'));
      client.leave();
    } finally {
      await served.app.close();
    }
  });

  test('an event committed on the channel arrives as one frame, with its id and name; lines of data stay lines', async () => {
    const served = await serve();
    try {
      const client = await connect(`${served.origin}/status/sse_frames`);
      await client.waitFor(/event: resumed-from\ndata: the start\n\n/);
      await database.db.transaction().execute((trx) => publish(trx, 'sse_frames', '41'));
      await client.waitFor(/id: 41\nevent: status\ndata: 41\n\n/);
      served.opened[0]!.send({ data: 'first line\nsecond line' });
      await client.waitFor(/data: first line\ndata: second line\n\n/);
      assert.throws(() => served.opened[0]!.send({ id: '1\ndata: forged', data: 'x' }), /line break/);
      client.leave();
    } finally {
      await served.app.close();
    }
  });

  test('an idle stream carries a heartbeat comment', async () => {
    const served = await serve({ heartbeatMs: 50 });
    try {
      const client = await connect(`${served.origin}/status/sse_heartbeat`);
      await client.waitFor(/\n:\n\n/);
      client.leave();
    } finally {
      await served.app.close();
    }
  });

  test('the client resumes from Last-Event-ID, else from the lastEventId parameter; the header wins', async () => {
    const served = await serve();
    try {
      const resumed = async (path: string, headers: Record<string, string> = {}) => {
        const client = await connect(`${served.origin}${path}`, headers);
        await client.waitFor(/event: resumed-from\ndata: .*\n\n/);
        client.leave();
        return /event: resumed-from\ndata: (.*)\n\n/.exec(client.text())![1];
      };
      assert.equal(await resumed('/status/sse_resume'), 'the start');
      assert.equal(await resumed('/status/sse_resume', { 'last-event-id': '1042' }), '1042');
      assert.equal(await resumed('/status/sse_resume?lastEventId=977'), '977');
      assert.equal(await resumed('/status/sse_resume?lastEventId=977', { 'last-event-id': '1042' }), '1042');
      const tooLong = await fetch(`${served.origin}/status/sse_resume?lastEventId=${'9'.repeat(129)}`);
      assert.equal(tooLong.status, 400);
      await tooLong.body?.cancel();
      const control = await fetch(`${served.origin}/status/sse_resume?lastEventId=1%00`);
      assert.equal(control.status, 400);
      await control.body?.cancel();
    } finally {
      await served.app.close();
    }
  });

  test('a client that leaves takes its stream and its subscription with it', async () => {
    const served = await serve();
    try {
      const before = bus.subscriberCount;
      const clients = await Promise.all(Array.from({ length: 5 }, () => connect(`${served.origin}/status/sse_leave`)));
      await Promise.all(clients.map((c) => c.waitFor(/event: resumed-from/)));
      assert.equal(served.streams.count, 5);
      assert.equal(bus.subscriberCount, before + 5);
      for (const client of clients) client.leave();
      await until('every stream is closed', () => served.streams.count === 0);
      await until('every subscription is gone', () => bus.subscriberCount === before);
      assert.ok(served.opened.every((stream) => stream.closed));
    } finally {
      await served.app.close();
    }
  });

  test('beyond the cap a client is answered 503 with Retry-After, and is served again once a stream ends', async () => {
    const served = await serve({ maxConnections: 2 });
    try {
      const first = await connect(`${served.origin}/status/sse_cap`);
      const second = await connect(`${served.origin}/status/sse_cap`);
      const refused = await fetch(`${served.origin}/status/sse_cap`);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '30');
      assert.match(await refused.text(), /Live updates are busy/);
      first.leave();
      await until('the first stream is closed', () => served.streams.count === 1);
      const third = await connect(`${served.origin}/status/sse_cap`);
      assert.equal(third.response.statusCode, 200);
      second.leave();
      third.leave();
    } finally {
      await served.app.close();
    }
  });

  test('a client that reads nothing is let go once its unread events pass the limit', async () => {
    const served = await serve({ maxBufferedBytes: 16 * 1024 });
    try {
      const client = await connect(`${served.origin}/status/sse_slow`);
      await client.waitFor(/event: resumed-from/);
      client.response.pause();
      const stream = served.opened[0]!;
      const big = 'x'.repeat(8 * 1024);
      for (let i = 0; i < 1000 && !stream.closed; i++) {
        stream.send({ data: big });
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.ok(stream.closed, 'the stream was ended rather than buffered without bound');
      assert.equal(served.streams.count, 0);
      client.leave();
    } finally {
      await served.app.close();
    }
  });

  test('app.close() ends open streams and returns', async () => {
    const served = await serve();
    const before = bus.subscriberCount;
    const clients = await Promise.all(Array.from({ length: 3 }, () => connect(`${served.origin}/status/sse_close`)));
    await Promise.all(clients.map((c) => c.waitFor(/event: resumed-from/)));
    const started = Date.now();
    await served.app.close();
    assert.ok(Date.now() - started < 2000, `closed in ${Date.now() - started} ms`);
    await Promise.all(clients.map((c) => c.ended));
    assert.equal(served.streams.count, 0);
    await until('every subscription is gone', () => bus.subscriberCount === before);
  });
});
