import type { Browser, Locator, Page } from 'playwright-core';
import { insertDepartmentRole } from '../src/directory/department-roles/repository.ts';
import {
  DEFAULT_APPLICATION_SETTINGS,
  submit,
  type Applicant,
  type ApplicationDeps,
} from '../src/elar/applications/index.ts';
import { elarTables } from '../src/elar/index.ts';
import { issueLicense, type LicenseRecord } from '../src/elar/licenses/index.ts';
import { completeDraft } from '../test/elar/applications/helpers.ts';
import {
  createProfile,
  startPortal,
  Browser as HttpBrowser,
  type Person,
  type TestPortal,
} from '../test/helpers/portal.ts';
import { choose, freePort, launchBrowser, logIn, openWindow } from './harness.ts';

/**
 * ELAR's journeys in Chromium. Unlike the portal's journeys (`harness.ts`, a spawned server),
 * the portal with ELAR runs in this process, so a test can do in the database what happens
 * elsewhere (a license issued, an application moved on by staff) while a page is open. Kept
 * apart from `harness.ts` so that the spawned-server journeys do not load the whole app.
 */

/** Create Profile's password for everyone made here (the default of `createProfile`). */
const PASSWORD = 'Secret123';

/** An educator (or staff member) with a profile, as the portal knows them and as ELAR's claims name them. */
export interface Educator {
  userName: string;
  /** The profile's id: ELAR's `sub`. */
  sub: string;
  /** First and last name. */
  name: string;
}

export interface ElarInChromium {
  portal: TestPortal;
  origin: string;
  browser: Browser;
  /** The application service on the portal's database, as ELAR uses it. */
  applications: ApplicationDeps;
  /** See `openWindow`. */
  openWindow(javaScriptEnabled?: boolean): Promise<{ page: Page; axePage: Page | undefined }>;
  /** Each through Create Profile's pages (over HTTP, from an address of their own), in order. */
  signUp<People extends Person[]>(people: [...People]): Promise<{ [K in keyof People]: Educator }>;
  close(): Promise<void>;
}

/** The portal with ELAR on a free port and a fresh database, and Chromium. */
export async function startElarInChromium(): Promise<ElarInChromium> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const portal = await startPortal({ PORT: String(port), PUBLIC_URL: origin });
  let browser: Browser;
  try {
    await portal.app.listen({ port, host: '127.0.0.1' });
    browser = await launchBrowser();
  } catch (e) {
    // Nothing is left listening, or the test process would not end.
    await portal.close();
    throw e;
  }
  let signedUp = 0;
  return {
    portal,
    origin,
    browser,
    applications: { db: elarTables(portal.db), settings: DEFAULT_APPLICATION_SETTINGS },
    openWindow: (javaScriptEnabled = true) => openWindow(browser, origin, javaScriptEnabled),
    async signUp<People extends Person[]>(people: [...People]) {
      const made: Educator[] = [];
      for (const person of people) {
        signedUp += 1;
        const { userName } = await createProfile(new HttpBrowser(portal.app, `10.13.0.${signedUp}`, origin), person);
        const { id: sub } = await portal.db
          .selectFrom('profile')
          .select('id')
          .where('user_name', '=', userName)
          .executeTakeFirstOrThrow();
        made.push({ userName, sub, name: `${person.firstName} ${person.lastName}` });
      }
      return made as { [K in keyof People]: Educator };
    },
    close: async () => {
      await browser.close();
      await portal.close();
    },
  };
}

/** The Department role that lets a person evaluate license applications in ELAR's staff pages. */
export async function makeLicensureEvaluator(elar: ElarInChromium, who: Educator): Promise<void> {
  await insertDepartmentRole(elar.portal.db, { profileId: who.sub, role: 'licensure-evaluator', grantedBy: null });
}

/** Licenses on record, issued together, as the licensing system of record would. */
export async function issueLicenses(elar: ElarInChromium, licenses: LicenseRecord[]): Promise<void> {
  await elar.applications.db.transaction().execute(async (trx) => {
    for (const license of licenses) await issueLicense(trx, license, 'e2e');
  });
}

/** The educator as ELAR's application service sees them. */
export const applicantOf = (who: Educator): Applicant => ({ sub: who.sub, mepid: null, email: null });

