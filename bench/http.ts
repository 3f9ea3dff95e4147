import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { isCleared, parseSetCookie } from '../test/helpers/cookies.ts';
import { freePort, spawnPortal } from '../test/helpers/server.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Helpers for the benchmarks: servers as child processes, a cookie jar, closed loops. */

export { freePort };

export interface Child {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after 90 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function stopper(child: ChildProcess, cleanup = () => {}) {
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    cleanup();
  };
}

/** The portal exactly as `npm start` runs it, on a fresh embedded database (or DATABASE_URL). */
export async function startPortal(
  prepare?: (env: NodeJS.ProcessEnv) => void | Promise<void>,
): Promise<Child & { env: NodeJS.ProcessEnv }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'portal-bench-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    // The benchmark pays with the test card; production refuses an unnamed provider.
    PAYMENT_PROVIDER: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    SSN_HMAC_KEY: 'bench-ssn-key-0123456789abcdef0123456789',
    SECRETS_KEY: 'bench-secrets-key-0123456789abcdef01234567',
    LOG_LEVEL: 'warn',
    // The benchmark logs in thousands of times from one address on purpose.
    RATE_LIMIT_POSTS_PER_MINUTE: '0',
    LOCKOUT_THRESHOLD: '1000000000',
    IP_LOCKOUT_THRESHOLD: '1000000000',
  };
  await prepare?.(env);
  const portal = await spawnPortal(env, { quiet: true });
  const stop = async () => {
    await portal.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { url: portal.url, pid: portal.child.pid!, env, stop };
}

export async function startHello(): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bench/hello.mjs'], {
    env: { ...process.env, PORT: String(port) },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(url, child);
  return { url, pid: child.pid!, stop: stopper(child) };
}

/** The Better Auth peer (bench/peers/better-auth.ts) on the same kind of database. */
export async function startBetterAuth(): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/peers/better-auth.ts'], {
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/healthz`, child);
  return { url, pid: child.pid!, stop: stopper(child) };
}

export function cli(env: NodeJS.ProcessEnv, args: string[]): string {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cli ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** Resident memory of a process, now and at its peak (kB → MB). */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}

/** A browser's cookies for one origin, enough for the portal's flows. */
export class Jar {
  readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  take(res: Response): void {
    for (const cookie of res.headers.getSetCookie().map(parseSetCookie)) {
      if (isCleared(cookie)) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: this.header() },
    });
    this.take(res);
    return res;
  }

  /** Follows redirects while they stay on `origin`; returns the first response that leaves or ends. */
  async follow(origin: string, url: string, init: RequestInit = {}): Promise<Response> {
    let res = await this.fetch(url, init);
    for (let i = 0; i < 20; i++) {
      const location = res.headers.get('location');
      if (!location) return res;
      const next = new URL(location, url).href;
      if (!next.startsWith(origin)) return res;
      await res.arrayBuffer();
      res = await this.fetch(next);
      url = next;
    }
    return res;
  }
}

export function csrfOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token on the page');
  return token;
}

export function form(fields: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  };
}

/** Runs `workers` loops of `step` for `seconds`; returns completed steps per second. */
export async function closedLoop(workers: number, seconds: number, step: () => Promise<void>): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        await step();
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(sortedMs: number[], p: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))]!;
}
