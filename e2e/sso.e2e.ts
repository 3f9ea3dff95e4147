import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  checkPage,
  chromiumMissing,
  cli,
  createProfileInBrowser,
  freePort,
  launchBrowser,
  startServer,
  type RunningPortal,
} from './harness.ts';

/**
 * Issue #4 done: sign in once at ELAR, open another agency application (examples/) with
 * no second login, sign out from the portal, and both are signed out. A restricted
 * application without a role shows whom to ask, not an OAuth error.
 */

const skip = chromiumMissing();
let server: RunningPortal;
let browser: Browser;
let exampleApp: ChildProcess | undefined;
let exampleUrl = '';

before(async () => {
  if (skip) return;
  const examplePort = await freePort();
  exampleUrl = `http://127.0.0.1:${examplePort}`;
  let secret = '';
  server = await startServer({}, (env) => {
    const out = cli(env, [
      'app',
      'add',
      '--client-id',
      'example',
      '--name',
      'Example app',
      '--redirect-uri',
      `${exampleUrl}/callback`,
      '--backchannel-logout-uri',
      `${exampleUrl}/backchannel-logout`,
      '--launch-url',
      `${exampleUrl}/`,
    ]);
    secret = /^client secret: (\S+)$/m.exec(out)![1]!;
    cli(env, [
      'app',
      'add',
      '--client-id',
      'sims',
      '--name',
      'SIMS',
      '--restricted',
      '--roles',
      'user,submitter',
      '--redirect-uri',
      'http://127.0.0.1:9/callback',
      '--replace',
    ]);
  });
  exampleApp = spawn(process.execPath, ['--import', 'tsx', 'examples/example-app/app.ts'], {
    env: { ...process.env, ISSUER: server.url, CLIENT_ID: 'example', CLIENT_SECRET: secret, PORT: String(examplePort) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Ready when it says it listens; if it dies or stays silent the suite fails, rather than
  // testing against an application that is not there.
  const app = exampleApp;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the example application did not start in 30 s')), 30_000);
    app.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the example application exited with ${code} before listening`));
    });
    app.stdout!.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      if (chunk.toString().includes('Example application at ')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  browser = await launchBrowser();
});
after(async () => {
  exampleApp?.kill();
  await browser?.close();
  await server?.stop();
});

describe('single sign-on across applications', { skip }, () => {
  let page: Page;
  let userName = '';

  test('a person creates a profile and signs in to ELAR through the portal', async () => {
    page = await (await browser.newContext({ baseURL: server.url })).newPage();
    userName = await createProfileInBrowser(page, {
      first: 'Sasha',
      last: 'Single',
      ssn: '844-44-4444',
      password: 'Single2026',
    });

    await page.goto(`${server.url}/elar`);
    assert.match(page.url(), /\/login\?returnTo=%2Finteraction%2F/);
    await page.getByLabel('User Name').fill(userName);
    await page.getByLabel('Password').fill('Single2026');
    await page.getByRole('button', { name: 'Log in' }).click();
    assert.match(page.url(), /\/elar$/);
    assert.equal(await page.locator('[data-username]').textContent(), userName);
    await checkPage(page, 'sso-01-elar');
  });

  test('the portal home lists the example application, which opens with no second login', async () => {
    await page.goto(`${server.url}/`);
    await checkPage(page, 'sso-02-home');
    await page.getByRole('link', { name: 'Open Example app' }).click();
    await page.getByRole('link', { name: 'Sign in with the Security Portal' }).click();
    await page.locator('#status [data-username]').waitFor();
    assert.equal(await page.locator('#status [data-username]').textContent(), userName);
    await page.screenshot({ path: 'test-results/screenshots/sso-03-example-app.png' });
  });

  test('a restricted application without a role shows whom to ask, with no code issued', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const response = await page.goto(
      `${server.url}/oidc/auth?client_id=sims&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/callback')}&code_challenge=${challenge}&code_challenge_method=S256&state=s`,
    );
    assert.equal(response?.status(), 403);
    assert.match((await page.locator('h1').textContent()) ?? '', /You do not have access to SIMS/);
    assert.doesNotMatch(page.url(), /code=/);
    await checkPage(page, 'sso-04-no-access');
  });

  test('signing out of the portal signs out of ELAR and the example application', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('button', { name: /Log out/ }).click();
    await page.getByText('You have logged out.').waitFor();
    // Back-channel logout is a job (docs/operations.md), sent just after the answer: the
    // example application hears of it within moments, not necessarily before this page.
    let status: string | null = null;
    for (const started = Date.now(); Date.now() - started < 15_000; await page.waitForTimeout(250)) {
      await page.goto(exampleUrl);
      status = await page.locator('#status').textContent();
      if (status === 'Signed out.') break;
    }
    assert.equal(status, 'Signed out.', 'the example application was told within 15 s');
    for (const started = Date.now(); Date.now() - started < 15_000; await page.waitForTimeout(250)) {
      await page.goto(`${server.url}/elar`);
      if (/\/login\?returnTo=/.test(page.url())) break;
    }
    assert.match(page.url(), /\/login\?returnTo=/, 'ELAR needs a new login');
  });

  test('logging out from ELAR asks once, then says "You have logged out" in the layout', async () => {
    await page.goto(`${server.url}/elar`);
    await page.getByLabel('User Name').fill(userName);
    await page.getByLabel('Password').fill('Single2026');
    await page.getByRole('button', { name: 'Log in' }).click();
    assert.match(page.url(), /\/elar$/);
    await page.getByRole('button', { name: 'Log out of ELAR and the portal' }).click();
    assert.equal(new URL(page.url()).pathname, '/elar/logged-out', 'no second question from the provider');
    assert.equal(await page.locator('h1').textContent(), 'You have logged out');
    await checkPage(page, 'sso-05-elar-logged-out');
    await page.goto(`${server.url}/account`);
    assert.match(page.url(), /\/login\?returnTo=/, 'the portal session is over too');
  });

  test("the provider's own pages have the layout and plain words: an error, the logout question, and after it", async () => {
    const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
    const response = await page.goto(
      `${server.url}/oidc/auth?client_id=example&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://elsewhere.example/callback')}&code_challenge=${challenge}&code_challenge_method=S256`,
    );
    assert.equal(response?.status(), 400);
    assert.equal(await page.locator('h1').textContent(), 'Sign-in could not be completed');
    await page.getByText('from an address the portal does not know').waitFor();
    await checkPage(page, 'sso-06-provider-error');

    await page.goto(`${server.url}/login`);
    await page.getByLabel('User Name').fill(userName);
    await page.getByLabel('Password').fill('Single2026');
    await page.getByRole('button', { name: 'Log in' }).click();
    // Opening ELAR signs in through the provider, so there is a provider session to end.
    await page.goto(`${server.url}/elar`);
    assert.match(page.url(), /\/elar$/);
    await page.goto(`${server.url}/oidc/session/end`);
    assert.equal(await page.locator('h1').textContent(), 'Log out of every application?');
    await checkPage(page, 'sso-07-logout-question');
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    assert.equal(await page.locator('h1').textContent(), 'You have logged out');
    await checkPage(page, 'sso-08-provider-logged-out');
    await page.goto(`${server.url}/account`);
    assert.match(page.url(), /\/login\?returnTo=/, 'the portal session is over');
  });
});
