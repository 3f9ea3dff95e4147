import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { addMember } from '../src/directory/repository.ts';
import { designateAdministrator } from '../src/directory/service.ts';
import { Browser as FormClient, createProfile, startPortal, type TestPortal } from '../test/helpers/portal.ts';
import { checkPage, chromiumMissing, launchBrowser } from './harness.ts';

/**
 * The pages that say a lock is on (SPEC P5, P9, D3): reached in Chromium the way a person
 * reaches them, each checked with axe-core and kept as a screenshot.
 */

const skip = chromiumMissing();
let portal: TestPortal;
let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  portal = await startPortal({ LOCKOUT_THRESHOLD: '3' });
  const origin = await portal.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchBrowser();
  page = await (await browser.newContext({ baseURL: origin })).newPage();
});
after(async () => {
  await browser?.close();
  await portal?.close();
});

async function fillIdentity(person: { first: string; last: string; dob: [string, string, string]; ssn: string }) {
  await page.getByLabel('First name').fill(person.first);
  await page.getByLabel('Last name').fill(person.last);
  await page.getByLabel('Month').fill(person.dob[0]);
  await page.getByLabel('Day').fill(person.dob[1]);
  await page.getByLabel('Year').fill(person.dob[2]);
  await page.getByLabel('Social Security number').fill(person.ssn);
}

describe('lock pages', { skip }, () => {
  test('wrong hint answers pause the password reset, and the page says so and for how long', async () => {
    const person = {
      first: 'Hollis',
      last: 'Hinted',
      dob: ['7', '7', '1977'] as [string, string, string],
      ssn: '731-34-5678',
    };
    await createProfile(
      new FormClient(portal.app, '198.51.100.60'),
      { firstName: person.first, lastName: person.last, dob: person.dob, ssn: person.ssn },
      { hintQuestion: 'First school?', hintAnswer: 'Lincoln', password: 'Secret123' },
    );
    await page.goto('/account/recover');
    await fillIdentity(person);
    await page.getByRole('button', { name: 'Continue' }).click();
    assert.equal(await page.locator('main').getAttribute('data-outcome'), 'exact-match');
    await page.goto('/account/recover/hint');
    for (let i = 0; i < 3; i++) {
      await page.getByLabel('First school?').fill(`Guess ${i}`);
      await page.getByRole('button', { name: 'Continue' }).click();
    }
    assert.equal(await page.locator('main').getAttribute('data-outcome'), 'locked');
    assert.match(
      await page.locator('main').innerText(),
      /Resetting your password with your hint question is paused for 15 minutes/,
    );
    await checkPage(page, 'lock-hint-reset-paused');
  });

  test('a Directory Administrator whose staff lookups keep conflicting is paused, and told for how long', async () => {
    const orgId = randomUUID();
    await portal.db
      .insertInto('organization')
      .values({
        id: orgId,
        code: '00620000',
        name: 'Lockport Public Schools',
        type: 'district',
        district_id: null,
        town: 'Lockport',
        phone: null,
      })
      .execute();
    const org = await portal.db
      .selectFrom('organization')
      .selectAll()
      .where('id', '=', orgId)
      .executeTakeFirstOrThrow();
    const admin = await createProfile(new FormClient(portal.app, '198.51.100.61'), {
      firstName: 'Lee',
      lastName: 'Lookup',
      dob: ['1', '3', '1975'],
      ssn: '732-34-5678',
    });
    const profile = await portal.db
      .selectFrom('profile')
      .selectAll()
      .where('user_name', '=', admin.userName)
      .executeTakeFirstOrThrow();
    await designateAdministrator(portal.db, null, org, profile, { email: null, phone: null }, null);
    await page.goto('/login');
    await page.getByLabel('User Name').fill(admin.userName);
    await page.getByLabel('Password').fill('Secret123');
    await page.getByRole('button', { name: 'Log in' }).click();
    // The Hinted person's name and birth date with SSNs that are not theirs: partial matches.
    for (let i = 0; i < 4; i++) {
      await page.goto('/directory/organizations/00620000/staff/new');
      await fillIdentity({ first: 'Hollis', last: 'Hinted', dob: ['7', '7', '1977'], ssn: `74${i}-34-5678` });
      await page.getByRole('button', { name: 'Add staff member' }).click();
    }
    assert.equal(await page.locator('main').getAttribute('data-outcome'), 'locked');
    assert.match(await page.locator('main').innerText(), /adding staff is paused for 15 minutes/);
    await checkPage(page, 'lock-staff-lookup-paused');
  });

  test('the same pause stops SSN checks on the correction form (outside review F1), and says what still works', async () => {
    // Runs after the test above: Lee Lookup is paused and still logged in.
    const org = await portal.db
      .selectFrom('organization')
      .select('id')
      .where('code', '=', '00620000')
      .executeTakeFirstOrThrow();
    const hollis = await portal.db
      .selectFrom('profile')
      .select('id')
      .where('last_name', '=', 'Hinted')
      .executeTakeFirstOrThrow();
    await addMember(portal.db, org.id, hollis.id, null);
    await page.goto(`/directory/people/${hollis.id}/fix`);
    await page.getByLabel('Month').fill('7');
    await page.getByLabel('Day').fill('7');
    await page.getByLabel('Year').fill('1977');
    await page.getByLabel('Social Security number').fill('731-34-5678');
    await page.getByRole('button', { name: 'Save corrections' }).click();
    assert.equal(await page.locator('main').getAttribute('data-outcome'), 'locked');
    assert.match(await page.locator('main').innerText(), /changing an SSN and adding staff are paused for 15 minutes/);
    await checkPage(page, 'lock-fix-data-paused');
  });
});