/** An application with every section answered (`completeDraft`), sent: it waits for its fee. */
export async function sentApplication(elar: ElarInChromium, who: Educator, licenses: unknown[]) {
  const draft = await completeDraft(elar.applications, applicantOf(who), licenses);
  await submit(elar.applications, applicantOf(who), draft.id);
  return draft;
}

/** Logs in at the portal; then, given a path, opens it (ELAR signs the person in through the portal). */
export async function signIn(page: Page, who: Educator, path?: string): Promise<void> {
  await logIn(page, who.userName, PASSWORD);
  if (path) await page.goto(path);
}

/** The status of the application the page is about (the first one, on a page that lists several). */
export const statusOf = (page: Page) =>
  page.locator('main [data-application-status]').first().getAttribute('data-application-status');

/** The fee the page shows (the first one). */
export const feeShown = async (page: Page): Promise<string> =>
  (await page.locator('[data-fee]').first().textContent()) ?? '';

/**
 * The license chooser for a new license, from its first page to the route page: the kind
 * (Teacher), the field and grade level, the type. `onEachPage` runs as each page shows,
 * the route page last (a test's checks and screenshots).
 */
export async function chooseNewLicense(
  page: Page,
  license: { field: string; type: string },
  onEachPage: (step: 'category' | 'field' | 'type' | 'route') => Promise<void> = async () => {},
): Promise<void> {
  const next = () => page.getByRole('button', { name: 'Continue' }).click();
  await onEachPage('category');
  await choose(page, /^Teacher \(Academic PreK-12\)$/);
  await next();
  await onEachPage('field');
  await page.getByLabel('Field and grade level').selectOption({ label: license.field });
  await next();
  await onEachPage('type');
  await page.locator(`label[for="type-${license.type}"]`).click();
  await next();
  await onEachPage('route');
}

/** Personal details: the phone number and the address, in Massachusetts. */
export async function fillPersonalDetails(
  page: Page,
  details: { phone: string; street: string; town: string; zip: string },
): Promise<void> {
  await page.getByLabel('Phone number').fill(details.phone);
  await page.getByLabel('Street address', { exact: true }).fill(details.street);
  await page.getByLabel('Town or city').fill(details.town);
  await page.getByLabel('State').selectOption('MA');
  await page.getByLabel('ZIP code').fill(details.zip);
}

/** One degree's row of the education section (`row`: the page, or the row's fieldset). */
export async function fillDegree(
  row: Page | Locator,
  degree: { kind: string; subject: string; college: string; awarded: string },
): Promise<void> {
  await row.getByLabel('Kind of degree').selectOption(degree.kind);
  await row.getByLabel('Subject').fill(degree.subject);
  await row.getByLabel('College or university').fill(degree.college);
  await row.getByLabel('When it was awarded').fill(degree.awarded);
}

/** The tests section: one test, passed. */
export async function fillPassedTest(page: Page, test: { name: string; date: string }): Promise<void> {
  await page.getByLabel('Name of the test').fill(test.name);
  await page.getByLabel('Date you took it').fill(test.date);
  await choose(page, /^Yes$/);
}

/** The affidavit sworn and signed with `name`; back on check your answers. */
export async function signAffidavit(page: Page, name: string): Promise<void> {
  await choose(page, /I swear/);
  await page.getByLabel('Your full name, as your signature').fill(name);
  await page.getByRole('button', { name: 'Sign the affidavit' }).click();
  await page.waitForURL(/\/check-answers$/);
}

/** The test payment provider's cards (CONTRACT.md), as a person types them. */
export const TEST_CARDS = { paying: '4242 4242 4242 4242', declined: '4000 0000 0000 0002' };

/** The test checkout filled in with the card and `amount` paid (its Pay button names the amount). */
export async function payByCard(page: Page, card: { holder: string; number: string }, amount: string): Promise<void> {
  await page.getByLabel('Name on the card').fill(card.holder);
  await page.getByLabel('Card number').fill(card.number);
  // The test provider takes any future expiry date and any security code.
  await page.getByLabel('Expiry date').fill('04/39');
  await page.getByLabel('Security code').fill('123');
  await page.getByRole('button', { name: `Pay ${amount}` }).click();
}

/** An evaluator, on an application's staff page, starts its review. */
export async function startReview(page: Page): Promise<void> {
  await page.locator('label', { hasText: 'Start review' }).click();
  await page.getByRole('button', { name: 'Make this change' }).click();
}
