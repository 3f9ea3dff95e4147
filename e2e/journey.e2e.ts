import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { checkPage as checkAndScreenshot, chromiumMissing, launchBrowser, startServer, type RunningPortal } from './harness.ts';

/**
 * The whole P1–P10 journey in a real browser, as a person does it: create a profile →
 * log in → ELAR → change password → log out → forgot password (exact match, hint, new
 * password) → log in again; plus a partial match, a lockout, the help pages. Run with
 * JavaScript on and off; axe-core and a screenshot on every page.
 */

const skip = chromiumMissing();
let server: RunningPortal;
let browser: Browser;

before(async () => {
  if (skip) return;
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

for (const javaScriptEnabled of [true, false]) {
  const tag = javaScriptEnabled ? 'js' : 'nojs';
  const person = javaScriptEnabled
    ? { first: 'Avery', last: 'Journey', month: '3', day: '27', year: '1985', ssn: '345-67-8901' }
    : { first: 'Blake', last: 'Nojs-Walker', month: '11', day: '2', year: '1979', ssn: '456-78-9012' };

  describe(`journey with JavaScript ${javaScriptEnabled ? 'enabled' : 'disabled'}`, { skip }, () => {
    let page: Page;
    let axePage: Page | undefined;
    let userName = '';
    before(async () => {
      const context = await browser.newContext({ javaScriptEnabled, baseURL: server.url });
      page = await context.newPage();
      if (!javaScriptEnabled) axePage = await (await browser.newContext()).newPage();
    });
    const checkPage = (p: Page, name: string) => checkAndScreenshot(p, name, axePage);

    const outcome = () => page.locator('main').getAttribute('data-outcome');

    test('create a profile through the four pages and the check-your-answers page', async () => {
      await page.goto('/');
      await checkPage(page, `${tag}-01-home`);
      await page.getByRole('link', { name: 'Create a profile' }).first().click();
      await page.getByRole('button', { name: 'Continue' }).click();
      assert.equal(await page.locator('.usa-alert--error h2').textContent(), 'There is a problem');
      assert.match(await page.title(), /^Error: /);
      await checkPage(page, `${tag}-02-identity-errors`);
      await page.getByLabel('First name').fill(person.first);
      await page.getByLabel('Last name').fill(person.last);
      await page.getByLabel('Month').fill(person.month);
      await page.getByLabel('Day').fill(person.day);
      await page.getByLabel('Year').fill(person.year);
      await page.getByLabel('Social Security number').fill(person.ssn);
      await page.getByRole('button', { name: 'Continue' }).click();

      await checkPage(page, `${tag}-03-contact`);
      await page.getByLabel('Email address').fill('educator@example.org');
      await page.getByLabel('Address line 1').fill('75 Pleasant Street');
      await page.getByLabel('Town or city').fill('Malden');
      await page.getByLabel('State').selectOption('MA');
      await page.getByLabel('ZIP code').fill('02148');
      await page.getByRole('button', { name: 'Continue' }).click();

      await checkPage(page, `${tag}-04-background`);
      await page.getByLabel('Previous last name').fill('Before');
      await page.getByRole('button', { name: 'Continue' }).click();

      await checkPage(page, `${tag}-05-security`);
      await page.getByLabel('Password hint question').fill('Name of my first school?');
      await page.getByLabel('Answer to your hint question').fill('Lincoln Elementary');
      await page.getByLabel('Password', { exact: true }).fill('Start2026');
      await page.getByLabel('Confirm password').fill('Start2026');
      await page.getByRole('button', { name: 'Continue' }).click();

      await checkPage(page, `${tag}-06-review`);
      await page.getByRole('button', { name: 'Create my profile' }).click();
      assert.equal(await outcome(), 'created');
      userName = (await page.locator('[data-username]').textContent()) ?? '';
      assert.equal(userName, javaScriptEnabled ? 'AJourney' : 'BNojsWalker');
      assert.match((await page.locator('[data-mepid]').textContent()) ?? '', /^[1-9]\d{7}$/);
      await checkPage(page, `${tag}-07-created`);
    });

    test('log in, see ELAR, change the password', async () => {
      await page.getByRole('link', { name: 'Log in' }).last().click();
      await checkPage(page, `${tag}-08-login`);
      await page.getByLabel('User Name').fill(userName);
      await page.getByLabel('Password').fill('Start2026');
      await page.getByRole('button', { name: 'Log in' }).click();
      await checkPage(page, `${tag}-09-home-signed-in`);
      await page.getByRole('link', { name: 'Open ELAR' }).click();
      assert.equal(await page.locator('[data-username]').textContent(), userName);
      await checkPage(page, `${tag}-10-elar`);
      await page.getByRole('link', { name: 'Change Password' }).click();
      await page.getByLabel('Current password').fill('Start2026');
      await page.getByLabel('New password', { exact: true }).fill('Second2026');
      await page.getByLabel('Confirm new password').fill('Second2026');
      await page.getByRole('button', { name: 'Change password' }).click();
      assert.equal(await outcome(), 'password-changed');
      await checkPage(page, `${tag}-11-password-changed`);
      await page.getByRole('button', { name: /Log out/ }).click();
      await page.getByText('You have logged out.').waitFor();
    });

    test('forgot password: exact match, hint question, new password, log in', async () => {
      await page.goto('/account/recover');
      await checkPage(page, `${tag}-12-recover`);
      await page.getByLabel('First name').fill(person.first.toUpperCase());
      await page.getByLabel('Last name').fill(person.last);
      await page.getByLabel('Month').fill(person.month);
      await page.getByLabel('Day').fill(person.day);
      await page.getByLabel('Year').fill(person.year);
      await page.getByLabel('Social Security number').fill(person.ssn.replace(/-/g, ''));
      await page.getByRole('button', { name: 'Continue' }).click();
      assert.equal(await outcome(), 'exact-match');
      assert.equal(await page.locator('[data-username]').textContent(), userName);
      await checkPage(page, `${tag}-13-exact-match`);
      await page.getByRole('link', { name: 'Reset my password' }).click();
      await page.getByLabel('Name of my first school?').fill('lincoln elementary');
      await page.getByRole('button', { name: 'Continue' }).click();
      await checkPage(page, `${tag}-14-hint-wrong`);
      await page.getByLabel('Name of my first school?').fill('Lincoln Elementary');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('New password', { exact: true }).fill('Start2026');
      await page.getByLabel('Confirm new password').fill('Start2026');
      await page.getByRole('button', { name: 'Save new password' }).click();
      assert.match((await page.locator('.usa-alert--error').textContent()) ?? '', /used this password before/);
      await checkPage(page, `${tag}-15-new-password-reused`);
      await page.getByLabel('New password', { exact: true }).fill('Third2026');
      await page.getByLabel('Confirm new password').fill('Third2026');
      await page.getByRole('button', { name: 'Save new password' }).click();
      assert.equal(await outcome(), 'password-changed');
      await checkPage(page, `${tag}-16-reset-done`);
      await page.getByRole('link', { name: 'Log in' }).last().click();
      await page.getByLabel('User Name').fill(userName);
      await page.getByLabel('Password').fill('Third2026');
      await page.getByRole('button', { name: 'Log in' }).click();
      assert.match((await page.locator('h1').textContent()) ?? '', /Welcome/);
      await page.getByRole('button', { name: /Log out/ }).click();
    });

    test('partial match stops and points to the Directory Administrator', async () => {
      await page.goto('/profile/new');
      await page.getByLabel('First name').fill(person.first);
      await page.getByLabel('Last name').fill(person.last);
      await page.getByLabel('Month').fill(person.month);
      await page.getByLabel('Day').fill(person.day);
      await page.getByLabel('Year').fill(person.year);
      await page.getByLabel('Social Security number').fill(javaScriptEnabled ? '567-89-0123' : '578-90-1234');
      await page.getByRole('button', { name: 'Continue' }).click();
      assert.equal(await outcome(), 'partial-match');
      await checkPage(page, `${tag}-17-partial-match`);
    });

    test('repeated wrong passwords lock the account for a while', async () => {
      for (let i = 0; i < 5; i++) {
        await page.goto('/login');
        await page.getByLabel('User Name').fill(userName);
        await page.getByLabel('Password').fill(`Wrong${i}xyz`);
        await page.getByRole('button', { name: 'Log in' }).click();
      }
      assert.equal(await outcome(), 'locked');
      await checkPage(page, `${tag}-18-locked`);
    });

    test('help pages and the not-found page', async () => {
      for (const path of ['/help', '/help/about', '/help/create', '/help/find', '/help/change', '/no-such-page']) {
        await page.goto(path);
        await checkPage(page, `${tag}-19-${path.slice(1).replace(/\//g, '-')}`);
      }
    });
  });
}

describe('keyboard only', { skip }, () => {
  test('skip link first, then log-in form fields in order, Enter submits', async () => {
    const context = await browser.newContext({ baseURL: server.url });
    const page = await context.newPage();
    await page.goto('/login');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to main content');
    let name: string | null = null;
    for (let i = 0; i < 20 && name !== 'username'; i++) {
      await page.keyboard.press('Tab');
      name = await page.evaluate(() => document.activeElement?.getAttribute('name') ?? null);
    }
    assert.equal(name, 'username');
    await page.keyboard.type('NobodyKeyboard');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'password');
    await page.keyboard.type('whatever1');
    await page.keyboard.press('Enter');
    await page.locator('.usa-alert--error').waitFor();
    await context.close();
  });
});
