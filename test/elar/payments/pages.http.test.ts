import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { onPaid, quotePayable } from '../../../src/elar/payments/index.ts';
import type { Browser } from '../../helpers/portal.ts';
import { profilesFor, signInToElar, startElar, type TestElar } from '../../helpers/elar.ts';

/**
 * What a person and a payments officer see on each payments page, in each state a payment
 * can be in: the page the person comes back to, the receipt with its refunds, and the
 * refund form's answers to what an officer may type.
 */
let elar: TestElar;
let educator: Browser;
let officer: Browser;
let educatorSub: string;
let serial = 0;

before(async () => {
  elar = await startElar();
  const people = await profilesFor(elar, ['educator', 'officer'], 72);
  educator = elar.browser('10.72.1.1');
  officer = elar.browser('10.72.1.2');
  await signInToElar(educator, people.educator.userName);
  await signInToElar(officer, people.officer.userName);
  educatorSub = people.educator.sub;
  await elar.db
    .updateTable('elar.session')
    .set({ staff_roles: ['payments'] })
    .where('sub', '=', people.officer.sub)
    .execute();
  quotePayable('page-fee', async (_db, { id, ownerSub }) =>
    ownerSub === educatorSub ? { amountCents: 10_000, description: `Application ${id}: 1 license` } : null,
  );
  onPaid('page-fee', async () => 'completed');
});
after(() => elar.close());

const CARD = { cardholderName: 'Pia Pages', cardNumber: '4242 4242 4242 4242', expiry: '04/39', cvc: '123' };
const pathOf = (location: string) => location.replace(elar.origin, '');

/** An officer's refund form, sent as typed (the form is opened first, as in a browser). */
async function refund(id: string, amount: string, reason: string) {
  await officer.get(`/elar/payments/${id}/refund`);
  return officer.post(`/elar/payments/${id}/refund`, { amount, reason });
}

/** Pay is clicked: the test checkout's path, and the payment's return path. */
async function started() {
  serial++;
  await educator.get('/elar');
  const res = await educator.post('/elar/payments/pay', { kind: 'page-fee', payable: `P${serial}`, purpose: 'fee' });
  const checkout = pathOf(res.location!);
  const payment = await elar.db
    .selectFrom('payment')
    .select(['id', 'provider_session_id'])
    .where('payable_id', '=', `P${serial}`)
    .executeTakeFirstOrThrow();
  return { checkout, payment, back: `/elar/payments/${payment.id}/return` };
}

async function paid() {
  const s = await started();
  await educator.get(s.checkout);
  await educator.follow(await educator.post(s.checkout, CARD));
  return s.payment.id;
}

describe('the page a person comes back to', () => {
  test('back without paying: "You have not paid yet", with Continue to payment and Pay later', async () => {
    const s = await started();
    const page = await educator.get(s.back);
    assert.equal(page.status, 200);
    assert.match(page.body, /data-outcome="not-paid"/);
    assert.match(page.body, /You have not paid yet/);
    assert.match(page.body, /Application P\d+: 1 license \(\$100\.00\)/);
    assert.match(page.body, /Continue to payment/);
    assert.match(page.body, /Pay later/);
  });

  test('the checkout ended unpaid (a day passed): "Pay now" starts a new one', async () => {
    const s = await started();
    await sql`UPDATE elar.test_checkout SET created_at = now() - interval '25 hours' WHERE id = ${s.payment.provider_session_id}`.execute(
      elar.portal.db,
    );
    const page = await educator.get(s.back);
    assert.match(page.body, /data-outcome="not-paid"/);
    assert.match(page.body, />\s*Pay now\s*</);
    const ended = await educator.get(s.checkout);
    assert.match(ended.body, /This checkout has ended/);
  });
});

