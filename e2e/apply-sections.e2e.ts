import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { loadApplication, startDraft } from '../src/elar/applications/index.ts';
import { BIOLOGY } from '../test/elar/applications/helpers.ts';
import {
  applicantOf,
  fillDegree,
  fillPassedTest,
  fillPersonalDetails,
  signAffidavit,
  signIn,
  startElarInChromium,
  statusOf,
  type ElarInChromium,
  type Educator,
} from './elar-harness.ts';
import { checkPage, choose, chromiumMissing, mainText } from './harness.ts';

/**
 * Every question page of an application, check your answers, the affidavit and submit, in
 * Chromium with JavaScript on and off: rows added and removed by their buttons, a "yes" that
 * needs its explanation, errors that link to their fields, and axe on every page.
 */

const skip = chromiumMissing();
let elar: ElarInChromium;
const people: Record<'js' | 'nojs', Educator> = {} as never;

before(async () => {
  if (skip) return;
  elar = await startElarInChromium();
  [people.js, people.nojs] = await elar.signUp([
    { firstName: 'Rosa', lastName: 'Sections', dob: ['7', '4', '1988'], ssn: '806-50-6789' },
    { firstName: 'Tomas', lastName: 'Sections', dob: ['7', '5', '1988'], ssn: '806-51-6789' },
  ]);
});
after(() => elar?.close());

const save = (page: Page) => page.getByRole('button', { name: 'Save and continue' }).click();

for (const javaScriptEnabled of [true, false]) {
  const tag = javaScriptEnabled ? 'js' : 'nojs';
  describe(`apply: every section, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, { skip }, () => {
    test('personal details, education, tests, employment, other states, character, check answers, affidavit, submit', async () => {
      const who = people[tag];
      const draft = await startDraft(elar.applications, applicantOf(who), [
        { ...BIOLOGY, catalogCode: javaScriptEnabled ? 'TCH-BIO-8-12' : 'TCH-CHEM-8-12' },
      ]);
      assert.ok(draft.ok);
      const { page, axePage } = await elar.openWindow(javaScriptEnabled);
      const check = (name: string) => checkPage(page, `apply-sections-${tag}-${name}`, axePage);
      const section = (name: string) => page.goto(`/elar/applications/${draft.id}/sections/${name}`);
      await signIn(page, who);

      await section('personal-details');
      assert.match(await mainText(page), /July \d, 1988/);
      await check('1-personal-details');
      await page.getByLabel('Phone number').fill('61');
      await save(page);
      assert.equal(await page.title(), 'Error: Your personal details - Security Portal');
      await check('2-personal-details-errors');
      await page.getByRole('link', { name: /Enter a phone number/ }).click();
      await fillPersonalDetails(page, { phone: '617 555 0123', street: '1 Main Street', town: 'Malden', zip: '02148' });
      await save(page);

      await section('education');
      await fillDegree(page, { kind: 'bachelor', subject: 'Biology', college: 'UMass Boston', awarded: '2018-05' });
      await page.getByRole('button', { name: 'Add another degree' }).click();
      await check('3-education-two-rows');
      const second = page.locator('fieldset[data-row="1"]');
      await fillDegree(second, {
        kind: 'master',
        subject: 'Education',
        college: 'Tufts University',
        awarded: '2020-05',
      });
      await page.getByRole('button', { name: 'Add another degree' }).click();
      await page.getByRole('button', { name: 'Remove degree 3' }).click();
      assert.equal(await page.locator('fieldset[data-row]').count(), 2);
      // Enter in a field saves the section: it does not press the first row's Remove.
      await second.getByLabel('Subject').press('Enter');
      await page.waitForURL(/\/tasks$/);

      await section('tests');
      await fillPassedTest(page, { name: 'Communication and Literacy Skills', date: '2018-03-10' });
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
      const main = await mainText(page);
      assert.match(main, javaScriptEnabled ? /Biology \(8-12\)/ : /Chemistry \(8-12\)/);
      assert.match(main, /Master’s degree in Education, Tufts University, May 2020/);
      assert.match(main, /Yes: A speeding ticket/);
      assert.match(main, /617 555 0123/);
      await page.getByRole('link', { name: 'Sign the affidavit' }).first().click();
      await check('10-affidavit');
      await page.getByRole('button', { name: 'Sign the affidavit' }).click();
      await check('11-affidavit-errors');
      await signAffidavit(page, who.name);
      await check('12-ready-to-submit');
      await page.getByRole('button', { name: /^Submit application/ }).click();
      await page.waitForURL(new RegExp(`/elar/applications/${draft.id}$`));
      assert.equal(await statusOf(page), 'awaiting-payment');
      assert.ok(await page.getByRole('button', { name: 'Pay $100.00' }).isVisible());

      await section('education');
      await check('13-education-read-only');
      assert.equal(await page.locator('form[data-section]').count(), 0, 'no form once sent');
      const view = await loadApplication(elar.applications, who.sub, draft.id);
      assert.equal((view.sections.education?.answers as { degrees: unknown[] }).degrees.length, 2);
      await page.context().close();
    });
  });
}
