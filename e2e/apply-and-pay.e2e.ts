import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GATE_ITEMS, reportGateItems } from '../src/elar/applications/index.ts';
import { BIOLOGY, CHEMISTRY } from '../test/elar/applications/helpers.ts';
import {
  payByCard,
  sentApplication,
  signIn,
  startElarInChromium,
  statusOf,
  TEST_CARDS,
  type ElarInChromium,
  type Educator,
} from './elar-harness.ts';
import { checkPage, chromiumMissing, mainText } from './harness.ts';

/**
 * An application paid for and followed live in Chromium (SPEC E2, E4): $125 for two
 * licenses, a declined card, a good one, then the open page changing by itself when the
 * application moves on — and, with JavaScript off, the same page current on every load.
 */

const skip = chromiumMissing();
let elar: ElarInChromium;
let people: Educator[];

before(async () => {
  if (skip) return;
  elar = await startElarInChromium();
  people = await elar.signUp([
    { firstName: 'Jessie', lastName: 'Livepay', dob: ['6', '10', '1980'], ssn: '807-40-6789' },
    { firstName: 'Noor', lastName: 'Livepay', dob: ['6', '11', '1980'], ssn: '807-41-6789' },
  ]);
});
after(() => elar?.close());

const submittedFor = (who: Educator, codes: string[]) =>
  sentApplication(
    elar,
    who,
    codes.map((code, i) => ({ ...(i === 0 ? BIOLOGY : CHEMISTRY), catalogCode: code })),
  );

describe('apply, pay and follow the status in Chromium', { skip }, () => {
  test('with JavaScript: $125, declined, paid, and the open page follows the status by itself', async () => {
    const application = await submittedFor(people[0]!, ['TCH-BIO-8-12', 'TCH-CHEM-8-12']);
    const { page } = await elar.openWindow();
    await signIn(page, people[0]!, `/elar/applications/${application.id}`);
    assert.equal(await statusOf(page), 'awaiting-payment');
    await checkPage(page, 'apply-pay-js-1-awaiting-payment');

    await page.getByRole('button', { name: 'Pay $125.00' }).click();
    await checkPage(page, 'apply-pay-js-2-checkout');
    await payByCard(page, { holder: people[0]!.name, number: TEST_CARDS.declined }, '$125.00');
    assert.match(await mainText(page), /declined/i);
    await checkPage(page, 'apply-pay-js-3-declined');

    await page.getByRole('button', { name: 'Try again' }).click();
    await payByCard(page, { holder: people[0]!.name, number: TEST_CARDS.paying }, '$125.00');
    await page.locator('main[data-outcome="paid"]').waitFor();
    await checkPage(page, 'apply-pay-js-4-paid');

    await page.goto(`/elar/applications/${application.id}`);
    assert.equal(await statusOf(page), 'not-ready');
    // The page is open; the application moves on elsewhere (its gate items on file).
    await page.waitForTimeout(300);
    await reportGateItems(elar.applications, people[0]!.sub, application.id, GATE_ITEMS);
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
    const { page, axePage } = await elar.openWindow(false);
    await signIn(page, people[1]!, `/elar/applications/${application.id}`);
    await checkPage(page, 'apply-pay-nojs-1-awaiting-payment', axePage);
    await page.getByLabel('Why are you withdrawing it? (optional)').fill('Applied by mistake');
    await page.getByRole('button', { name: `Withdraw application ${application.reference}` }).click();
    assert.equal(await statusOf(page), 'withdrawn');
    await checkPage(page, 'apply-pay-nojs-2-withdrawn', axePage);
  });
});
