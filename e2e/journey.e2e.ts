import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  checkPage as checkAndScreenshot,
  chromiumMissing,
  launchBrowser,
  startServer,
  type RunningPortal,
} from './harness.ts';

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
      await page.getByLabel('Phone number').fill('(781) 338 6600');
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
      assert.match((await page.locator('.portal-summary').textContent()) ?? '', /Phone number781-338-6600 Change/);
      // Change from Check your answers: back to the identity page, then straight back here with every answer kept.
      await page.getByRole('link', { name: 'Change name' }).click();
      assert.equal(await page.getByLabel('Last name').inputValue(), person.last);
      await page.getByLabel('Middle name').fill('Morgan');
      assert.match((await page.locator('#ssn-hint').textContent()) ?? '', /^Enter it again/);
      await page.getByLabel('Social Security number').fill(person.ssn);
      await page.getByRole('button', { name: 'Continue' }).click();
      assert.equal(await page.locator('h1').textContent(), 'Check your answers');
      const summary = (await page.locator('.portal-summary').textContent()) ?? '';
      for (const kept of [
        `${person.first} Morgan ${person.last}`,
        'educator@example.org',
        'Before',
        'Name of my first school?',
      ]) {
        assert.ok(summary.includes(kept), `the review still shows ${kept}`);
      }
      await page.getByRole('button', { name: 'Create my profile' }).click();
      assert.equal(await outcome(), 'created');
      userName = (await page.locator('[data-username]').textContent()) ?? '';
      assert.equal(userName, javaScriptEnabled ? 'AJourney' : 'BNojsWalker');
      assert.match((await page.locator('[data-mepid]').textContent()) ?? '', /^[1-9]\d{7}$/);
      await checkPage(page, `${tag}-07-created`);
      // Shown once: a reload (or the next person at this computer pressing Back) does not show them again.
      await page.reload();
      assert.equal(await outcome(), 'created');
      assert.equal(await page.locator('[data-username]').count(), 0);
      assert.doesNotMatch((await page.locator('main').textContent()) ?? '', new RegExp(userName));
      await checkPage(page, `${tag}-07b-created-shown-once`);
    });

    test('log in, see ELAR, change the password', async () => {
      await page.getByRole('link', { name: 'Log in' }).last().click();
      await checkPage(page, `${tag}-08-login`);
      await page.getByLabel('User Name').fill(userName);
      await page.getByLabel('Password').fill('Start2026');
      await page.getByRole('button', { name: 'Log in' }).click();
      await checkPage(page, `${tag}-09-home-signed-in`);
      const fontSize = (name: string, role: 'link' | 'button') =>
        page
          .getByRole('navigation', { name: 'Main' })
          .getByRole(role, { name })
          .evaluate((e) => getComputedStyle(e).fontSize);
      assert.equal(
        await fontSize('Log out', 'button'),
        await fontSize('Home', 'link'),
        'Log out is the size of the other header links',
      );
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
      assert.equal(await page.locator('.usa-step-indicator__heading-text').textContent(), 'Your details');
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
      // Still the hint question, with the error summary pointing at the answer; not the next step.
      assert.equal(await page.locator('h1').textContent(), 'Answer your password hint question');
      assert.match(await page.title(), /^Error: /);
      assert.equal(await page.locator('.portal-error-summary a').getAttribute('href'), '#hintAnswer');
      assert.equal(await page.getByLabel('Name of my first school?').getAttribute('aria-invalid'), 'true');
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

    test('a partial match reached from Forgot speaks of retrieving the User Name', async () => {
      await page.goto('/account/recover');
      await page.getByLabel('First name').fill(person.first);
      await page.getByLabel('Last name').fill(person.last);
      await page.getByLabel('Month').fill(person.month);
      await page.getByLabel('Day').fill(person.day);
      await page.getByLabel('Year').fill(person.year);
      await page.getByLabel('Social Security number').fill(javaScriptEnabled ? '567-89-0124' : '578-90-1235');
      await page.getByRole('button', { name: 'Continue' }).click();
      assert.equal(await outcome(), 'partial-match');
      assert.equal(await page.locator('h1').textContent(), 'We could not retrieve your User Name');
      await checkPage(page, `${tag}-17b-recover-partial-match`);
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

    test('help pages, the statements and the not-found page', async () => {
      const pages: Array<[string, number, string]> = [
        ['/help', 200, 'Help with the Security Portal'],
        ['/help/about', 200, 'About the Security Portal'],
        ['/help/create', 200, 'Create a User Name or profile'],
        ['/help/find', 200, 'Forgot your User Name or password'],
        ['/help/change', 200, 'Change your password'],
        ['/help/directory-administrator', 200, 'Find your Directory Administrator'],
        ['/privacy', 200, 'Privacy policy'],
        ['/accessibility', 200, 'Accessibility statement'],
        ['/no-such-page', 404, 'Page not found'],
      ];
      await page.goto('/login');
      const portalHeadingFont = await page.locator('h1').evaluate((e) => getComputedStyle(e).fontFamily);
      for (const [path, status, heading] of pages) {
        const response = await page.goto(path);
        assert.equal(response?.status(), status, path);
        assert.equal(await page.locator('h1').textContent(), heading, path);
        assert.equal(
          await page.locator('h1').evaluate((e) => getComputedStyle(e).fontFamily),
          portalHeadingFont,
          `${path}: one heading typeface`,
        );
        await checkPage(page, `${tag}-19-${path.slice(1).replace(/\//g, '-')}`);
      }
    });

    test('the official-website banner opens without JavaScript and the identifier names the agency', async () => {
      await page.goto('/');
      const banner = page.getByRole('region', { name: 'Official website of the Commonwealth of Massachusetts' });
      await banner.getByText("Here's how you know").click();
      await banner.getByText('Secure websites use HTTPS').waitFor();
      assert.match((await page.locator('.usa-identifier').textContent()) ?? '', /TTY: \(800\) 439-2370/);
      await checkPage(page, `${tag}-20-banner-open`);
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
