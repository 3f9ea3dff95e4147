import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { DEFAULT_APPLICATION_SETTINGS, startDraft, submit, withdraw } from '../src/elar/applications/index.ts';
import { elarTables } from '../src/elar/index.ts';
import { issueLicense } from '../src/elar/licenses/index.ts';
import { createProfile, startPortal, Browser as HttpBrowser, type TestPortal } from '../test/helpers/portal.ts';
import { BIOLOGY, CHEMISTRY, completeDraft } from '../test/elar/applications/helpers.ts';
import { checkPage, chromiumMissing, freePort, launchBrowser, logIn } from './harness.ts';

/**
 * The ELAR Welcome Page as the educator's dashboard in Chromium (issue 13): licenses,
 * applications and what is waiting, axe on every page; with JavaScript a status change made
 * elsewhere reaches the open page; without it the page is current on every load; all of it
 * reachable by keyboard.
 */

const skip = chromiumMissing();
let portal: TestPortal;
let origin = '';
let browser: Browser;
const people: { userName: string; sub: string }[] = [];
const deps = () => ({ db: elarTables(portal.db), settings: DEFAULT_APPLICATION_SETTINGS });
const as = (i: number) => ({ sub: people[i]!.sub, mepid: null, email: null });

before(async () => {
  if (skip) return;
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  portal = await startPortal({ PORT: String(port), PUBLIC_URL: origin });
  await portal.app.listen({ port, host: '127.0.0.1' });
  browser = await launchBrowser();
  for (const [i, first] of ['Dana', 'Robin'].entries()) {
    const { userName } = await createProfile(new HttpBrowser(portal.app, `10.33.0.${i + 1}`, origin), {
      firstName: first,
      lastName: 'Dashboard',
      dob: ['8', String(i + 10), '1982'],
      ssn: `809-4${i}-6789`,
    });
    const { id: sub } = await portal.db
      .selectFrom('profile')
      .select('id')
      .where('user_name', '=', userName)
      .executeTakeFirstOrThrow();
    people.push({ userName, sub });
  }
  await elarTables(portal.db)
    .transaction()
    .execute(async (trx) => {
      for (const [i, license] of [
        { catalogCode: 'TCH-BIO-8-12', typeCode: 'INI', validFrom: '2019-09-01', employmentYears: 3 },
        { catalogCode: 'TCH-CHEM-8-12', typeCode: 'PRO', validFrom: '2022-07-01', validUntil: '2027-06-30' },
      ].entries())
        await issueLicense(trx, { personSub: people[i]!.sub, ...license }, 'e2e');
    });
});
after(async () => {
  await browser?.close();
  await portal?.close();
});

/** A draft and an application waiting for payment, for person `i`. */
async function applicationsFor(i: number) {
  const draft = await startDraft(deps(), as(i), [{ ...BIOLOGY, catalogCode: 'TCH-PHYS-8-12' }]);
  assert.ok(draft.ok);
  const sent = await completeDraft(deps(), as(i), [
    { ...BIOLOGY, catalogCode: 'TCH-MATH-8-12' },
    { ...CHEMISTRY, catalogCode: 'TCH-ENG-5-12' },
  ]);
  await submit(deps(), as(i), sent.id);
  return { draft, sent };
}

describe('the ELAR dashboard in Chromium', { skip }, () => {
  test('with JavaScript: a status change made elsewhere reaches the open dashboard, and is announced', async () => {
    const { sent } = await applicationsFor(0);
    const page = await (await browser.newContext({ baseURL: origin })).newPage();
    await logIn(page, people[0]!.userName, 'Secret123');
    await page.goto('/elar');
    const row = page.locator(`tr[data-application-id="${sent.id}"]`);
    assert.equal(
      await row.locator('[data-application-status]').getAttribute('data-application-status'),
      'awaiting-payment',
    );
    assert.equal(await page.locator('[data-license-number]').count(), 1);
    await checkPage(page, 'dashboard-js-1');

    await withdraw(deps(), people[0]!.sub, sent.id, { reason: null });
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
    const page = await (await browser.newContext({ baseURL: origin })).newPage();
    await logIn(page, people[0]!.userName, 'Secret123');
    await page.goto('/elar');
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
    const page = await (await browser.newContext({ baseURL: origin, javaScriptEnabled: false })).newPage();
    // axe runs in a page of its own: it needs JavaScript.
    const axePage = await (await browser.newContext({ baseURL: origin })).newPage();
    await logIn(page, people[1]!.userName, 'Secret123');
    await page.goto('/elar');
    const tag = page.locator(`tr[data-application-id="${draft.id}"] [data-application-status]`);
    assert.equal(await tag.getAttribute('data-application-status'), 'draft');
    await checkPage(page, 'dashboard-nojs-1', axePage);
    await withdraw(deps(), people[1]!.sub, draft.id, { reason: null });
    await page.reload();
    assert.equal(await tag.getAttribute('data-application-status'), 'withdrawn');
    await page.getByRole('link', { name: 'Apply to Renew your Professional License' }).click();
    assert.equal(await page.locator('[data-license-number]').count(), 1);
    await checkPage(page, 'dashboard-nojs-2-renewals', axePage);
  });
});
