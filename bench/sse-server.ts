import { sql } from 'kysely';
import { loadConfig } from '../src/platform/config.ts';
import { openDatabase } from '../src/database.ts';
import { publicRoute } from '../src/platform/access.ts';
import { createHttpServer } from '../src/platform/http.tsx';
import { EventBus, publish, SseStreams } from '../src/platform/events/index.ts';

/**
 * The server half of `npm run bench -- sse`, a child process compiled and started the way
 * `npm start` runs the portal: the portal's own server factory with one event-stream route
 * shaped like ELAR's (subscribe to the channel, forward each event), the event bus on
 * DATABASE_URL or an in-memory PGlite, and commands from the parent over IPC.
 */

type Command = { publish: { channel: string; payload: string }[] } | { count: true } | { close: true };

const send = (message: object) => process.send!(message);
const config = loadConfig({ NODE_ENV: 'test' });
const database = await openDatabase({
  databaseUrl: process.env.DATABASE_URL || undefined,
  dataDir: 'memory://',
  poolSize: 4,
});
const bus = new EventBus(database.notifications);
await bus.ready;
const app = await createHttpServer(config, false, 's'.repeat(32), {
  signedIn: [],
  signedOut: [],
  logout: '/logout',
  footer: [],
});
const streams = new SseStreams(app, { maxConnections: Number(process.env.SSE_MAX_CONNECTIONS ?? 2000) });
app.get('/status/:channel', publicRoute('benchmark stream'), async (request, reply) => {
  const stream = streams.open(request, reply);
  const subscription = await bus.subscribe((request.params as { channel: string }).channel, {
    event: (data) => stream.send({ event: 'status', data }),
  });
  stream.onClose(() => void subscription.unsubscribe());
  stream.send({ event: 'subscribed', data: '' });
});
const origin = await app.listen({ port: 0, host: '127.0.0.1' });

process.on('message', async (command: Command) => {
  if ('publish' in command) {
    // The clock starts before the transaction: the latency includes publishing and the commit.
    const sentAt = performance.timeOrigin + performance.now();
    await database.db.transaction().execute(async (trx) => {
      if (command.publish.length === 1) {
        const [event] = command.publish;
        await publish(trx, event!.channel, `${sentAt} ${event!.payload}`);
      } else {
        // Many events in one statement: the figure is their delivery, not a round trip per publish.
        const channels = command.publish.map((event) => event.channel);
        const payloads = command.publish.map((event) => `${sentAt} ${event.payload}`);
        await sql`select pg_notify(c, p) from unnest(${channels}::text[], ${payloads}::text[]) as e(c, p)`.execute(trx);
      }
    });
    send({ published: command.publish.length, streams: streams.count, subscribers: bus.subscriberCount });
  } else if ('count' in command) {
    send({ count: { streams: streams.count, subscribers: bus.subscriberCount } });
  } else {
    const started = Date.now();
    await app.close();
    const closeMs = Date.now() - started;
    await bus.close();
    await database.close();
    send({ closed: closeMs });
    process.disconnect();
  }
});
send({ origin });
