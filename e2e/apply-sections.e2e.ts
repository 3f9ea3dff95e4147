import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { DEFAULT_APPLICATION_SETTINGS, loadApplication, startDraft } from '../src/elar/applications/index.ts';
import { elarTables } from '../src/elar/index.ts';
import { createProfile, startPortal, Browser as HttpBrowser, type TestPortal } from '../test/helpers/portal.ts';
import { BIOLOGY } from '../test/elar/applications/helpers.ts';
import { checkPage, chromiumMissing, freePort, launchBrowser, logIn } from './harness.ts';

/**
 * Every question page of an application, check your answers, the affidavit and submit, in
 * Chromium with JavaScript on and off: rows added and removed by their buttons, a "yes" that
 * needs its explanation, errors that link to their fields, and axe on every page.
 */

const skip = chromiumMissing();
let portal: TestPortal;
let origin = '';
let browser: Browser;
const people: Record<'js' | 'nojs', { userName: string; sub: string }> = {} as never;
const deps = () => ({ db: elarTables(portal.db), settings: DEFAULT_APPLICATION_SETTINGS });

before(async () => {
  if (skip) return;
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  portal = await startPortal({ PORT: String(port), PUBLIC_URL: origin });
  await portal.app.listen({ port, host: '127.0.0.1' });
  browser = await launchBrowser();
  for (const [i, tag] of (['js', 'nojs'] as const).entries()) {
    const { userName } = await createProfile(new HttpBrowser(portal.app, `10.32.0.${i + 1}`, origin), {
      firstName: tag === 'js' ? 'Rosa' : 'Tomas',
      lastName: 'Sections',
      dob: ['7', String(i + 4), '1988'],
      ssn: `806-5${i}-6789`,
    });
    const { id: sub } = await portal.db
      .selectFrom('profile')
      .select('id')
      .where('user_name', '=', userName)
      .executeTakeFirstOrThrow();
    people[tag] = { userName, sub };
  }
});
after(async () => {
  await browser?.close();
  await portal?.close();
});

/** USWDS draws its own radios and checkboxes over the real (visually hidden) input: a person clicks the label. */
const choose = (scope: Page | Locator, label: string | RegExp) =>
  scope.locator('label.usa-radio__label, label.usa-checkbox__label', { hasText: label }).click();
const save = (page: Page) => page.getByRole('button', { name: 'Save and continue' }).click();