describe('the receipt', () => {
  test('a receipt that is not one yet (nothing paid) is not found; a stranger’s or a made-up one neither', async () => {
    const s = await started();
    assert.equal((await educator.get(`/elar/payments/${s.payment.id}/receipt`)).status, 404);
    assert.equal((await educator.get(`/elar/payments/${randomUUID()}/receipt`)).status, 404);
  });

  test('each refund says where it stands: being refunded, refunded, or not refunded with what happens next', async () => {
    const id = await paid();
    for (const [amount, reason] of [
      ['10.00', 'Overcharged'],
      ['20.00', 'Second license dropped'],
      ['5.00', 'Card closed'],
    ] as const)
      assert.equal((await refund(id, amount, reason)).status, 303);
    // The first went through; the last the provider refused; the middle one is on its way.
    const refunds = await elar.db
      .selectFrom('refund')
      .select(['id', 'reason'])
      .where('payment_id', '=', id)
      .orderBy('created_at')
      .execute();
    await elar.db.updateTable('refund').set({ state: 'succeeded' }).where('id', '=', refunds[0]!.id).execute();
    await elar.db.updateTable('refund').set({ state: 'failed' }).where('id', '=', refunds[2]!.id).execute();
    await elar.db
      .updateTable('payment')
      .set({ state: 'partially_refunded', refunded_cents: 1_000 })
      .where('id', '=', id)
      .execute();
    const receipt = await educator.get(`/elar/payments/${id}/receipt`);
    assert.equal(receipt.status, 200);
    assert.match(receipt.body, /data-refunded-cents="1000">\$10\.00/);
    assert.match(receipt.body, /data-refund-state="succeeded"[\s\S]*?Refunded to your card/);
    assert.match(receipt.body, /data-refund-state="pending"[\s\S]*?Being refunded to your card/);
    assert.match(receipt.body, /data-refund-state="failed"[\s\S]*?Not refunded: the Department will contact you/);
    assert.doesNotMatch(receipt.body, /Refund this payment/, 'an educator is offered no refund');
    const staffView = await officer.get(`/elar/payments/${id}/refund/requested`);
    assert.equal(staffView.status, 200);
    assert.match(staffView.body, /Second license dropped/);
  });

  test('refunded in full: the receipt shows the whole amount back; the refund form offers nothing more', async () => {
    const id = await paid();
    assert.equal((await refund(id, '100', 'Paid twice')).status, 303);
    await elar.portal.elarJobs.runDue();
    const receipt = await educator.get(`/elar/payments/${id}/receipt`);
    assert.match(receipt.body, /data-refunded-cents="10000">\$100\.00/);
    const form = await officer.get(`/elar/payments/${id}/refund`);
    assert.match(form.body, /Up to \$0\.00 can be refunded/);
    const more = await refund(id, '1.00', 'More');
    assert.equal(more.status, 409);
    assert.match(more.body, /ELAR_ERR_REFUND_NOT_PAID/);
  });
});

describe('the refund form', () => {
  test('an amount that is not money, nothing, or zero comes back with 422, the error by the field and what was typed', async () => {
    const id = await paid();
    const cases: [string, RegExp][] = [
      ['ten dollars', /Enter the amount in dollars and cents, for example 25\.00/],
      ['', /Enter the amount to refund/],
      ['0.00', /The amount must be more than \$0\.00/],
      ['12.345', /Enter the amount in dollars and cents/],
    ];
    for (const [amount, message] of cases) {
      const res = await refund(id, amount, 'Typed by hand');
      assert.equal(res.status, 422, amount);
      assert.match(res.body, /There is a problem/);
      assert.match(res.body, new RegExp(`<a href="#amount">${message.source}`), amount);
      assert.match(res.body, /Typed by hand/, 'the reason is kept');
    }
    const dollars = await refund(id, '$7.50', 'With a sign');
    assert.equal(dollars.status, 303);
    const taken = await elar.db
      .selectFrom('refund')
      .select('amount_cents')
      .where('payment_id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(taken.amount_cents, 750);
  });

  test('a payment not paid has no refund form; signed out, the form sends the person to ELAR', async () => {
    const s = await started();
    assert.equal((await officer.get(`/elar/payments/${s.payment.id}/refund`)).status, 404);
    assert.equal((await officer.get('/elar/payments/not-a-payment/refund')).status, 404);
    const signedOut = await elar.browser('10.72.9.9').get(`/elar/payments/${s.payment.id}/refund`);
    assert.equal(signedOut.status, 303);
    assert.equal(signedOut.location, '/elar');
  });
});

describe('the test checkout page', () => {
  test('a checkout that does not exist is not found; a field too long comes back with 422 and the card page', async () => {
    assert.equal((await educator.get('/elar/payments/test-checkout/tcs_nothing_here')).status, 404);
    const s = await started();
    await educator.get(s.checkout);
    const res = await educator.post(s.checkout, { ...CARD, cardholderName: 'x'.repeat(201) });
    assert.equal(res.status, 422);
    assert.match(res.body, /This must be 200 characters or fewer/);
    assert.match(res.body, /This is a test\. No money moves\./);
  });
});
