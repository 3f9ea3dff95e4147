import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { seedDemo } from '../../src/demo.ts';
import { POLICIES } from '../../src/portal/password-policy.ts';
import { signInToElar, startElar, type TestElar } from '../helpers/elar.ts';

/**
 * `npm run demo` leaves a newcomer an ELAR to explore: the demo educator's licenses and
 * applications in each state, made through the services (timelines, audit rows, payments by
 * the test card), which the demo evaluator then finds in the queue. Seeding again adds nothing.
 */
let elar: TestElar;
let firstRun: string[];
let jordanSub: string;

/** Rows in the tables the demo writes to, to see that a second run adds none. */
async function counts() {
  const tables = [
    'elar.application',
    'elar.application_event',
    'elar.application_license',
    'elar.license',
    'elar.payment',
    'elar.test_checkout',
    'elar.audit_event',
    'elar.job',
  ];
  const result: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.raw(table)}`.execute(elar.portal.db);
    result[table] = Number(rows[0]!.n);
  }
  return result;
}

before(async () => {
  elar = await startElar();
  const rules = { ssnKey: elar.portal.ssnKey, policy: POLICIES.agency, historySize: 10 };
  firstRun = await seedDemo(elar.portal.db, rules);
  jordanSub = (
    await elar.portal.db.selectFrom('profile').select('id').where('user_name', '=', 'JRivera').executeTakeFirstOrThrow()
  ).id;
});
after(() => elar.close());

describe('the demo educator’s ELAR', () => {
  test('holds an Initial license worked under for 3 years and a Professional one that ends within the year', async () => {
    const licenses = await elar.db
      .selectFrom('license')
      .select(['catalog_code', 'type_code', 'valid_until', 'employment_years'])
      .where('person_sub', '=', jordanSub)
      .orderBy('catalog_code')
      .execute();
    assert.deepEqual(
      licenses.map((l) => [l.catalog_code, l.type_code, Number(l.employment_years)]),
      [
        ['TCH-BIO-8-12', 'INI', 3],
        ['TCH-GSCI-5-8', 'PRO', 0],
      ],
    );
    const until = new Date(`${licenses[1]!.valid_until}T12:00:00Z`).getTime();
    assert.ok(
      until > Date.now() && until < Date.now() + 365 * 86_400_000,
      'the Professional license ends within a year',
    );

    const b = elar.browser('10.77.250.1');
    await signInToElar(b, 'JRivera', 'Welcome2026');
    const renewals = await b.get('/elar/renewals/new');
    assert.equal(renewals.status, 200);
    assert.match(renewals.body, /General Science \(5-8\)<\/td>.*You can renew it now/);
    const apply = await b.get('/elar/applications/new');
    assert.match(apply.body, /Biology \(8-12\).*Professional/s, 'Advance offers the next level of the Initial license');
  });

  test('has applications in five states, the paid ones paid once by the test card, each with its timeline', async () => {
    const applications = await elar.db
      .selectFrom('application')
      .select(['id', 'reference', 'state', 'fee_cents', 'payment_ref'])
      .where('person_sub', '=', jordanSub)
      .orderBy('reference')
      .execute();
    assert.deepEqual(
      applications.map((a) => a.state),
      ['withdrawn', 'not-ready', 'ready-for-review', 'awaiting-payment', 'draft'],
    );
    const awaiting = applications.find((a) => a.state === 'awaiting-payment')!;
    assert.equal(awaiting.fee_cents, 12_500, 'two licenses: $125');
    const payments = await elar.db
      .selectFrom('payment')
      .select(['payable_id', 'state', 'amount_cents', 'card_last4', 'receipt_number'])
      .where('owner_sub', '=', jordanSub)
      .execute();
    const paid = applications.filter((a) => a.state === 'not-ready' || a.state === 'ready-for-review');
    assert.deepEqual(payments.map((p) => p.payable_id).sort(), paid.map((a) => a.id).sort());
    for (const p of payments) {
      assert.equal(p.state, 'succeeded');
      assert.equal(p.amount_cents, 10_000);
      assert.equal(p.card_last4, '4242');
      assert.ok(p.receipt_number);
    }
    for (const a of paid) assert.ok(payments.some((p) => a.payment_ref !== null && p.payable_id === a.id));
    const events = await elar.db
      .selectFrom('application_event')
      .select(['application_id', 'to_state'])
      .where(
        'application_id',
        'in',
        applications.map((a) => a.id),
      )
      .execute();
    for (const a of applications)
      assert.ok(
        events.some((e) => e.application_id === a.id && e.to_state === a.state),
        `application ${a.reference} has its timeline`,
      );

    const b = elar.browser('10.77.250.2');
    const home = await signInToElar(b, 'JRivera', 'Welcome2026');
    assert.equal(home.status, 200);
    for (const a of applications) assert.match(home.body, new RegExp(a.reference));
  });

  test('the printed lines say whom to log in as, what to pay with, and what the evaluator does', () => {
    const text = firstRun.join('\n');
    assert.match(text, /ELAR \(\/elar\): log in as JRivera/);
    assert.match(text, /\$125\.00\): Waiting for payment: pay it with card 4242 4242 4242 4242/);
    assert.match(text, /log in as the evaluator CMorgan .*\/elar\/staff\/applications, start the review of \d{7}/);
    assert.doesNotMatch(text, /TCH-|INI\b|ready-for-review/, 'no catalog or state codes');
  });

  test('the demo evaluator finds the Ready for Review application in the queue', async () => {
    const ready = await elar.db
      .selectFrom('application')
      .select(['id', 'reference'])
      .where('person_sub', '=', jordanSub)
      .where('state', '=', 'ready-for-review')
      .executeTakeFirstOrThrow();
    const b = elar.browser('10.77.250.3');
    await signInToElar(b, 'CMorgan', 'Evaluate2026');
    const queue = await b.get('/elar/staff/applications');
    assert.equal(queue.status, 200);
    assert.match(queue.body, new RegExp(`data-queue-application="${ready.id}"`));
  });

  test('seeding again adds nothing, and says the same', async () => {
    const before = await counts();
    const rules = { ssnKey: elar.portal.ssnKey, policy: POLICIES.agency, historySize: 10 };
    const again = await seedDemo(elar.portal.db, rules);
    assert.deepEqual(await counts(), before);
    assert.deepEqual(again, firstRun);
  });
});
