import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  chooseNewLicense,
  feeShown,
  fillDegree,
  fillPassedTest,
  fillPersonalDetails,
  makeLicensureEvaluator,
  payByCard,
  signAffidavit,
  signIn,
  startElarInChromium,
  startReview,
  statusOf,
  TEST_CARDS,
  type ElarInChromium,
  type Educator,
} from './elar-harness.ts';
import { checkPage, choose, chromiumMissing, enter, mainText } from './harness.ts';

/**
 * Issue 13's "Done when", whole, in Chromium with JavaScript on and with it off: an educator
 * finds what a license needs, applies for two licenses in one application through every
 * page, sees $125, is declined, pays, sees the receipt, watches (or reloads) the status
 * change when a licensure evaluator in another browser starts the review, and withdraws
 * another application. Only the pages for the educator's steps; axe and a screenshot on
 * every page the educator or the evaluator sees.
 */

const skip = chromiumMissing();
let elar: ElarInChromium;
const educators: Record<'js' | 'nojs', Educator> = {} as never;
let evaluator: Educator;

before(async () => {
  if (skip) return;
  elar = await startElarInChromium();
  [educators.js, educators.nojs, evaluator] = await elar.signUp([
    { firstName: 'Ada', lastName: 'Journey', dob: ['3', '11', '1986'], ssn: '809-60-6789' },
    { firstName: 'Bea', lastName: 'Journey', dob: ['3', '12', '1986'], ssn: '809-61-6789' },
    { firstName: 'Evan', lastName: 'Evaluator', dob: ['3', '13', '1986'], ssn: '809-62-6789' },
  ]);
  await makeLicensureEvaluator(elar, evaluator);
});
after(() => elar?.close());

const button = (page: Page, name: string | RegExp) => page.getByRole('button', { name }).click();

interface Journey {
  tag: 'js' | 'nojs';
  javaScriptEnabled: boolean;
  /** Found on the requirements pages and applied for from there. */
  first: { name: string; code: string; type: string; typeName: string; route: string };
  /** Added to the same application. */
  second: { name: string; type: string; route: string };
  /** The other application, withdrawn. */
  withdrawn: { name: string; type: string; route: string };
}

const JOURNEYS: Journey[] = [
  {
    tag: 'js',
    javaScriptEnabled: true,
    first: {
      name: 'Biology (8-12)',
      code: 'TCH-BIO-8-12',
      type: 'INI',
      typeName: 'Initial',
      route: 'Approved preparation program',
    },
    second: { name: 'Chemistry (8-12)', type: 'INI', route: 'Approved preparation program' },
    withdrawn: { name: 'Physics (8-12)', type: 'PRV', route: 'Degree and tests' },
  },
  {
    tag: 'nojs',
    javaScriptEnabled: false,
    first: {
      name: 'Mathematics (5-8)',
      code: 'TCH-MATH-5-8',
      type: 'PRV',
      typeName: 'Provisional',
      route: 'Degree and tests',
    },
    second: { name: 'General Science (5-8)', type: 'PRV', route: 'Degree and tests' },
    withdrawn: { name: 'English (5-12)', type: 'INI', route: 'Approved preparation program' },
  },
];

