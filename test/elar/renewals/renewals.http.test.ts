import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { issueLicense, type LicenseRecord } from '../../../src/elar/licenses/index.ts';
import { profilesFor, signInToElar, startElar, type TestElar } from '../../helpers/elar.ts';

/**
 * "Apply to Renew your Professional License" (CONTRACT.md) leads to a page that works today:
 * the person's Professional licenses and when each can be renewed, what renewing asks, and
 * who renews one now; someone without one is told so and sent to apply.
 */
let elar: TestElar;
let people: Record<'professional' | 'initialOnly' | 'stranger', { userName: string; sub: string }>;
let ip = 0;

before(async () => {
  elar = await startElar();
  people = await profilesFor(elar, ['professional', 'initialOnly', 'stranger'], 32);
});
after(() => elar.close());

async function renewalPageOf(who: keyof typeof people) {
  ip += 1;
  const b = elar.browser(`10.32.1.${ip}`);
  const dashboard = await signInToElar(b, people[who].userName);
  assert.match(dashboard.body, /href="\/elar\/renewals\/new"/, 'the dashboard links here');
  const page = await b.get('/elar/renewals/new');
  assert.equal(page.status, 200);
  return page.body;
}

const issue = (records: LicenseRecord[]) =>
  elar.db.transaction().execute(async (trx) => {
    const issued = [];
    for (const record of records) issued.push(await issueLicense(trx, record, 'test'));
    return issued;
  });

/** A calendar date `days` from today, as YYYY-MM-DD. */
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const words = (date: string) =>
  new Date(`${date}T12:00:00Z`).toLocaleDateString('en-US', { timeZone: 'UTC', dateStyle: 'long' });
const plain = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/ ([:.,])/g, '$1');

describe('renewing a Professional license', () => {
  test('lists each Professional license with when it can be renewed, what renewal asks, and the help desk', async () => {
    const soon = inDays(180);
    const later = inDays(3 * 365);
    const [open, notYet] = await issue([
      {
        personSub: people.professional.sub,
        catalogCode: 'TCH-CHEM-8-12',
        typeCode: 'PRO',
        validFrom: inDays(-4 * 365),
        validUntil: soon,
      },
      {
        personSub: people.professional.sub,
        catalogCode: 'TCH-MATH-5-8',
        typeCode: 'PRO',
        validFrom: inDays(-2 * 365),
        validUntil: later,
      },
      { personSub: people.professional.sub, catalogCode: 'TCH-BIO-8-12', typeCode: 'INI', validFrom: '2019-09-01' },
      {
        personSub: people.stranger.sub,
        catalogCode: 'TCH-ENG-5-12',
        typeCode: 'PRO',
        validFrom: '2023-01-01',
        validUntil: '2028-01-01',
      },
    ]);
    const body = await renewalPageOf('professional');
    const text = plain(body);
    const numbers = [...body.matchAll(/data-license-number="([^"]+)"/g)].map((m) => m[1]).sort();
    assert.deepEqual(numbers, [open!.number, notYet!.number].sort(), 'only the person’s Professional licenses');
    assert.match(text, new RegExp(`${open!.number} Chemistry \\(8-12\\) ${words(soon)} You can renew it now`));
    const opens = `${Number(later.slice(0, 4)) - 1}${later.slice(4)}`;
    assert.match(text, new RegExp(`${notYet!.number} Mathematics \\(5-8\\) ${words(later)} From ${words(opens)}`));
    assert.doesNotMatch(text, /Biology|English \(5-12\)/, 'not an Initial license, not another person’s');
    assert.match(text, /150 Professional Development Points/);
    assert.match(text, /Individual Professional Development Plan/);
    assert.match(body, /href="tel:/, 'the Licensure Help Desk, to renew now');
    assert.doesNotMatch(body, /coming soon|not open yet/i);
  });

  test('someone with no Professional license is told so and sent to apply or advance', async () => {
    await issue([
      { personSub: people.initialOnly.sub, catalogCode: 'TCH-BIO-8-12', typeCode: 'INI', validFrom: '2021-09-01' },
    ]);
    const body = await renewalPageOf('initialOnly');
    assert.match(plain(body), /You hold no Professional license/);
    assert.match(body, /href="\/elar\/applications\/new"[^>]*>Apply for a New License or Advance to the next level</);
    assert.doesNotMatch(body, /data-license-number/);
    assert.doesNotMatch(body, /coming soon|not open yet/i);
  });

  test('a signed-out visitor is sent to sign in first', async () => {
    const res = await elar.browser('10.32.9.1').get('/elar/renewals/new');
    assert.equal(res.status, 303);
    assert.match(res.location!, /\/oidc\/auth\?/);
  });
});
