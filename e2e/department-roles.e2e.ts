import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  bootstrapAdminLogIn,
  checkPage as checkAndScreenshot,
  chromiumMissing,
  createProfileInBrowser,
  launchBrowser,
  logIn,
  mainText,
  startServer,
  type RunningPortal,
} from './harness.ts';

/**
 * The console page of department roles in Chromium (issue 12): a console administrator
 * grants a person a role by User Name (the form filled with the keyboard alone), sees it
 * listed, and revokes it; the person's console opens and closes with it. With JavaScript on
 * and off; axe-core and a screenshot on every page.
 */

const skip = chromiumMissing();
let server: RunningPortal;
let browser: Browser;
const CONSOLE_PASSWORD = 'Console2026';

/** The name of the element that has the focus, or its text for a button. */
const focused = (page: Page) =>
  page.evaluate(() => document.activeElement?.getAttribute('name') ?? document.activeElement?.textContent ?? null);

/** Tab until the field named `name` has the focus, as a keyboard user moves through the page. */
async function tabTo(page: Page, name: string) {
  for (let i = 0; i < 40; i++) {
    if ((await focused(page)) === name) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${name}`);
}

before(async () => {
  if (skip) return;
  server = await startServer({ BOOTSTRAP_ADMIN_PASSWORD: 'Bootstrap1' });
  browser = await launchBrowser();
  // The bootstrap administrator holds console-admin.
  const page = await (await browser.newContext({ baseURL: server.url })).newPage();
  await bootstrapAdminLogIn(page, 'Bootstrap1', CONSOLE_PASSWORD);
  await page.context().close();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

for (const javaScriptEnabled of [true, false]) {
  const tag = javaScriptEnabled ? 'js' : 'nojs';
  const person = javaScriptEnabled
    ? { first: 'Hana', last: 'Helpdesk', ssn: '871-11-2233', password: 'Helpdesk2026' }
    : { first: 'Noel', last: 'Nojs-Helper', ssn: '872-22-3344', password: 'Helpdesk2026' };

  describe(`department roles with JavaScript ${javaScriptEnabled ? 'enabled' : 'disabled'}`, { skip }, () => {
    let admin: Page;
    let axePage: Page | undefined;
    const checkPage = (p: Page, name: string) => checkAndScreenshot(p, name, axePage);

    before(async () => {
      admin = await (await browser.newContext({ javaScriptEnabled, baseURL: server.url })).newPage();
      if (!javaScriptEnabled) axePage = await (await browser.newContext({ baseURL: server.url })).newPage();
      await logIn(admin, 'admin', CONSOLE_PASSWORD);
    });
    after(async () => {
      await admin.context().close();
      await axePage?.context().close();
    });

    test('a console administrator grants a role with the keyboard alone, sees it listed, and revokes it; the person’s console follows', async () => {
      const userName = await createProfileInBrowser(
        await (await browser.newContext({ javaScriptEnabled, baseURL: server.url })).newPage(),
        person,
      );
      const holder = await (await browser.newContext({ javaScriptEnabled, baseURL: server.url })).newPage();
      await logIn(holder, userName, person.password);
      assert.equal((await holder.goto('/directory'))?.status(), 403, 'no console before the role');

      await admin.goto('/directory');
      await admin.getByRole('link', { name: 'Department roles' }).click();
      await admin.getByRole('heading', { name: 'Department roles', level: 1 }).waitFor();
      assert.match(await mainText(admin), /Help desk \(help-desk\): find people/);
      // The one console administrator is kept, and not offered a Revoke that could only be refused.
      const self = admin.getByRole('row', { name: /Administrator, Department/ });
      assert.match((await self.textContent()) ?? '', /Kept: the last console administrator/);
      assert.equal(await self.getByRole('button').count(), 0);
      await checkPage(admin, `roles-${tag}-01-page`);

      // Nothing entered: the error summary, each message linking to its field.
      await admin.getByRole('button', { name: 'Grant role' }).click();
      assert.match(await admin.title(), /^Error: Department roles/);
      assert.deepEqual(await admin.locator('.portal-error-summary li').allTextContents(), [
        'Enter a User Name',
        'Select a role',
      ]);
      await checkPage(admin, `roles-${tag}-02-errors`);

      // The keyboard alone: Tab to each field, type, choose the role by its first letters, Enter.
      await admin.locator('body').click({ position: { x: 1, y: 1 } });
      await tabTo(admin, 'username');
      await admin.keyboard.type(userName.toLowerCase());
      await admin.keyboard.press('Tab');
      assert.equal(await focused(admin), 'role');
      await admin.keyboard.type('Help');
      assert.equal(await admin.getByLabel('Role').inputValue(), 'help-desk');
      await admin.keyboard.press('Tab');
      assert.equal(await focused(admin), 'Grant role');
      await admin.keyboard.press('Enter');
      await admin
        .getByText(
          `Help desk is granted to ${person.first} ${person.last} (${userName}). It counts from their next page.`,
        )
        .waitFor();
      const row = admin.getByRole('row', { name: new RegExp(`${person.last}, ${person.first}`) });
      assert.match(
        (await row.textContent()) ?? '',
        new RegExp(`${userName}\\s*Help desk\\s*\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC by admin`),
      );
      await checkPage(admin, `roles-${tag}-03-granted`);

      await holder.goto('/directory');
      assert.equal(await holder.getByRole('heading', { name: 'Department console' }).count(), 1);
      assert.equal(await holder.getByRole('link', { name: 'Find a person' }).count(), 1);
      assert.equal(await holder.getByRole('link', { name: 'Department roles' }).count(), 0, 'help desk: not this page');

      await row.getByRole('button', { name: `Revoke Help desk from ${userName}` }).click();
      await admin.getByText(`Help desk is revoked from ${person.first} ${person.last} (${userName}).`).waitFor();
      assert.equal(await admin.getByRole('row', { name: new RegExp(`${person.last}, ${person.first}`) }).count(), 0);
      await checkPage(admin, `roles-${tag}-04-revoked`);
      assert.equal((await holder.goto('/directory'))?.status(), 403, 'no console after the revocation');
      await holder.context().close();
    });
  });
}
