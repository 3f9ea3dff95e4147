import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GATE_ITEMS, markPaid, reportGateItems, submit } from '../src/elar/applications/index.ts';
import { completeDraft } from '../test/elar/applications/helpers.ts';
import {
  applicantOf,
  makeLicensureEvaluator,
  signIn,
  startElarInChromium,
  startReview,
  statusOf,
  type ElarInChromium,
  type Educator,
} from './elar-harness.ts';
import { checkPage, chromiumMissing, mainText } from './harness.ts';

/**
 * A licensure evaluator at work in Chromium: signs in, opens the queue, opens an
 * application and starts its review; with JavaScript on the educator's open page follows
 * by itself. With JavaScript on and off; axe-core and a screenshot on every page.
 */

const skip = chromiumMissing();
let elar: ElarInChromium;
let evaluator: Educator;
let educator: Educator;
let serial = 0;

before(async () => {
  if (skip) return;
  elar = await startElarInChromium();
  [evaluator, educator] = await elar.signUp([
    { firstName: 'Evelyn', lastName: 'Staffpage', dob: ['8', '10', '1981'], ssn: '808-40-6789' },
    { firstName: 'Edgar', lastName: 'Staffpage', dob: ['8', '11', '1981'], ssn: '808-41-6789' },
  ]);
  await makeLicensureEvaluator(elar, evaluator);
});
after(() => elar?.close());

/** The educator's application, sent, paid and with its gate items on file: Ready for Review. */
async function readyForReview(catalogCode: string) {
  serial += 1;
  const deps = elar.applications;
  const person = applicantOf(educator);
  const draft = await completeDraft(deps, person, [{ catalogCode, typeCode: 'INI', route: 'PREP' }]);
  await reportGateItems(deps, person.sub, draft.id, GATE_ITEMS);
  await submit(deps, person, draft.id);
  await deps.db.transaction().execute((trx) => markPaid(trx, deps.settings, draft.id, `e2e-staff-${serial}`));
  return draft;
}

describe('an evaluator starts a review in Chromium', { skip }, () => {
  for (const javaScriptEnabled of [true, false]) {
    const tag = javaScriptEnabled ? 'js' : 'nojs';
    test(`with JavaScript ${javaScriptEnabled ? 'on' : 'off'}: staff home, queue, application, start review`, async () => {
      const application = await readyForReview(javaScriptEnabled ? 'TCH-BIO-8-12' : 'TCH-CHEM-8-12');
      const { page, axePage } = await elar.openWindow(javaScriptEnabled);
      // The educator's page is open while the evaluator works.
      const { page: educatorPage } = await elar.openWindow();
      await signIn(educatorPage, educator, `/elar/applications/${application.id}`);
      assert.equal(await statusOf(educatorPage), 'ready-for-review');

      await signIn(page, evaluator, '/elar/staff');
      assert.match(await mainText(page), /You are signed in as a licensure evaluator/);
      await checkPage(page, `staff-${tag}-1-home`, axePage);

      await page.getByRole('link', { name: 'Review license applications' }).click();
      const row = page.locator(`[data-queue-application="${application.id}"]`);
      assert.match((await row.textContent()) ?? '', /Initial license/);
      await checkPage(page, `staff-${tag}-2-queue`, axePage);

      await row.getByRole('link', { name: application.reference }).click();
      assert.equal(await statusOf(page), 'ready-for-review');
      await checkPage(page, `staff-${tag}-3-application`, axePage);

      await startReview(page);
      assert.equal(await statusOf(page), 'in-review');
      assert.match((await page.locator('[data-timeline]').textContent()) ?? '', /An evaluator started reviewing/);
      await checkPage(page, `staff-${tag}-4-in-review`, axePage);

      // The educator's open page follows by itself (its script), without a reload.
      await educatorPage.locator('main [data-application-status="in-review"]').waitFor({ timeout: 2000 });
      await page.context().close();
      await educatorPage.context().close();
      await axePage?.context().close();
    });
  }
});
