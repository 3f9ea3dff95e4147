import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  applyStaffTransition,
  DEFAULT_APPLICATION_SETTINGS,
  markPaid,
  reportGateItems,
  startDraft,
  submit,
  withdraw,
  type Applicant,
} from '../../src/elar/applications/index.ts';
import { issueLicense } from '../../src/elar/licenses/index.ts';
import type { Browser } from '../helpers/portal.ts';
import { profilesFor, signInToElar, startElar, type TestElar } from '../helpers/elar.ts';
import { BIOLOGY, CHEMISTRY, completeDraft } from './applications/helpers.ts';

/**
 * The ELAR Welcome Page is the educator's dashboard: their licenses, their applications with
 * live status, and what is waiting for them; only their own, in the catalog's words.
 */
let elar: TestElar;
let people: Record<'owner' | 'stranger' | 'newcomer' | 'holder' | 'asked', { userName: string; sub: string }>;
const deps = () => ({ db: elar.db, settings: DEFAULT_APPLICATION_SETTINGS });
const as = (who: keyof typeof people): Applicant => ({ sub: people[who].sub, mepid: null, email: null });
const BIOLOGY_812 = { ...BIOLOGY, catalogCode: 'TCH-BIO-8-12' };
const CHEMISTRY_812 = { ...CHEMISTRY, catalogCode: 'TCH-CHEM-8-12' };
const MATH_58 = { ...BIOLOGY, catalogCode: 'TCH-MATH-5-8' };
let ip = 0;

before(async () => {
  elar = await startElar();
  people = await profilesFor(elar, ['owner', 'stranger', 'newcomer', 'holder', 'asked'], 31);
});
after(() => elar.close());

async function dashboardOf(who: keyof typeof people): Promise<{ b: Browser; body: string }> {
  ip += 1;
  const b = elar.browser(`10.31.1.${ip}`);
  const page = await signInToElar(b, people[who].userName);
  assert.equal(page.status, 200);
  return { b, body: page.body };
}

/** The dashboard's application rows: id → the row's HTML. */
function rowsOf(body: string): Map<string, string> {
  return new Map([...body.matchAll(/<tr data-application-id="([^"]+)"[^>]*>(.*?)<\/tr>/gs)].map((m) => [m[1]!, m[2]!]));
}

const sectionOf = (body: string, id: string) =>
  new RegExp(`<section[^>]*aria-labelledby="${id}"[^>]*>(.*?)</section>`, 's').exec(body)?.[1] ?? '';

const plain = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&rsquo;|’/g, "'")
    .replace(/\s+/g, ' ')
    .replace(/ ([:.,])/g, '$1');

