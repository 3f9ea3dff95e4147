import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import Stripe from 'stripe';
import { onPaid, quotePayable } from '../../../src/elar/payments/index.ts';
import { createProfile } from '../../helpers/portal.ts';
import { signInToElar, startElar, type TestElar } from '../../helpers/elar.ts';
import { insertOpenPayment } from '../../../src/elar/payments/repository.ts';
import { TestPaymentProvider } from '../../../src/elar/payments/test-provider.ts';
import { startStripeStub, type StripeStub } from './stripe-stub.ts';

/**
 * ELAR with PAYMENT_PROVIDER=stripe: the real SDK against the Stripe-shaped stub, and
 * Stripe's webhooks, signed by the SDK's own test helper, through ELAR's callback route
 * (which must hand the SDK the body exactly as sent).
 */
const WEBHOOK_SECRET = 'whsec_stripe_http_test_0123456789';
let stub: StripeStub;
let elar: TestElar;
let sub: string;
let b: ReturnType<TestElar['browser']>;

before(async () => {
  stub = await startStripeStub();
  elar = await startElar({
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: 'sk_test_elar_http',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_URL: stub.url,
  });
  await sql`CREATE TABLE elar.stripe_fee_paid (payable_id text NOT NULL)`.execute(elar.portal.db);
  quotePayable('stripe-fee', async (_db, { ownerSub }) =>
    ownerSub === sub ? { amountCents: 10_000, description: 'Application 1000077: 1 license' } : null,
  );
  onPaid('stripe-fee', async (trx, payment) => {
    await sql`INSERT INTO elar.stripe_fee_paid VALUES (${payment.payable_id})`.execute(trx);
    return 'completed';
  });
  const ip = '10.11.0.1';
  const { userName } = await createProfile(elar.browser(ip), {
    firstName: 'Stella',
    lastName: 'Stripe',
    dob: ['8', '8', '1988'],
    ssn: '806-45-6789',
  });
  b = elar.browser(ip);
  await signInToElar(b, userName);
  ({ id: sub } = await elar.portal.db
    .selectFrom('profile')
    .select('id')
    .where('user_name', '=', userName)
    .executeTakeFirstOrThrow());
});
after(async () => {
  await elar.close();
  await stub.close();
});

function webhook(event: object, secret = WEBHOOK_SECRET) {
  // Pretty-printed, as Stripe sends it: a route that re-serialized the JSON would break the signature.
  const payload = JSON.stringify(event, null, 2);
  return elar.portal.app.inject({
    method: 'POST',
    url: '/elar/payments/webhooks/stripe',
    payload,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret }),
    },
  });
}

async function ledger(payable: string) {
  const payments = await elar.db
    .selectFrom('payment')
    .select(['state', 'card_last4'])
    .where('payable_id', '=', payable)
    .execute();
  const { rows } = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM elar.stripe_fee_paid WHERE payable_id = ${payable}`.execute(elar.portal.db);
  return { payments, completions: rows[0]!.n };
}

describe('Stripe Checkout', () => {
  test('Pay goes to Stripe’s page; the webhook (twice) records one payment; the person comes back to "paid"', async () => {
    await b.get('/elar');
    const res = await b.post('/elar/payments/pay', { kind: 'stripe-fee', payable: 'A1', purpose: 'fee' });
    assert.equal(res.status, 303);
    assert.match(res.location!, /^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_/);
    const sessionId = res.location!.split('/').pop()!;
    assert.equal(stub.sessions.get(sessionId)!.amount_total, 10_000, 'the amount the server set');

    stub.pay(sessionId, '4242');
    const event = {
      id: 'evt_http_1',
      object: 'event',
      type: 'checkout.session.completed',
      data: { object: { id: sessionId } },
    };
    const first = await webhook(event);
    assert.equal(first.statusCode, 200);
    assert.equal(first.json().outcome, 'recorded');
    const again = await webhook(event);
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().outcome, 'duplicate');

    const returnUrl = stub.sessions.get(sessionId)!.success_url.replace(elar.origin, '');
    const back = await b.get(returnUrl);
    assert.match(back.body, /data-outcome="paid"/);
    assert.deepEqual(await ledger('A1'), { payments: [{ state: 'succeeded', card_last4: '4242' }], completions: 1 });
  });

  test('a webhook signed with another secret is refused with 400 and changes nothing', async () => {
    const res = await webhook(
      { id: 'evt_forged', object: 'event', type: 'checkout.session.completed', data: { object: { id: 'cs_test_x' } } },
      'whsec_not_ours',
    );
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, 'invalid_signature');
  });

  test('an event ELAR does not follow is acknowledged with 200', async () => {
    const res = await webhook({
      id: 'evt_other',
      object: 'event',
      type: 'customer.created',
      data: { object: { id: 'cus_1' } },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().outcome, 'ignored');
  });
});

describe('switched from the test provider to Stripe (F5)', () => {
  /** A payment started with the test provider before the switch, its test checkout open. */
  async function openTestPayment(payable: string) {
    const row = (await insertOpenPayment(elar.db, {
      idempotencyKey: crypto.randomUUID(),
      payableKind: 'stripe-fee',
      payableId: payable,
      purpose: 'fee',
      description: 'Application 1000077: 1 license',
      ownerSub: sub,
      amountCents: 10_000,
      currency: 'usd',
      provider: 'test',
    }))!;
    const testProvider = new TestPaymentProvider(elar.db, {
      checkoutUrl: (id) => `${elar.origin}/elar/payments/test-checkout/${id}`,
      webhookUrl: `${elar.origin}/elar/payments/webhooks/test`,
      webhookSecret: 'unused-here',
    });
    const checkout = await testProvider.createCheckout({
      idempotencyKey: row.idempotency_key,
      amountCents: 10_000,
      currency: 'usd',
      description: row.description,
      returnUrl: `${elar.origin}/elar/payments/${row.id}/return`,
    });
    await elar.db
      .updateTable('payment')
      .set({ provider_session_id: checkout.sessionId, checkout_url: checkout.url })
      .where('id', '=', row.id)
      .execute();
    return { row, checkout, testProvider };
  }

  test('Pay for a thing with an open test checkout: a new Stripe checkout, the old payment and checkout canceled', async () => {
    const { row, checkout, testProvider } = await openTestPayment('A2');
    await b.get('/elar');
    const res = await b.post('/elar/payments/pay', { kind: 'stripe-fee', payable: 'A2', purpose: 'fee' });
    assert.equal(res.status, 303);
    assert.match(res.location!, /^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_/);
    const old = await elar.db.selectFrom('payment').select('state').where('id', '=', row.id).executeTakeFirstOrThrow();
    assert.equal(old.state, 'canceled');
    assert.equal((await testProvider.session(checkout.sessionId))!.state, 'canceled');
    // The test card page is not served while Stripe takes the payments.
    assert.equal((await b.get(`/elar/payments/test-checkout/${checkout.sessionId}`)).status, 404);
  });

  test('a test checkout paid before the switch is recorded as paid when the person comes back, not charged again', async () => {
    const { row, checkout, testProvider } = await openTestPayment('A3');
    await testProvider.complete(checkout.sessionId, { ok: true, result: 'paid', last4: '4242' });
    await b.get('/elar');
    const res = await b.post('/elar/payments/pay', { kind: 'stripe-fee', payable: 'A3', purpose: 'fee' });
    assert.equal(res.location, `/elar/payments/${row.id}/receipt`);
    assert.deepEqual(await ledger('A3'), { payments: [{ state: 'succeeded', card_last4: '4242' }], completions: 1 });
  });
});
