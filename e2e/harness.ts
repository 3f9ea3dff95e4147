import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { freePort, spawnPortal, type RunningPortal } from '../test/helpers/server.ts';
import { throwawayDatabase } from '../test/helpers/throwaway-database.ts';

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

export { freePort, type RunningPortal };

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
  if (process.env.DATABASE_URL)
    ({ url: databaseUrl, drop: dropDatabase } = await throwawayDatabase(process.env.DATABASE_URL, 'portal_e2e'));
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
  const cleanUp = async () => {
    await dropDatabase();
    rmSync(dataDir, { recursive: true, force: true });
  };
  let server: Awaited<ReturnType<typeof spawnPortal>>;
  try {
    prepare?.(serverEnv);
    server = await spawnPortal(serverEnv);
  } catch (e) {
    // A server that never started leaves no folder or database behind either.
    await cleanUp();
    throw e;
  }
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      await cleanUp();
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
  const results = await new AxeBuilder({ page: target })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  if (results.violations.length > 0) {
    const summary = results.violations
      .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`)
      .join('\n  ');
    throw new Error(`axe found ${results.violations.length} violation(s) on ${name} (${page.url()}):\n  ${summary}`);
  }
}

/** `npm run cli -- …` as an operator would run it; throws with its output when it fails. */
export function cli(env: NodeJS.ProcessEnv, args: string[]): string {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0)
    throw new Error(`cli ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** Every page of Create Profile for a new person, through the labels a person reads; returns the User Name. */
export async function createProfileInBrowser(
  page: Page,
  person: { first: string; last: string; ssn: string; password: string },
): Promise<string> {
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

export async function logIn(page: Page, userName: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('User Name').fill(userName);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** The first login of the department administrator made by BOOTSTRAP_ADMIN_PASSWORD, who must choose their own password. */
export async function bootstrapAdminLogIn(page: Page, bootstrapPassword: string, password: string): Promise<void> {
  await logIn(page, 'admin', bootstrapPassword);
  await page.getByLabel('Current password').fill(bootstrapPassword);
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Confirm new password').fill(password);
  await page.getByRole('button', { name: 'Change password' }).click();
}

export const mainText = async (page: Page): Promise<string> => (await page.locator('main').textContent()) ?? '';

/**
 * A new browser window of its own (its own cookies) on `origin`, JavaScript on or off. With it
 * off, also the page `checkPage` runs axe in: axe is JavaScript.
 */
export async function openWindow(
  browser: Browser,
  origin: string,
  javaScriptEnabled = true,
): Promise<{ page: Page; axePage: Page | undefined }> {
  const page = await (await browser.newContext({ baseURL: origin, javaScriptEnabled })).newPage();
  const axePage = javaScriptEnabled ? undefined : await (await browser.newContext({ baseURL: origin })).newPage();
  return { page, axePage };
}

/** USWDS draws its own radios and checkboxes over the real (visually hidden) input: a person clicks the label. */
export const choose = (scope: Page | Locator, label: string | RegExp): Promise<void> =>
  scope.locator('label.usa-radio__label, label.usa-checkbox__label', { hasText: label }).click();

/** Enter, as a keyboard user submits a form, and the page it leads to. */
export async function enter(page: Page): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}
