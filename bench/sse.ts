import { fork, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { START_ARGS, START_ENV } from '../test/helpers/server.ts';
import { throwawayDatabase } from '../test/helpers/throwaway-database.ts';
import { memoryOf, percentile } from './http.ts';

/**
 * `npm run bench -- sse [--connections N]`: how many live-status streams one instance holds,
 * in how much memory, and how soon a committed event reaches them. autocannon cannot hold
 * event streams, so this is its own client: N plain node:http connections from this process
 * to a server child (bench/sse-server.ts, compiled and run with `npm start`'s flags).
 *
 * 1. fan-out: every stream on one channel; one event, committed once, reaches all N;
 * 2. per person: each stream on its own channel (N channels LISTENed on the one
 *    connection), one transaction publishing N events, one to each (ELAR's shape).
 * Latency is from the start of the publishing transaction to the frame's arrival here.
 */

interface Stream {
  closed: boolean;
  leave(): void;
}

const now = () => performance.timeOrigin + performance.now();

function open(origin: string, channel: string, deliveries: number[]): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}/status/${channel}`, { agent: false, headers: { accept: 'text/event-stream' } });
    const stream: Stream = { closed: false, leave: () => req.destroy() };
    req.on('error', reject);
    req.on('response', (response) => {
      if (response.statusCode !== 200) return reject(new Error(`stream answered ${response.statusCode}`));
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (frame.startsWith('event: subscribed')) resolve(stream);
          const data = /^event: status\ndata: (\S+) /m.exec(frame)?.[1];
          if (data) {
            deliveries.push(now() - Number(data));
          }
        }
      });
      response.on('close', () => void (stream.closed = true));
    });
    req.end();
  });
}

function next<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`server exited (${code})`));
    const onMessage = (message: Record<string, unknown>) => {
      if (!(key in message)) return;
      child.off('message', onMessage).off('exit', onExit);
      resolve(message[key] as T);
    };
    child.on('message', onMessage).once('exit', onExit);
  });
}

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const summary = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`;
};

let lastCount: { streams: number; subscribers: number } | undefined;

export async function sseBench(args: string[]): Promise<void> {
  const n = args.includes('--connections') ? Number(args[args.indexOf('--connections') + 1]) : 2000;
  const serverUrl = process.env.DATABASE_URL;
  const throwaway = serverUrl ? await throwawayDatabase(serverUrl, 'bench_sse') : undefined;
  // Inside the project, so the compiled server finds its packages in node_modules.
  mkdirSync('dist', { recursive: true });
  const dir = mkdtempSync('dist/.bench-sse-');
  await build({
    entryPoints: ['bench/sse-server.ts'],
    outfile: join(dir, 'sse-server.js'),
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node24',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'warning',
  });
  // `npm start`'s flags and environment, with this server in place of dist/main.js.
  const child = fork(join(dir, 'sse-server.js'), [], {
    execArgv: START_ARGS.slice(0, -1),
    env: { ...process.env, ...START_ENV, DATABASE_URL: throwaway?.url ?? '', SSE_MAX_CONNECTIONS: String(n) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const origin = await next<string>(child, 'origin');
    child.on('message', (message: { count?: typeof lastCount }) => void (message.count && (lastCount = message.count)));
    const idle = memoryOf(child.pid!);
    // Peak RSS from here on (Linux: 5 resets VmHWM), not PGlite's start-up peak.
    writeFileSync(`/proc/${child.pid}/clear_refs`, '5');
    console.log(
      `SSE: ${n} connections, database ${serverUrl ? 'PostgreSQL' : 'PGlite (embedded)'}; server idle ${idle.rssMb} MB RSS`,
    );
    for (const scenario of ['fan-out', 'per person'] as const) {
      const deliveries: number[] = [];
      const channel = (i: number) => (scenario === 'fan-out' ? 'bench_status' : `bench_person_${i}`);
      const started = Date.now();
      const streams: Stream[] = [];
      // In batches, so the listen backlog is never the limit being measured.
      for (let i = 0; i < n; i += 200)
        streams.push(
          ...(await Promise.all(
            Array.from({ length: Math.min(200, n - i) }, (_, j) => open(origin, channel(i + j), deliveries)),
          )),
        );
      const openMs = Date.now() - started;
      const connected = memoryOf(child.pid!);
      const rounds = 5;
      for (let round = 1; round <= rounds; round++) {
        const events =
          scenario === 'fan-out'
            ? [{ channel: 'bench_status', payload: String(round) }]
            : streams.map((_, i) => ({ channel: channel(i), payload: String(round) }));
        child.send({ publish: events });
        await next(child, 'published');
        await until(`round ${round} reached every stream`, () => deliveries.length === n * round);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      console.log(
        `  ${scenario}: opened in ${openMs} ms; RSS with ${n} open ${connected.rssMb} MB; delivery over ${rounds} rounds: ${summary(deliveries)}; peak RSS since start-up ${memoryOf(child.pid!).peakMb} MB`,
      );
      if (scenario === 'per person') {
        child.send({ close: true });
        const closeMs = await next<number>(child, 'closed');
        await until('every stream ended', () => streams.every((s) => s.closed), 10_000);
        console.log(`  app.close() with ${n} open streams: ${closeMs} ms`);
      } else {
        // The clients leave (tabs closed); the server must let go of every stream and subscription.
        for (const stream of streams) stream.leave();
        await until('the server holds no stream', () => {
          child.send({ count: true });
          return lastCount?.streams === 0 && lastCount.subscribers === 0;
        });
      }
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    await throwaway?.drop();
  }
}
