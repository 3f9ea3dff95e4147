import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startElarInChromium, type ElarInChromium } from './elar-harness.ts';
import { checkPage, chromiumMissing } from './harness.ts';

/**
 * "What do I need for this license?" in Chromium, signed out, with JavaScript on and off:
 * every step a page of its own, each checked by axe and screenshotted.
 */

const skip = chromiumMissing();
let elar: ElarInChromium;

before(async () => {
  if (skip) return;
  elar = await startElarInChromium();
});
after(() => elar?.close());

async function walk(page: Page, name: string, axePage?: Page) {
  await page.goto('/elar/requirements');
  await checkPage(page, `${name}-1-category`, axePage);
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.match(await page.title(), /^Error: /);
  await checkPage(page, `${name}-1-category-error`, axePage);
  // USWDS draws its own radio and hides the input: a person clicks the label.
  await page.getByText('Teacher (Academic PreK-12)', { exact: true }).click();
  assert.ok(await page.getByLabel('Teacher (Academic PreK-12)', { exact: true }).isChecked());
  await page.getByRole('button', { name: 'Continue' }).click();
  await checkPage(page, `${name}-2-license`, axePage);
  await page.getByLabel('License').selectOption({ label: 'Mathematics (5-8)' });
  await page.getByRole('button', { name: 'Continue' }).click();
  await checkPage(page, `${name}-3-type`, axePage);
  await page.locator('label[for="type-PRO"]').click();
  await page.getByRole('button', { name: 'Show what I need' }).click();
  await checkPage(page, `${name}-4-checklist`, axePage);
  assert.equal(
    await page.getByRole('heading', { level: 1 }).textContent(),
    'What you need for Mathematics (5-8), Professional',
  );
  assert.equal(new URL(page.url()).search, '?license=TCH-MATH-5-8&type=PRO', 'a bookmarkable answer');
  await page.getByRole('link', { name: 'Apply for this license' }).waitFor();
  await page.goto('/elar/requirements/type?license=NOPE');
  await checkPage(page, `${name}-not-found`, axePage);
}

describe('the public requirements pages in Chromium', { skip }, () => {
  test('with JavaScript', async () => {
    const { page } = await elar.openWindow();
    await walk(page, 'requirements-js');
  });

  test('without JavaScript', async () => {
    const { page, axePage } = await elar.openWindow(false);
    await walk(page, 'requirements-nojs', axePage);
  });
});
