import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDraft, withdraw } from '../src/elar/applications/index.ts';
import { BIOLOGY, CHEMISTRY } from '../test/elar/applications/helpers.ts';
import {
  applicantOf,
  issueLicenses,
  sentApplication,
  signIn,
  startElarInChromium,
  type ElarInChromium,
  type Educator,
} from './elar-harness.ts';
import { checkPage, chromiumMissing } from './harness.ts';

/**
 * The ELAR Welcome Page as the educator's dashboard in Chromium (issue 13): licenses,
 * applications and what is waiting, axe on every page; with JavaScript a status change made
 * elsewhere reaches the open page; without it the page is current on every load; all of it
 * reachable by keyboard.
 */

const skip = chromiumMissing();
let elar: ElarInChromium;
let people: Educator[];

before(async () => {
  if (skip) return;
  elar = await startElarInChromium();
  people = await elar.signUp([
    { firstName: 'Dana', lastName: 'Dashboard', dob: ['8', '10', '1982'], ssn: '809-40-6789' },
    { firstName: 'Robin', lastName: 'Dashboard', dob: ['8', '11', '1982'], ssn: '809-41-6789' },
  ]);
  await issueLicenses(elar, [
    {
      personSub: people[0]!.sub,
      catalogCode: 'TCH-BIO-8-12',
      typeCode: 'INI',
      validFrom: '2019-09-01',
      employmentYears: 3,
    },
    {
      personSub: people[1]!.sub,
      catalogCode: 'TCH-CHEM-8-12',
      typeCode: 'PRO',
      validFrom: '2022-07-01',
      validUntil: '2027-06-30',
    },
  ]);
});
after(() => elar?.close());

/** A draft and an application waiting for payment, for person `i`. */
async function applicationsFor(i: number) {
  const draft = await startDraft(elar.applications, applicantOf(people[i]!), [
    { ...BIOLOGY, catalogCode: 'TCH-PHYS-8-12' },
  ]);
  assert.ok(draft.ok);
  const sent = await sentApplication(elar, people[i]!, [
    { ...BIOLOGY, catalogCode: 'TCH-MATH-8-12' },
    { ...CHEMISTRY, catalogCode: 'TCH-ENG-5-12' },
  ]);
  return { draft, sent };
}

describe('the ELAR dashboard in Chromium', { skip }, () => {
  test('with JavaScript: a status change made elsewhere reaches the open dashboard, and is announced', async () => {
    const { sent } = await applicationsFor(0);
    const { page } = await elar.openWindow();
    await signIn(page, people[0]!, '/elar');
    const row = page.locator(`tr[data-application-id="${sent.id}"]`);
    assert.equal(
      await row.locator('[data-application-status]').getAttribute('data-application-status'),
      'awaiting-payment',
    );
    assert.equal(await page.locator('[data-license-number]').count(), 1);
    await checkPage(page, 'dashboard-js-1');

    await withdraw(elar.applications, people[0]!.sub, sent.id, { reason: null });
    await row.locator('[data-application-status="withdrawn"]').waitFor({ timeout: 2000 });
    assert.equal((await row.locator('[data-application-status]').textContent())?.trim(), 'Withdrawn');
    assert.match(
      (await row.locator('[data-application-change]').textContent()) ?? '',
      /The application was withdrawn\./,
    );
    assert.equal(await page.locator(`[data-action-for="${sent.id}"]`).count(), 0, 'no fee left to pay');
    assert.match(
      (await page.locator('[data-live-announcer]').textContent()) ?? '',
      new RegExp(`Application ${sent.reference}: Withdrawn\\.`),
    );
    await checkPage(page, 'dashboard-js-2-withdrawn-live');
  });

  test('by keyboard: the ways to apply, each application and log out are reachable, in order', async () => {
    const { page } = await elar.openWindow();
    await signIn(page, people[0]!, '/elar');
    const reached: string[] = [];
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const name = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
      reached.push(name);
      if (name === 'Log out of ELAR and the portal') break;
    }
    const apply = reached.indexOf('Apply for a New License or Advance to the next level');
    const renew = reached.indexOf('Apply to Renew your Professional License');
    const password = reached.indexOf('Change Password');
    assert.ok(apply >= 0 && renew > apply && password > renew, reached.join(' | '));
    assert.ok(
      reached.some((name) => /^\d{7}$/.test(name)),
      'an application’s reference is a link',
    );
    assert.equal(reached.at(-1), 'Log out of ELAR and the portal');
    await page.getByRole('link', { name: 'Apply to Renew your Professional License' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/elar\/renewals\/new$/);
    await checkPage(page, 'dashboard-renewals-no-professional');
  });

  test('without JavaScript: the page is current on every load, and renewals lists the Professional license', async () => {
    const { draft } = await applicationsFor(1);
    // axe runs in a page of its own: it needs JavaScript.
    const { page, axePage } = await elar.openWindow(false);
    await signIn(page, people[1]!, '/elar');
    const tag = page.locator(`tr[data-application-id="${draft.id}"] [data-application-status]`);
    assert.equal(await tag.getAttribute('data-application-status'), 'draft');
    await checkPage(page, 'dashboard-nojs-1', axePage);
    await withdraw(elar.applications, people[1]!.sub, draft.id, { reason: null });
    await page.reload();
    assert.equal(await tag.getAttribute('data-application-status'), 'withdrawn');
    await page.getByRole('link', { name: 'Apply to Renew your Professional License' }).click();
    assert.equal(await page.locator('[data-license-number]').count(), 1);
    await checkPage(page, 'dashboard-nojs-2-renewals', axePage);
  });
});
