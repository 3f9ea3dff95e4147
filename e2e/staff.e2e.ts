import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { insertDepartmentRole } from '../src/directory/department-roles/repository.ts';
import {
  DEFAULT_APPLICATION_SETTINGS,
  GATE_ITEMS,
  markPaid,
  reportGateItems,
  submit,
} from '../src/elar/applications/index.ts';
import { elarTables } from '../src/elar/index.ts';
import { completeDraft } from '../test/elar/applications/helpers.ts';
import { createProfile, startPortal, Browser as HttpBrowser, type TestPortal } from '../test/helpers/portal.ts';
import { checkPage, chromiumMissing, freePort, launchBrowser, logIn } from './harness.ts';

/**
 * A licensure evaluator at work in Chromium: signs in, opens the queue, opens an
 * application and starts its review; with JavaScript on the educator's open page follows
 * by itself. With JavaScript on and off; axe-core and a screenshot on every page.
 */

const skip = chromiumMissing();
let portal: TestPortal;
let origin = '';
let browser: Browser;
const people: Record<'evaluator' | 'educator', { userName: string; sub: string }> = {} as never;
const deps = () => ({ db: elarTables(portal.db), settings: DEFAULT_APPLICATION_SETTINGS });
let serial = 0;

before(async () => {
  if (skip) return;
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  portal = await startPortal({ PORT: String(port), PUBLIC_URL: origin });
  await portal.app.listen({ port, host: '127.0.0.1' });
  browser = await launchBrowser();
  for (const [i, who] of (['evaluator', 'educator'] as const).entries()) {
    const { userName } = await createProfile(new HttpBrowser(portal.app, `10.48.0.${i + 1}`, origin), {
      firstName: who === 'evaluator' ? 'Evelyn' : 'Edgar',
      lastName: 'Staffpage',
      dob: ['8', String(i + 10), '1981'],
      ssn: `808-4${i}-6789`,
    });
    const { id: sub } = await portal.db
      .selectFrom('profile')
      .select('id')
      .where('user_name', '=', userName)
      .executeTakeFirstOrThrow();
    people[who] = { userName, sub };
  }
  await insertDepartmentRole(portal.db, {
    profileId: people.evaluator.sub,
    role: 'licensure-evaluator',
    grantedBy: null,
  });
});
after(async () => {
  await browser?.close();
  await portal?.close();
});

/** The educator's application, sent, paid and with its gate items on file: Ready for Review. */
async function readyForReview(catalogCode: string) {
  serial += 1;
  const person = { sub: people.educator.sub, mepid: null, email: null };
  const draft = await completeDraft(deps(), person, [{ catalogCode, typeCode: 'INI', route: 'PREP' }]);
  await reportGateItems(deps(), person.sub, draft.id, GATE_ITEMS);
  await submit(deps(), person, draft.id);
  await elarTables(portal.db)
    .transaction()
    .execute((trx) => markPaid(trx, deps().settings, draft.id, `e2e-staff-${serial}`));
  return draft;
}

const statusOf = (page: Page) =>
  page.locator('main [data-application-status]').first().getAttribute('data-application-status');

describe('an evaluator starts a review in Chromium', { skip }, () => {
  for (const javaScriptEnabled of [true, false]) {
    const tag = javaScriptEnabled ? 'js' : 'nojs';
    test(`with JavaScript ${javaScriptEnabled ? 'on' : 'off'}: staff home, queue, application, start review`, async () => {
      const application = await readyForReview(javaScriptEnabled ? 'TCH-BIO-8-12' : 'TCH-CHEM-8-12');
      const page = await (await browser.newContext({ baseURL: origin, javaScriptEnabled })).newPage();
      const axePage = javaScriptEnabled ? undefined : await (await browser.newContext({ baseURL: origin })).newPage();
      // The educator's page is open while the evaluator works.
      const educator = await (await browser.newContext({ baseURL: origin })).newPage();
      await logIn(educator, people.educator.userName, 'Secret123');
      await educator.goto(`/elar/applications/${application.id}`);
      assert.equal(await statusOf(educator), 'ready-for-review');

      await logIn(page, people.evaluator.userName, 'Secret123');
      await page.goto('/elar/staff');
      assert.match((await page.locator('main').textContent()) ?? '', /You are signed in as a licensure evaluator/);
      await checkPage(page, `staff-${tag}-1-home`, axePage);

      await page.getByRole('link', { name: 'Review license applications' }).click();
      const row = page.locator(`[data-queue-application="${application.id}"]`);
      assert.match((await row.textContent()) ?? '', /Initial license/);
      await checkPage(page, `staff-${tag}-2-queue`, axePage);

      await row.getByRole('link', { name: application.reference }).click();
      assert.equal(await statusOf(page), 'ready-for-review');
      await checkPage(page, `staff-${tag}-3-application`, axePage);

      await page.locator('label', { hasText: 'Start review' }).click();
      await page.getByRole('button', { name: 'Make this change' }).click();
      assert.equal(await statusOf(page), 'in-review');
      assert.match((await page.locator('[data-timeline]').textContent()) ?? '', /An evaluator started reviewing/);
      await checkPage(page, `staff-${tag}-4-in-review`, axePage);

      // The educator's open page follows by itself (its script), without a reload.
      await educator.locator('main [data-application-status="in-review"]').waitFor({ timeout: 2000 });
      await page.context().close();
      await educator.context().close();
      await axePage?.context().close();
    });
  }
});
