import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * End-to-end harness: the real server as a child process (exactly as `npm start` runs
 * it) on a free port and a fresh database, and Debian's Chromium driven by playwright-core.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

/** Without Chromium the e2e tests are skipped, loudly; CI sets E2E_REQUIRED=1 to fail instead. */
export function chromiumMissing(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const reason = `Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) to run the end-to-end tests`;
  if (process.env.E2E_REQUIRED === '1') throw new Error(reason);
  console.warn(`SKIPPED e2e: ${reason}`);
  return reason;
}

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

export interface RunningPortal {
  url: string;
  stop(): Promise<void>;
}

/**
 * `prepare` runs with the server's environment before it starts, e.g. CLI commands that
 * need the embedded database to themselves.
 */
export async function startServer(
  env: Record<string, string> = {},
  prepare?: (env: NodeJS.ProcessEnv) => void,
): Promise<RunningPortal> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'portal-e2e-'));
  let databaseUrl: string | undefined;
  let dropDatabase = async () => {};
  if (process.env.DATABASE_URL) {
    const name = `portal_e2e_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
  }
  const serverEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl ?? '',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    RATE_LIMIT_POSTS_PER_MINUTE: '1000',
    ...env,
  };
  prepare?.(serverEnv);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: serverEnv,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not become ready in 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * Every page a test visits: zero axe violations (WCAG 2.1 AA) and a screenshot to look at.
 * axe runs as JavaScript, so for a page seen with JavaScript disabled its HTML is checked in
 * `axePage`, a JavaScript-enabled page on the same origin (the portal's pages use no script).
 */
export async function checkPage(page: Page, name: string, axePage?: Page): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  let target = page;
  if (axePage) {
    const html = await page.content();
    await axePage.goto(new URL('/healthz', page.url()).toString());
    await axePage.setContent(html, { waitUntil: 'load' });
    target = axePage;
  }
  const results = await new AxeBuilder({ page: target }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  if (results.violations.length > 0) {
    const summary = results.violations
      .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`)
      .join('\n  ');
    throw new Error(`axe found ${results.violations.length} violation(s) on ${name} (${page.url()}):\n  ${summary}`);
  }
}

/** `npm run cli -- …` as an operator would run it; throws with its output when it fails. */
export function cli(env: NodeJS.ProcessEnv, args: string[]): string {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`cli ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** Every page of Create Profile for a new person, through the labels a person reads; returns the User Name. */
export async function createProfileInBrowser(page: Page, person: { first: string; last: string; ssn: string; password: string }): Promise<string> {
  await page.goto('/profile/new');
  await page.getByLabel('First name').fill(person.first);
  await page.getByLabel('Last name').fill(person.last);
  await page.getByLabel('Month').fill('5');
  await page.getByLabel('Day').fill('17');
  await page.getByLabel('Year').fill('1975');
  await page.getByLabel('Social Security number').fill(person.ssn);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Email address').fill(`${person.first.toLowerCase()}@example.org`);
  await page.getByLabel('Address line 1').fill('1 Main Street');
  await page.getByLabel('Town or city').fill('Springfield');
  await page.getByLabel('State').selectOption('MA');
  await page.getByLabel('ZIP code').fill('01101');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Password hint question').fill('Favourite colour?');
  await page.getByLabel('Answer to your hint question').fill('Teal');
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByLabel('Confirm password').fill(person.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Create my profile' }).click();
  return (await page.locator('[data-username]').textContent()) ?? '';
}
