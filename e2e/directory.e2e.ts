import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { checkPage, chromiumMissing, cli, createProfileInBrowser, launchBrowser, startServer, type RunningPortal } from './harness.ts';

/**
 * Issue #3 done: the department administrator designates a district's Directory
 * Administrator, who adds a staff member, grants SIMS and resets their password; the staff
 * member completes the profile and sees SIMS on the portal home; another district's
 * administrator can neither see nor touch them. Organizations come from the CLI import.
 */

const skip = chromiumMissing();
let server: RunningPortal;
let browser: Browser;
let cliOutput = '';
let csvDir = '';

before(async () => {
  if (skip) return;
  csvDir = mkdtempSync(join(tmpdir(), 'orgs-'));
  const csv = join(csvDir, 'orgs.csv');
  writeFileSync(
    csv,
    'code,name,type,town,phone\n00350505,Springfield High School,school,Springfield,413-555-0105\n00350000,Springfield Public Schools,district,Springfield,413-555-0100\n00400000,Shelbyville Public Schools,district,Shelbyville,\n00400505,Shelbyville High School,school,Shelbyville,\n',
  );
  server = await startServer({ BOOTSTRAP_ADMIN_PASSWORD: 'Bootstrap1' }, (env) => {
    cliOutput = cli(env, ['org', 'import', csv]);
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (csvDir) rmSync(csvDir, { recursive: true, force: true });
});

async function newPage(): Promise<Page> {
  return (await browser.newContext({ baseURL: server.url })).newPage();
}

async function logIn(page: Page, userName: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('User Name').fill(userName);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

describe('delegated administration, end to end', { skip }, () => {
  let districtAdmin = '';
  let otherAdmin = '';
  let staffUrl = '';
  let staffUserName = '';
  let temporary = '';

  test('the CLI imported the organizations', () => {
    assert.match(cliOutput, /4 rows: 4 added, 0 updated, 0 unchanged, 0 rejected/);
  });

  test('two future administrators create their own profiles', async () => {
    districtAdmin = await createProfileInBrowser(await newPage(), { first: 'Dale', last: 'Springfield', ssn: '811-11-1111', password: 'Admin2026' });
    otherAdmin = await createProfileInBrowser(await newPage(), { first: 'Sid', last: 'Shelbyville', ssn: '822-22-2222', password: 'Admin2026' });
    assert.equal(districtAdmin, 'DSpringfield');
  });

  test('the department administrator logs in, changes the bootstrap password, designates both', async () => {
    const page = await newPage();
    await logIn(page, 'admin', 'Bootstrap1');
    await page.getByLabel('Current password').fill('Bootstrap1');
    await page.getByLabel('New password', { exact: true }).fill('DeptAdmin2026');
    await page.getByLabel('Confirm new password').fill('DeptAdmin2026');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.goto('/');
    await checkPage(page, 'dir-01-department-home');
    await page.getByRole('link', { name: 'Open Directory Administration' }).click();
    await checkPage(page, 'dir-02-console');
    await page.getByRole('link', { name: 'Springfield Public Schools' }).click();
    await checkPage(page, 'dir-03-district');
    await page.getByRole('link', { name: 'Designate a Directory Administrator' }).click();
    await page.getByLabel('User Name').fill(districtAdmin);
    await page.getByLabel('Email address to publish').fill('dale@springfield.example');
    await page.getByRole('button', { name: 'Designate' }).click();
    assert.match((await page.locator('main').textContent()) ?? '', /Dale Springfield · dale@springfield.example/);
    await page.goto('/directory/organizations/00400000/administrators/new');
    await page.getByLabel('User Name').fill(otherAdmin);
    await page.getByRole('button', { name: 'Designate' }).click();
    await page.goto('/directory-administrators?q=springfield');
    await checkPage(page, 'dir-04-public-list');
    assert.match((await page.locator('table').textContent()) ?? '', /Dale Springfield/);
  });

  test('the district administrator adds a staff member to a school and grants SIMS', async () => {
    const page = await newPage();
    await logIn(page, districtAdmin, 'Admin2026');
    await page.getByRole('link', { name: 'Open Directory Administration' }).click();
    await page.getByRole('link', { name: 'Springfield Public Schools' }).click();
    await page.getByRole('link', { name: 'Change the contact details published for you' }).click();
    await page.getByLabel('Phone number to publish').fill('413-555-0111');
    await checkPage(page, 'dir-05a-published-contacts');
    await page.getByRole('button', { name: 'Save contact details' }).click();
    await page.getByText('Your contact details on the public list').waitFor();
    await page.goto('/directory');
    await page.getByRole('link', { name: 'Springfield High School' }).click();
    await page.getByRole('link', { name: 'Add a staff member' }).click();
    await page.getByRole('button', { name: 'Add staff member' }).click();
    await checkPage(page, 'dir-05-add-staff-errors');
    await page.getByLabel('First name').fill('Nora');
    await page.getByLabel('Last name').fill('Newcomer');
    await page.getByLabel('Month').fill('6');
    await page.getByLabel('Day').fill('15');
    await page.getByLabel('Year').fill('1991');
    await page.getByLabel('Social Security number').fill('833-33-3333');
    await page.getByRole('button', { name: 'Add staff member' }).click();
    await page.getByText('A profile was started for this person').waitFor();
    staffUrl = new URL(page.url()).pathname;
    await page.getByLabel('Organization').selectOption('00350505');
    await page.getByLabel('Application and role').selectOption('sims:user');
    await page.getByRole('button', { name: 'Grant role' }).click();
    assert.match((await page.locator('table').textContent()) ?? '', /SIMS/);
    await checkPage(page, 'dir-06-person');
  });

  test('the staff member completes the pre-created profile and sees SIMS at home', async () => {
    const page = await newPage();
    await page.goto('/profile/new');
    await page.getByLabel('First name').fill('Nora');
    await page.getByLabel('Last name').fill('Newcomer');
    await page.getByLabel('Month').fill('6');
    await page.getByLabel('Day').fill('15');
    await page.getByLabel('Year').fill('1991');
    await page.getByLabel('Social Security number').fill('833333333');
    await page.getByRole('button', { name: 'Continue' }).click();
    await checkPage(page, 'dir-07-complete-profile');
    await page.getByLabel('Password hint question').fill('First pet?');
    await page.getByLabel('Answer to your hint question').fill('Rex');
    await page.getByLabel('Password', { exact: true }).fill('Staff2026');
    await page.getByLabel('Confirm password').fill('Staff2026');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Complete my profile' }).click();
    assert.equal(await page.locator('main').getAttribute('data-outcome'), 'completed');
    staffUserName = (await page.locator('[data-username]').textContent()) ?? '';
    await logIn(page, staffUserName, 'Staff2026');
    assert.equal(await page.getByRole('heading', { name: 'SIMS' }).count(), 1);
    await checkPage(page, 'dir-08-staff-home');
  });

  test('the district administrator resets the password; the staff member must change it', async () => {
    const admin = await newPage();
    await logIn(admin, districtAdmin, 'Admin2026');
    await admin.goto(staffUrl);
    await admin.getByRole('button', { name: 'Reset password' }).click();
    temporary = (await admin.locator('[data-temporary-password]').textContent()) ?? '';
    assert.match(temporary, /^[A-Za-z0-9]{12}$/);
    await checkPage(admin, 'dir-09-temporary-password');
    const staff = await newPage();
    await logIn(staff, staffUserName, temporary);
    assert.match(staff.url(), /\/account\/password$/);
    await staff.getByLabel('Current password').fill(temporary);
    await staff.getByLabel('New password', { exact: true }).fill('Staff2027');
    await staff.getByLabel('Confirm new password').fill('Staff2027');
    await staff.getByRole('button', { name: 'Change password' }).click();
    assert.equal(await staff.locator('main').getAttribute('data-outcome'), 'password-changed');
  });

  test("another district's administrator can neither see nor touch the staff member", async () => {
    const page = await newPage();
    await logIn(page, otherAdmin, 'Admin2026');
    const response = await page.goto(staffUrl);
    assert.equal(response?.status(), 403);
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /Newcomer/);
    await checkPage(page, 'dir-10-forbidden');
    await page.goto('/directory/organizations');
    // Their own organizations' page, listing their district and not the other one.
    const organizations = (await page.locator('main').textContent()) ?? '';
    assert.equal(await page.locator('h1').textContent(), 'Organizations');
    assert.match(organizations, /Shelbyville Public Schools/);
    assert.doesNotMatch(organizations, /Springfield/);
  });
  test('the department adds an organization, makes it inactive, and registers an application in the console', async () => {
    const page = await newPage();
    await logIn(page, 'admin', 'DeptAdmin2026');
    await page.goto('/directory/organizations');
    await page.getByRole('link', { name: 'Add an organization' }).click();
    await page.getByRole('button', { name: 'Add organization' }).click();
    await checkPage(page, 'dir-11-add-organization-errors');
    await page.getByLabel('Name').fill('Ogunquit Public Schools');
    await page.getByLabel('Organization code').fill('00500000');
    await page.getByLabel('Kind of organization').selectOption('district');
    await page.getByLabel('Town').fill('Ogunquit');
    await page.getByRole('button', { name: 'Add organization' }).click();
    await page.getByText('The organization is added').waitFor();
    await checkPage(page, 'dir-12-organization-added');
    await page.getByRole('link', { name: 'Edit details of Ogunquit Public Schools' }).click();
    await page.getByLabel('Status').selectOption('inactive');
    await checkPage(page, 'dir-13-edit-organization');
    await page.getByRole('button', { name: 'Save details' }).click();
    await page.getByText('This organization is inactive').waitFor();
    assert.equal(await page.getByRole('link', { name: 'Add a staff member' }).count(), 0);

    await page.goto('/directory/applications');
    await page.getByRole('link', { name: 'Register an application' }).click();
    await page.getByLabel('Name').fill('Gradebook');
    await page.getByLabel('Client id').fill('gradebook');
    await page.getByLabel('Who may open it').selectOption('restricted');
    await page.getByLabel('Roles').fill('teacher, viewer');
    await page.getByLabel('Redirect URIs', { exact: true }).fill('https://gradebook.example.gov/callback\nhttps://gradebook.example.gov/again');
    await page.getByRole('button', { name: 'Register application' }).click();
    const secret = (await page.locator('[data-client-secret]').textContent()) ?? '';
    assert.match(secret.trim(), /^[A-Za-z0-9_-]{43}$/);
    await checkPage(page, 'dir-14-client-secret');
    await page.getByRole('link', { name: 'Back to Gradebook' }).click();
    assert.match((await page.locator('main').textContent()) ?? '', /https:\/\/gradebook.example.gov\/again/);
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', new RegExp(secret.trim()));
    await checkPage(page, 'dir-15-application');
  });
});
