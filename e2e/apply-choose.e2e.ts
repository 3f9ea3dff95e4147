import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  chooseNewLicense,
  feeShown,
  issueLicenses,
  signIn,
  startElarInChromium,
  statusOf,
  type ElarInChromium,
  type Educator,
} from './elar-harness.ts';
import { checkPage, choose, chromiumMissing, enter } from './harness.ts';

/**
 * Applying in Chromium: choosing a license step by step (kind → field and grade level →
 * type → route), the draft's task list, adding a second license ($125) and removing it, and
 * the refusal of a second open application for a license. By keyboard alone with
 * JavaScript, and with JavaScript off; axe and a screenshot on every page.
 */

const skip = chromiumMissing();
let elar: ElarInChromium;
let people: Educator[];

before(async () => {
  if (skip) return;
  elar = await startElarInChromium();
  people = await elar.signUp([
    { firstName: 'Kim', lastName: 'Choosealicense', dob: ['7', '3', '1984'], ssn: '806-50-6789' },
    { firstName: 'Rosa', lastName: 'Choosealicense', dob: ['7', '4', '1984'], ssn: '806-51-6789' },
  ]);
  // Rosa holds an Initial license, so she is offered its next level first.
  await issueLicenses(elar, [
    { personSub: people[1]!.sub, catalogCode: 'TCH-ELEM-1-6', typeCode: 'INI', validFrom: '2020-08-01' },
  ]);
});
after(() => elar?.close());

describe('choosing licenses in Chromium', { skip }, () => {
  test('by keyboard alone, with JavaScript', async () => {
    const { page } = await elar.openWindow();
    await signIn(page, people[0]!, '/elar/applications/new');
    await checkPage(page, 'apply-choose-js-1-category');

    // Enter in an unanswered question submits it: the error summary, and "Error: " in the title.
    await page.locator('#category').focus();
    await enter(page);
    assert.match(await page.title(), /^Error: /);
    await checkPage(page, 'apply-choose-js-1-category-error');

    await page.getByLabel('Teacher (Academic PreK-12)', { exact: true }).focus();
    await page.keyboard.press('Space');
    await enter(page);
    await checkPage(page, 'apply-choose-js-2-field');
    await page.getByLabel('Field and grade level').focus();
    await page.getByLabel('Field and grade level').selectOption({ label: 'Biology (8-12)' });
    await page.keyboard.press('Tab');
    await enter(page);
    await checkPage(page, 'apply-choose-js-3-type');
    await page.locator('#type-INI').focus();
    await page.keyboard.press('Space');
    await enter(page);
    await checkPage(page, 'apply-choose-js-4-route');
    assert.match(await feeShown(page), /\$100\.00/);
    await page.locator('#route').focus();
    assert.equal(await page.locator('#route').getAttribute('value'), 'PREP', 'the first route: an approved program');
    await page.keyboard.press('Space');
    await enter(page);

    await page.waitForURL(/\/tasks$/);
    await checkPage(page, 'apply-choose-js-5-task-list');
    assert.equal(
      await page.locator('[data-task="licenses"]').getAttribute('data-task-status'),
      'Completed',
      'the license section is done',
    );
    assert.equal(await statusOf(page), 'draft');
  });

  test('without JavaScript: advance or new, two licenses for $125, one removed, and a second application refused', async () => {
    const { page, axePage } = await elar.openWindow(false);
    await signIn(page, people[1]!, '/elar/applications/new');
    await checkPage(page, 'apply-choose-nojs-0-advance-or-new', axePage);
    await page.getByText(/^Advance your Elementary \(1-6\) license/).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    assert.match(
      (await page.getByRole('heading', { level: 1 }).textContent()) ?? '',
      /Elementary \(1-6\), Professional license/,
    );
    await page.goto('/elar/applications/new');
    await page.getByText('A new license', { exact: true }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/category$/);
    await checkPage(page, 'apply-choose-nojs-1-category', axePage);

    await chooseNewLicense(page, { field: 'Mathematics (5-8)', type: 'PRV' });
    await page.getByRole('button', { name: 'Start my application' }).click();
    assert.match(await page.title(), /^Error: /);
    await checkPage(page, 'apply-choose-nojs-4-route-error', axePage);
    await choose(page, 'Degree and tests');
    await page.getByRole('button', { name: 'Start my application' }).click();
    await page.waitForURL(/\/tasks$/);
    await checkPage(page, 'apply-choose-nojs-5-task-list', axePage);

    await page.getByRole('link', { name: 'Licenses you are applying for' }).click();
    await page.getByRole('link', { name: 'Add another license' }).click();
    // Adding to a draft offers the advance too.
    await page.getByText('A new license', { exact: true }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await chooseNewLicense(page, { field: 'General Science (5-8)', type: 'PRV' });
    await checkPage(page, 'apply-choose-nojs-6-add-route', axePage);
    await choose(page, 'Degree and tests');
    await page.getByRole('button', { name: 'Add this license' }).click();
    await checkPage(page, 'apply-choose-nojs-7-two-licenses', axePage);
    assert.match(await feeShown(page), /\$125\.00/);

    await page.getByRole('button', { name: 'Remove General Science (5-8), Provisional license' }).click();
    assert.match(await feeShown(page), /\$100\.00/);

    await page.goto('/elar/applications/new/route?license=TCH-MATH-5-8&type=PRV');
    await choose(page, 'Degree and tests');
    await page.getByRole('button', { name: 'Start my application' }).click();
    await checkPage(page, 'apply-choose-nojs-8-already-open', axePage);
    await page.getByRole('link', { name: /^Go to application \d{7}$/ }).click();
    await page.waitForURL(/\/tasks$/);
  });
});
