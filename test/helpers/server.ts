import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** The portal as a child process, exactly as `npm start` runs it. */

/**
 * The `start` script of package.json, read as its `&&` steps: each one's environment
 * settings (`NAME=value` before `node`) and Node's arguments. First the build, then the
 * server (its flags, preloads and entry point).
 */
const START_STEPS = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(' && ')
  .map((step) => {
    const words = step.split(' ');
    const node = words.indexOf('node');
    return {
      env: Object.fromEntries(words.slice(0, node).map((w) => w.split('=', 2) as [string, string])),
      args: words.slice(node + 1),
    };
  });
const BUILD_STEPS = START_STEPS.slice(0, -1);
export const START_ARGS: string[] = START_STEPS.at(-1)!.args;
export const START_ENV: Record<string, string> = START_STEPS.at(-1)!.env;

/** What `npm start` does before starting the server (compile src/ into dist/). */
export function buildPortal(): void {
  for (const step of BUILD_STEPS)
    execFileSync(process.execPath, step.args, { env: { ...process.env, ...step.env }, stdio: 'inherit' });
}

/**
 * A port that was free a moment ago. Only for a spawned server whose own URL must be in its
 * configuration before it starts (PUBLIC_URL, the OpenID Connect issuer): anything else binds
 * port 0 and reads the port back, since a probed port can be taken before it is bound.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * A port for an app in this process, bound (port 0) before the app exists: the app's own
 * URL (PUBLIC_URL, the OpenID Connect issuer) is known when it is built, and a restart swaps
 * the app behind the port without closing it, so clients' keep-alive sockets stay good.
 */
export async function listenAhead(): Promise<{
  origin: string;
  serve(app: FastifyInstance): void;
  close(): Promise<void>;
}> {
  let current: FastifyInstance | undefined;
  const server = createHttpServer((req, res) => {
    if (current) current.routing(req, res);
    else res.writeHead(503).end('no app yet');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    serve: (app) => void (current = app),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export interface RunningPortal {
  url: string;
  stop(): Promise<void>;
}

export interface PortalProcess extends RunningPortal {
  child: ChildProcess;
  /** Ends the process with a signal and waits for it to be gone (SIGKILL: a crash). */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Builds and starts the portal with `env` (which must set HOST; PORT=0 or unset lets the
 * system choose a port) and resolves once it prints the address it is listening on (main.ts
 * prints it after it is ready), so no port is probed first and bound later by someone else.
 */
export async function spawnPortal(env: NodeJS.ProcessEnv, options: { quiet?: boolean } = {}): Promise<PortalProcess> {
  buildPortal();
  const child = spawn(process.execPath, START_ARGS, {
    env: { ...START_ENV, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('server did not become ready in 60 s')), 60_000);
    let seen = '';
    const onData = (chunk: Buffer) => {
      if (!options.quiet) process.stdout.write(chunk);
      seen += chunk.toString();
      const address = /^listening on (http:\/\/\S+)$/m.exec(seen)?.[1];
      if (address) done(() => resolve(address));
    };
    const onExit = (code: number | null, signal: string | null) =>
      fail(new Error(`server exited with ${code ?? signal} before listening`));
    const done = (settle: () => void) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      // Keep draining (and echoing) stdout, or a chatty server would block on a full pipe.
      child.stdout!.off('data', onData).on('data', (c: Buffer) => options.quiet || process.stdout.write(c));
      settle();
    };
    const fail = (error: Error) => {
      done(() => reject(error));
      child.kill('SIGKILL');
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
  const kill = async (signal: NodeJS.Signals) => {
    const exited = new Promise((r) =>
      child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r),
    );
    child.kill(signal);
    await exited;
  };
  return { url, child, kill, stop: () => kill('SIGTERM') };
}