describe('the dashboard', () => {
  test('lists the person’s applications by reference, with licenses by name, status and a link; nobody else’s', async () => {
    const draft = await startDraft(deps(), as('owner'), [BIOLOGY_812]);
    assert.ok(draft.ok);
    const sent = await completeDraft(deps(), as('owner'), [CHEMISTRY_812, MATH_58]);
    await submit(deps(), as('owner'), sent.id);
    const theirs = await startDraft(deps(), as('stranger'), [BIOLOGY_812]);
    assert.ok(theirs.ok);

    const { body } = await dashboardOf('owner');
    const rows = rowsOf(body);
    assert.deepEqual([...rows.keys()].sort(), [draft.id, sent.id].sort(), 'exactly the owner’s two applications');
    const draftRow = rows.get(draft.id)!;
    assert.match(draftRow, new RegExp(`href="/elar/applications/${draft.id}"[^>]*>${draft.reference}<`));
    assert.match(draftRow, /data-application-status="draft"[^>]*>Draft</);
    assert.match(plain(draftRow), /Biology \(8-12\), Initial license/);
    assert.match(plain(draftRow), /You started this application\./, 'the last change, in words');
    const sentRow = rows.get(sent.id)!;
    assert.match(sentRow, /data-application-status="awaiting-payment"[^>]*>Waiting for payment</);
    assert.match(plain(sentRow), /Chemistry \(8-12\), Initial license/);
    assert.match(plain(sentRow), /Mathematics \(5-8\), Initial license/);
    assert.match(plain(sentRow), /You sent your application\. It is waiting for payment\./);
    assert.doesNotMatch(body, /TCH-BIO-8-12|TCH-CHEM-8-12|awaiting-payment</, 'no catalog or state codes shown');
    assert.ok(!body.includes(theirs.reference), 'another person’s application is not shown, not even its reference');
  });

  test('says what is waiting: the draft to finish before it is deleted, the fee to pay, and notices', async () => {
    const draft = await startDraft(deps(), as('holder'), [BIOLOGY_812]);
    assert.ok(draft.ok);
    const sent = await completeDraft(deps(), as('holder'), [CHEMISTRY_812]);
    await submit(deps(), as('holder'), sent.id);
    await elar.db
      .insertInto('notice')
      .values({
        person_sub: people.holder.sub,
        application_id: draft.id,
        application_reference: draft.reference,
        kind: 'draft-expires-14',
        text: `Your draft application ${draft.reference} will be deleted in 14 days.`,
      })
      .execute();

    const { body } = await dashboardOf('holder');
    const waiting = sectionOf(body, 'waiting-heading');
    assert.match(waiting, new RegExp(`href="/elar/applications/${draft.id}"`), 'a link to finish the draft');
    assert.match(plain(waiting), new RegExp(`Finish application ${draft.reference}`));
    assert.match(plain(waiting), /deleted on [A-Z][a-z]+ \d{1,2}, \d{4} unless you submit it/);
    assert.match(plain(waiting), new RegExp(`Pay the fee for application ${sent.reference}: \\$100`));
    assert.match(waiting, new RegExp(`href="/elar/applications/${sent.id}"`));
    assert.match(plain(waiting), new RegExp(`Your draft application ${draft.reference} will be deleted in 14 days\\.`));
    assert.doesNotMatch(waiting, /Nothing is waiting/);
  });

  test('an evaluator’s questions are waiting to be answered; a paid application in review asks nothing', async () => {
    const evaluator = { kind: 'staff' as const, sub: 'staff-e', staffRoles: ['licensure-evaluator' as const] };
    const inReview = async (license: typeof BIOLOGY) => {
      const sent = await completeDraft(deps(), as('asked'), [license]);
      await reportGateItems(deps(), people.asked.sub, sent.id, ['literacy-test', 'bachelors-transcript']);
      await submit(deps(), as('asked'), sent.id);
      await elar.db.transaction().execute((trx) => markPaid(trx, deps().settings, sent.id, `pay_${sent.id}`));
      await applyStaffTransition(deps(), evaluator, sent.id, 'start-review');
      return sent;
    };
    const asked = await inReview(BIOLOGY_812);
    await applyStaffTransition(deps(), evaluator, asked.id, 'request-information');
    const reviewed = await inReview(CHEMISTRY_812);

    const { body } = await dashboardOf('asked');
    const waiting = plain(sectionOf(body, 'waiting-heading'));
    assert.match(waiting, new RegExp(`Answer the evaluator on application ${asked.reference}`));
    assert.ok(!waiting.includes(reviewed.reference), 'nothing to do while the evaluator reviews');
    assert.match(rowsOf(body).get(reviewed.id)!, /data-application-status="in-review"[^>]*>In review</);
  });

  test('shows the licenses the person holds, each with its number, name, type, status and dates', async () => {
    const [initial, professional] = await elar.db.transaction().execute(async (trx) => [
      await issueLicense(
        trx,
        { personSub: people.holder.sub, catalogCode: 'TCH-BIO-8-12', typeCode: 'INI', validFrom: '2019-09-01' },
        'test',
      ),
      await issueLicense(
        trx,
        {
          personSub: people.holder.sub,
          catalogCode: 'TCH-CHEM-8-12',
          typeCode: 'PRO',
          validFrom: '2022-07-01',
          validUntil: '2027-06-30',
        },
        'test',
      ),
      await issueLicense(
        trx,
        { personSub: people.stranger.sub, catalogCode: 'TCH-MATH-5-8', typeCode: 'PRO', validFrom: '2020-01-01' },
        'test',
      ),
    ]);
    const { body } = await dashboardOf('holder');
    const numbers = [...body.matchAll(/data-license-number="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(numbers, [professional!.number, initial!.number], 'the holder’s two licenses, newest first');
    const licenses = plain(sectionOf(body, 'licenses-heading'));
    assert.match(
      licenses,
      new RegExp(`${professional!.number} Chemistry \\(8-12\\) Professional Active July 1, 2022 June 30, 2027`),
    );
    assert.match(licenses, new RegExp(`${initial!.number} Biology \\(8-12\\) Initial Active September 1, 2019`));
    assert.doesNotMatch(body, /Mathematics \(5-8\)/, 'not another person’s license');
  });

  test('someone new sees plain empty states, the two ways to apply, Change Password and log out', async () => {
    const { body } = await dashboardOf('newcomer');
    assert.match(body, /<title>ELAR Welcome Page/);
    assert.match(body, /href="\/elar\/applications\/new"[^>]*>Apply for a New License or Advance to the next level</);
    assert.match(body, /href="\/elar\/renewals\/new"[^>]*>Apply to Renew your Professional License</);
    assert.match(body, /href="\/account\/password"[^>]*>Change Password</);
    assert.match(body, /<form method="post" action="\/elar\/logout">/);
    assert.match(plain(sectionOf(body, 'licenses-heading')), /You hold no Massachusetts educator license/);
    assert.match(plain(sectionOf(body, 'applications-heading')), /You have no applications\./);
    assert.match(plain(sectionOf(body, 'waiting-heading')), /Nothing is waiting for you\./);
    assert.equal(rowsOf(body).size, 0);
    assert.doesNotMatch(body, /coming soon|not open|open in ELAR soon/i);
  });

  test('a change after the page was drawn reaches its live stream, from the last entry the page shows', async () => {
    const application = await startDraft(deps(), as('owner'), [{ ...BIOLOGY_812, catalogCode: 'TCH-PHYS-8-12' }]);
    assert.ok(application.ok);
    const { b, body } = await dashboardOf('owner');
    const last = /data-live-status[^>]*data-last-event-id="(\d+)"/.exec(body)?.[1];
    assert.ok(last, 'the page says where its stream starts');
    assert.match(body, /<script src="\/assets\/elar-live\.js" defer/);
    assert.match(body, /aria-live="polite"[^>]*data-live-announcer/);
    // Withdrawn between the page and its stream opening: the stream still tells the page.
    await withdraw(deps(), people.owner.sub, application.id, { reason: null });
    const controller = new AbortController();
    const res = await fetch(`${elar.origin}/elar/applications/events?lastEventId=${last}`, {
      headers: { cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      signal: controller.signal,
    });
    assert.equal(res.status, 200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const deadline = Date.now() + 2000;
    while (!/^data: .*\n\n/m.test(text) && Date.now() < deadline) text += (await reader.read()).value ?? '';
    controller.abort();
    const data = JSON.parse(/^data: (.*)$/m.exec(text)![1]!) as Record<string, string>;
    assert.equal(data.applicationId, application.id, 'a row the dashboard shows');
    assert.equal(data.state, 'withdrawn');
  });
});