for (const journey of JOURNEYS) {
  const { tag, javaScriptEnabled } = journey;
  describe(`an educator's whole path, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, { skip }, () => {
    test('requirements, two licenses in one application, $125, declined, paid, receipt, live status, another withdrawn', async () => {
      const who = educators[tag];
      // axe runs as JavaScript: a page seen without it is checked in a page of its own.
      const { page, axePage } = await elar.openWindow(javaScriptEnabled);
      const context = page.context();
      let step = 0;
      const check = (name: string, on: Page = page) =>
        checkPage(on, `educator-journey-${tag}-${String(++step).padStart(2, '0')}-${name}`, axePage);

      /** Kind → field and grade level → type → route, on the chooser's own pages; ends on the route's button. */
      async function chooseLicense(license: { name: string; type: string; route: string }, last: string, name: string) {
        await chooseNewLicense(page, { field: license.name, type: license.type }, (chooserPage) =>
          check(`${name}-${chooserPage}`),
        );
        await choose(page, license.route);
        await button(page, last);
      }

      // 1. What a license needs, signed out: the public requirements pages.
      await page.goto('/elar/requirements');
      await check('requirements-category');
      await choose(page, /^Teacher \(Academic PreK-12\)$/);
      await button(page, 'Continue');
      await page.getByLabel('License').selectOption({ label: journey.first.name });
      await button(page, 'Continue');
      await page.locator(`label[for="type-${journey.first.type}"]`).click();
      await button(page, 'Show what I need');
      assert.equal(
        await page.getByRole('heading', { level: 1 }).textContent(),
        `What you need for ${journey.first.name}, ${journey.first.typeName}`,
      );
      await check('checklist');

      if (javaScriptEnabled) {
        // "Apply for this license": signing in, then straight to that license's routes, by keyboard.
        await page.getByRole('link', { name: 'Apply for this license' }).click();
        await check('sign-in');
        await page.getByLabel('User Name').fill(who.userName);
        await page.getByLabel('Password').fill('Secret123');
        await enter(page);
        await page.waitForURL(/\/elar\/applications\/new\/route\?/);
        assert.match(await mainText(page), /Biology \(8-12\)/);
        assert.match(await feeShown(page), /\$100\.00/);
        await check('route');
        await page.locator('#route').focus();
        assert.equal(await page.locator('#route').getAttribute('value'), 'PREP');
        await page.keyboard.press('Space');
        await enter(page);
      } else {
        // Signed in first; then from ELAR's home page, its "Apply" button and the chooser.
        await signIn(page, who, '/elar');
        await check('elar-home');
        await page.getByRole('link', { name: 'Apply for a New License or Advance to the next level' }).click();
        await chooseLicense(journey.first, 'Start my application', 'chooser');
      }

      // 2. The task list; a second license in the same application.
      await page.waitForURL(/\/tasks$/);
      const applicationUrl = page.url().replace(/\/tasks$/, '');
      const applicationId = applicationUrl.split('/').at(-1)!;
      assert.equal(await statusOf(page), 'draft');
      await check('task-list');
      await page.getByRole('link', { name: 'Licenses you are applying for' }).click();
      await page.getByRole('link', { name: 'Add another license' }).click();
      await chooseLicense(journey.second, 'Add this license', 'add');
      assert.match(await feeShown(page), /\$125\.00/);
      assert.equal(await page.locator('[data-license-choice]').count(), 2);
      await check('two-licenses');
      await page.getByRole('link', { name: 'Back to your task list' }).click();

      const section = async (name: string) => {
        await page.getByRole('link', { name, exact: true }).click();
      };
      const saved = async () => {
        await button(page, 'Save and continue');
        await page.waitForURL(/\/tasks$/);
      };
      await section('Personal details');
      await check('personal-details');
      await fillPersonalDetails(page, {
        phone: '617 555 0142',
        street: '12 Elm Street',
        town: 'Worcester',
        zip: '01608',
      });
      await saved();

      await section('Education');
      await fillDegree(page, {
        kind: 'bachelor',
        subject: 'Natural Sciences',
        college: 'Clark University',
        awarded: '2016-05',
      });
      await check('education');
      await saved();

      await section('Tests');
      await fillPassedTest(page, { name: 'Communication and Literacy Skills', date: '2016-02-20' });
      await check('tests');
      await saved();

      await section('Employment');
      await page.getByLabel('School or district').fill('Worcester Public Schools');
      await page.getByLabel('Your role').fill('Science teacher, grades 6 to 8');
      await page.getByLabel('When you started').fill('2017-09');
      await check('employment');
      await saved();

      await section('Licenses held in other states');
      await check('other-states');
      await saved();

      await section('Character questions');
      for (const question of [/convicted of a crime/, /revoked, suspended/, /pending charge/])
        await choose(page.getByRole('group', { name: question }), /^No$/);
      await check('character');
      await saved();
      assert.match(await mainText(page), /You have completed 7 of 7 sections/);

      await page.getByRole('link', { name: 'Check your answers, sign the affidavit and send' }).click();
      const answers = await mainText(page);
      assert.match(answers, new RegExp(journey.first.name.replace(/[()]/g, '\\$&')));
      assert.match(answers, new RegExp(journey.second.name.replace(/[()]/g, '\\$&')));
      assert.match(answers, /Clark University/);
      assert.match(answers, /\$125\.00/);
      await check('check-answers');
      await page.getByRole('link', { name: 'Sign the affidavit' }).first().click();
      await check('affidavit');
      await signAffidavit(page, who.name);
      await check('ready-to-submit');
      await button(page, /^Submit application/);
      await page.waitForURL(applicationUrl);

      // 3. $125 to pay; a declined card, then a good one.
      assert.equal(await statusOf(page), 'awaiting-payment');
      const reference = (await page.locator('[data-application-reference]').textContent()) ?? '';
      assert.match(reference, /^\d{7}$/);
      await check('awaiting-payment');
      await button(page, 'Pay $125.00');
      assert.match(await mainText(page), /\$125\.00/);
      await check('test-checkout');
      await payByCard(page, { holder: who.name, number: TEST_CARDS.declined }, '$125.00');
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Your card was declined');
      assert.match(await page.getByRole('alert').textContent().then(String), /Nothing was charged/);
      await check('declined');
      // Declined, the application still waits for its fee.
      const stillWaiting = await context.newPage();
      await stillWaiting.goto(applicationUrl);
      assert.equal(await statusOf(stillWaiting), 'awaiting-payment');
      await stillWaiting.close();

      await button(page, 'Try again');
      await payByCard(page, { holder: who.name, number: TEST_CARDS.paying }, '$125.00');
      await page.locator('main[data-outcome="paid"]').waitFor();
      assert.match(await mainText(page), /We have your payment of \$125\.00/);
      await check('paid');

      // 4. The receipt.
      await page.getByRole('link', { name: 'See your receipt' }).click();
      const receiptNumber = (await page.locator('[data-receipt-number]').textContent()) ?? '';
      assert.notEqual(receiptNumber.trim(), '');
      const receipt = await mainText(page);
      assert.match(receipt, /Amount\s*\$125\.00/);
      assert.match(receipt, /Card ending 4242/);
      assert.match(receipt, new RegExp(`Paid for\\s*\\S[^\\n]*${reference}`), 'names the application paid for');
      const year = new Date().toLocaleDateString('en-US', { timeZone: 'America/New_York', year: 'numeric' });
      assert.match(receipt, new RegExp(`Date\\s*[A-Z][a-z]+ \\d{1,2}, ${year}`));
      await check('receipt');

      // 5. The educator says what is on file (self-reported until documents arrive): the paid
      // application becomes Ready for Review, which an evaluator can start.
      await page.goto(applicationUrl);
      assert.equal(await statusOf(page), 'not-ready');
      await check('not-ready');
      for (const label of await page.locator('[data-gate-items] ~ form label').all()) await label.click();
      await button(page, 'Tell us these are on file');
      assert.equal(await statusOf(page), 'ready-for-review');
      await check('ready-for-review');

      const { page: staff } = await elar.openWindow(javaScriptEnabled);
      await signIn(staff, evaluator, '/elar/staff');
      await check('staff-home', staff);
      await staff.getByRole('link', { name: 'Review license applications' }).click();
      const row = staff.locator(`[data-queue-application="${applicationId}"]`);
      await check('staff-queue', staff);
      await row.getByRole('link', { name: reference }).click();
      await check('staff-application', staff);
      await startReview(staff);
      assert.equal(await statusOf(staff), 'in-review');
      await check('staff-in-review', staff);
      await staff.context().close();

      if (javaScriptEnabled) {
        // The educator's page, open all along, follows by itself: no reload.
        await page.locator('main [data-application-status="in-review"]').waitFor({ timeout: 3000 });
        assert.match((await page.locator('[data-live-announcer]').textContent()) ?? '', /In Review/i);
      } else {
        assert.equal(await statusOf(page), 'ready-for-review', 'without its script the page waits for a reload');
        await page.reload();
        assert.equal(await statusOf(page), 'in-review');
      }
      assert.match((await page.locator('[data-timeline]').textContent()) ?? '', /An evaluator started reviewing/);
      await check('in-review');

      // 6. Another application, for another license, withdrawn from its own page.
      await page.goto('/elar/applications/new');
      await chooseLicense(journey.withdrawn, 'Start my application', 'another');
      await page.waitForURL(/\/tasks$/);
      const otherUrl = page.url().replace(/\/tasks$/, '');
      assert.notEqual(otherUrl, applicationUrl);
      await page.getByRole('link', { name: "See this application's status and history" }).click();
      const otherReference = (await page.locator('[data-application-reference]').textContent()) ?? '';
      await check('another-draft');
      await page.getByLabel('Why are you withdrawing it? (optional)').fill('I chose the wrong license.');
      await button(page, `Withdraw application ${otherReference}`);
      await page.waitForURL(otherUrl);
      assert.equal(await statusOf(page), 'withdrawn');
      assert.match(await mainText(page), /Withdrawn/);
      assert.match(await mainText(page), /I chose the wrong license\./);
      await check('withdrawn');

      // The first application is untouched by it.
      await page.goto(applicationUrl);
      assert.equal(await statusOf(page), 'in-review');
      await context.close();
      await axePage?.context().close();
    });
  });
}
