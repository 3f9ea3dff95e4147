import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_APPLICATION_SETTINGS, GATE_ITEMS, reportGateItems, submit } from '../src/elar/applications/index.ts';
import { elarTables } from '../src/elar/index.ts';
import { createProfile, startPortal, Browser as HttpBrowser, type TestPortal } from '../test/helpers/portal.ts';
import { BIOLOGY, CHEMISTRY, completeDraft } from '../test/elar/applications/helpers.ts';
import { checkPage, chromiumMissing, freePort, launchBrowser, logIn } from './harness.ts';

/**
 * An application paid for and followed live in Chromium (SPEC E2, E4): $125 for two
 * licenses, a declined card, a good one, then the open page changing by itself when the
 * application moves on — and, with JavaScript off, the same page current on every load.
 */

const skip = chromiumMissing();
let portal: TestPortal;
let origin = '';
let browser: Browser;
const people: { userName: string; sub: string }[] = [];
const deps = () => ({ db: elarTables(portal.db), settings: DEFAULT_APPLICATION_SETTINGS });

before(async () => {
  if (skip) return;
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  portal = await startPortal({ PORT: String(port), PUBLIC_URL: origin });
  await portal.app.listen({ port, host: '127.0.0.1' });
  browser = await launchBrowser();
  for (const [i, first] of ['Jessie', 'Noor'].entries()) {
    const { userName } = await createProfile(new HttpBrowser(portal.app, `10.30.0.${i + 1}`, origin), {
      firstName: first,
      lastName: 'Livepay',
      dob: ['6', String(i + 10), '1980'],
      ssn: `807-4${i}-6789`,
    });
    const { id: sub } = await portal.db
      .selectFrom('profile')
      .select('id')
      .where('user_name', '=', userName)
      .executeTakeFirstOrThrow();
    people.push({ userName, sub });
  }
});
after(async () => {
  await browser?.close();
  await portal?.close();
});

async function submittedFor(who: { sub: string }, codes: string[]) {
  const person = { sub: who.sub, mepid: null, email: null };
  const draft = await completeDraft(
    deps(),
    person,
    codes.map((code, i) => ({ ...(i === 0 ? BIOLOGY : CHEMISTRY), catalogCode: code })),
  );
  await submit(deps(), person, draft.id);
  return draft;
}

async function payWith(page: Page, cardNumber: string) {
  await page.getByLabel('Name on the card').fill('Jessie Livepay');
  await page.getByLabel('Card number').fill(cardNumber);
  await page.getByLabel('Expiry date').fill('04/39');
  await page.getByLabel('Security code').fill('123');
  await page.getByRole('button', { name: /^Pay \$/ }).click();
}

const statusOf = (page: Page) => page.locator('[data-application-status]').getAttribute('data-application-status');

describe('apply, pay and follow the status in Chromium', { skip }, () => {
  test('with JavaScript: $125, declined, paid, and the open page follows the status by itself', async () => {
    const application = await submittedFor(people[0]!, ['TCH-BIO-8-12', 'TCH-CHEM-8-12']);
    const page = await (await browser.newContext({ baseURL: origin })).newPage();
    await logIn(page, people[0]!.userName, 'Secret123');
    await page.goto(`/elar/applications/${application.id}`);
    assert.equal(await statusOf(page), 'awaiting-payment');
    await checkPage(page, 'apply-pay-js-1-awaiting-payment');

    await page.getByRole('button', { name: 'Pay $125.00' }).click();
    await checkPage(page, 'apply-pay-js-2-checkout');
    await payWith(page, '4000 0000 0000 0002');
    assert.match((await page.locator('main').textContent()) ?? '', /declined/i);
    await checkPage(page, 'apply-pay-js-3-declined');

    await page.getByRole('button', { name: 'Try again' }).click();
    await payWith(page, '4242 4242 4242 4242');
    await page.locator('main[data-outcome="paid"]').waitFor();
    await checkPage(page, 'apply-pay-js-4-paid');

    await page.goto(`/elar/applications/${application.id}`);
    assert.equal(await statusOf(page), 'not-ready');
    // The page is open; the application moves on elsewhere (its gate items on file).
    await page.waitForTimeout(300);
    await reportGateItems(deps(), people[0]!.sub, application.id, GATE_ITEMS);
    await page.locator('[data-application-status="ready-for-review"]').waitFor({ timeout: 2000 });
    assert.match((await page.locator('[data-live-announcer]').textContent()) ?? '', /Ready for Review/i);
    const added = page.locator('[data-timeline] li').last();
    assert.match((await added.textContent()) ?? '', /Everything needed to start is on file/);
    assert.match(
      (await added.locator('time').textContent()) ?? '',
      / at \d{1,2}:\d{2} [AP]M$/,
      'dated as the page dates',
    );
    await checkPage(page, 'apply-pay-js-5-live-update');
  });

  test('without JavaScript: the page is current on every load, and withdrawing works', async () => {
    const application = await submittedFor(people[1]!, ['TCH-MUS-ALL']);
    const context = await browser.newContext({ baseURL: origin, javaScriptEnabled: false });
    const page = await context.newPage();
    const axePage = await (await browser.newContext({ baseURL: origin })).newPage();
    await logIn(page, people[1]!.userName, 'Secret123');
    await page.goto(`/elar/applications/${application.id}`);
    await checkPage(page, 'apply-pay-nojs-1-awaiting-payment', axePage);
    await page.getByLabel('Why are you withdrawing it? (optional)').fill('Applied by mistake');
    await page.getByRole('button', { name: `Withdraw application ${application.reference}` }).click();
    assert.equal(await statusOf(page), 'withdrawn');
    await checkPage(page, 'apply-pay-nojs-2-withdrawn', axePage);
  });
});