for (const javaScriptEnabled of [true, false]) {
  const tag = javaScriptEnabled ? 'js' : 'nojs';
  describe(`apply: every section, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, { skip }, () => {
    test('personal details, education, tests, employment, other states, character, check answers, affidavit, submit', async () => {
      const who = people[tag];
      const draft = await startDraft(deps(), { sub: who.sub, mepid: null, email: null }, [
        { ...BIOLOGY, catalogCode: javaScriptEnabled ? 'TCH-BIO-8-12' : 'TCH-CHEM-8-12' },
      ]);
      assert.ok(draft.ok);
      const context = await browser.newContext({ baseURL: origin, javaScriptEnabled });
      const page = await context.newPage();
      const axePage = javaScriptEnabled ? undefined : await (await browser.newContext()).newPage();
      const check = (name: string) => checkPage(page, `apply-sections-${tag}-${name}`, axePage);
      const section = (name: string) => page.goto(`/elar/applications/${draft.id}/sections/${name}`);
      await logIn(page, who.userName, 'Secret123');

      await section('personal-details');
      assert.match((await page.locator('main').textContent()) ?? '', /July \d, 1988/);
      await check('1-personal-details');
      await page.getByLabel('Phone number').fill('61');
      await save(page);
      assert.equal(await page.title(), 'Error: Your personal details - Security Portal');
      await check('2-personal-details-errors');
      await page.getByRole('link', { name: /Enter a phone number/ }).click();
      await page.getByLabel('Phone number').fill('617 555 0123');
      await page.getByLabel('Street address', { exact: true }).fill('1 Main Street');
      await page.getByLabel('Town or city').fill('Malden');
      await page.getByLabel('State').selectOption('MA');
      await page.getByLabel('ZIP code').fill('02148');
      await save(page);

      await section('education');
      await page.getByLabel('Kind of degree').selectOption('bachelor');
      await page.getByLabel('Subject').fill('Biology');
      await page.getByLabel('College or university').fill('UMass Boston');
      await page.getByLabel('When it was awarded').fill('2018-05');
      await page.getByRole('button', { name: 'Add another degree' }).click();
      await check('3-education-two-rows');
      const second = page.locator('fieldset[data-row="1"]');
      await second.getByLabel('Kind of degree').selectOption('master');
      await second.getByLabel('Subject').fill('Education');
      await second.getByLabel('College or university').fill('Tufts University');
      await second.getByLabel('When it was awarded').fill('2020-05');
      await page.getByRole('button', { name: 'Add another degree' }).click();
      await page.getByRole('button', { name: 'Remove degree 3' }).click();
      assert.equal(await page.locator('fieldset[data-row]').count(), 2);
      // Enter in a field saves the section: it does not press the first row's Remove.
      await second.getByLabel('Subject').press('Enter');
      await page.waitForURL(/\/tasks$/);

      await section('tests');
      await page.getByLabel('Name of the test').fill('Communication and Literacy Skills');
      await page.getByLabel('Date you took it').fill('2018-03-10');
      await choose(page, /^Yes$/);
      await check('4-tests');
      await save(page);

      await section('employment');
      await check('5-employment');
      await save(page);
      await section('other-states');
      await check('6-other-states');
      await save(page);

      await section('character');
      await choose(page.getByRole('group', { name: /convicted of a crime/ }), /^Yes$/);
      await choose(page.getByRole('group', { name: /revoked, suspended/ }), /^No$/);
      await choose(page.getByRole('group', { name: /pending charge/ }), /^No$/);
      if (javaScriptEnabled)
        assert.equal(
          await page
            .getByRole('group', { name: /pending charge/ })
            .getByLabel(/If you answered yes/)
            .isVisible(),
          false,
          'with JavaScript, an explanation shows only for a yes',
        );
      // A yes not yet explained, saved as a draft: kept, and in progress on the task list.
      await page.getByRole('button', { name: 'Save as draft and come back later' }).click();
      await page.waitForURL(/\/tasks$/);
      assert.equal(await page.locator('[data-task="character"]').getAttribute('data-task-status'), 'In progress');
      await check('7-task-list-character-in-progress');
      await section('character');
      assert.ok(
        await page
          .getByRole('group', { name: /convicted of a crime/ })
          .getByLabel(/^Yes$/)
          .isChecked(),
        'the yes was kept',
      );
      await save(page);
      await check('8-character-yes-needs-explanation');
      await page.getByRole('link', { name: /You answered yes/ }).click();
      await page
        .getByRole('group', { name: /convicted of a crime/ })
        .getByLabel(/If you answered yes/)
        .fill('A speeding ticket in 2009, in Maine; paid.');
      await save(page);

      await page.goto(`/elar/applications/${draft.id}/check-answers`);
      await check('9-check-answers');
      const main = (await page.locator('main').textContent()) ?? '';
      assert.match(main, javaScriptEnabled ? /Biology \(8-12\)/ : /Chemistry \(8-12\)/);
      assert.match(main, /Master’s degree in Education, Tufts University, May 2020/);
      assert.match(main, /Yes: A speeding ticket/);
      assert.match(main, /617 555 0123/);
      await page.getByRole('link', { name: 'Sign the affidavit' }).first().click();
      await check('10-affidavit');
      await page.getByRole('button', { name: 'Sign the affidavit' }).click();
      await check('11-affidavit-errors');
      await choose(page, /I swear/);
      await page.getByLabel('Your full name, as your signature').fill(`${tag === 'js' ? 'Rosa' : 'Tomas'} Sections`);
      await page.getByRole('button', { name: 'Sign the affidavit' }).click();
      await page.waitForURL(/\/check-answers$/);
      await check('12-ready-to-submit');
      await page.getByRole('button', { name: /^Submit application/ }).click();
      await page.waitForURL(new RegExp(`/elar/applications/${draft.id}$`));
      assert.equal(
        await page.locator('[data-application-status]').getAttribute('data-application-status'),
        'awaiting-payment',
      );
      assert.ok(await page.getByRole('button', { name: 'Pay $100.00' }).isVisible());

      await section('education');
      await check('13-education-read-only');
      assert.equal(await page.locator('form[data-section]').count(), 0, 'no form once sent');
      const view = await loadApplication(deps(), who.sub, draft.id);
      assert.equal((view.sections.education?.answers as { degrees: unknown[] }).degrees.length, 2);
      await context.close();
    });
  });
}
