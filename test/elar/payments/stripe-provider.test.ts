import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { WebhookSignatureError } from '../../../src/elar/payments/provider.ts';
import { StripePaymentProvider } from '../../../src/elar/payments/stripe-provider.ts';
import { startStripeStub, type StripeStub } from './stripe-stub.ts';

/** The real `stripe` SDK against a Stripe-shaped server on loopback: no request leaves the machine. */
const WEBHOOK_SECRET = 'whsec_test_0123456789abcdef';
let stub: StripeStub;
let provider: StripePaymentProvider;

before(async () => {
  stub = await startStripeStub();
  provider = await StripePaymentProvider.create({
    secretKey: 'sk_test_payments',
    webhookSecret: WEBHOOK_SECRET,
    apiUrl: stub.url,
  });
});
after(() => stub.close());

const checkout = (idempotencyKey: string) =>
  provider.createCheckout({
    idempotencyKey,
    amountCents: 12_500,
    currency: 'usd',
    description: 'Application 1000001: 2 licenses',
    returnUrl: 'http://127.0.0.1/elar/payments/x/return',
  });

function signed(event: Record<string, unknown>, secret = WEBHOOK_SECRET) {
  const payload = JSON.stringify(event);
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret });
  return { body: Buffer.from(payload), headers: { 'stripe-signature': header } };
}

describe('Stripe Checkout through the official SDK', () => {
  test('a checkout asks Stripe for the amount set on the server, and the same key gives the same session', async () => {
    const first = await checkout('key-same');
    const again = await checkout('key-same');
    assert.equal(again.sessionId, first.sessionId);
    assert.equal(stub.sessions.get(first.sessionId)!.amount_total, 12_500);
    assert.equal([...stub.sessions.values()].filter((s) => s.client_reference_id === 'key-same').length, 1);
    assert.match(first.url, /^https:\/\/checkout\.stripe\.test\//);
  });

  test('when Stripe made the session but the answer was lost, the retry gets that session, not a second one', async () => {
    stub.dropNextCreate = true;
    const before = stub.sessions.size;
    const got = await checkout('key-dropped');
    assert.equal(stub.sessions.size, before + 1, 'one session at Stripe');
    assert.equal(stub.sessions.get(got.sessionId)!.client_reference_id, 'key-dropped');
  });

  test('the status: open until paid, then paid with the amount and the card’s last 4; expired is canceled', async () => {
    const open = await checkout('key-status');
    assert.deepEqual(await provider.retrieve(open.sessionId), { state: 'open' });
    stub.pay(open.sessionId, '4242');
    assert.deepEqual(await provider.retrieve(open.sessionId), {
      state: 'paid',
      amountCents: 12_500,
      cardLast4: '4242',
    });
    const lapsed = await checkout('key-expired');
    stub.expire(lapsed.sessionId);
    assert.deepEqual(await provider.retrieve(lapsed.sessionId), { state: 'canceled' });
  });

  test('a checkout takes cards only, and one complete but not yet paid (a delayed method) is still open, never declined', async () => {
    const started = await checkout('key-delayed');
    assert.deepEqual(stub.sessions.get(started.sessionId)!.payment_method_types, ['card']);
    // A bank debit Stripe completes now and pays later: declining it would invite a second payment.
    stub.sessions.get(started.sessionId)!.status = 'complete';
    assert.deepEqual(await provider.retrieve(started.sessionId), { state: 'open' });
  });

  test('a refund sent twice with its key refunds once; more than was paid is refused', async () => {
    const paid = await checkout('key-refund');
    stub.pay(paid.sessionId);
    const one = await provider.refund({ sessionId: paid.sessionId, amountCents: 2_500, idempotencyKey: 'refund-1' });
    const again = await provider.refund({ sessionId: paid.sessionId, amountCents: 2_500, idempotencyKey: 'refund-1' });
    assert.equal(again.refundId, one.refundId);
    assert.equal(stub.sessions.get(paid.sessionId)!.refunded, 2_500);
    await assert.rejects(
      provider.refund({ sessionId: paid.sessionId, amountCents: 10_001, idempotencyKey: 'refund-2' }),
    );
  });

  test('a webhook signed with the secret is read; a wrong secret or a changed body is refused', () => {
    const event = {
      id: 'evt_1',
      object: 'event',
      type: 'checkout.session.completed',
      data: { object: { id: 'cs_test_1' } },
    };
    const good = signed(event);
    assert.deepEqual(provider.parseWebhook(good.body, good.headers), { eventId: 'evt_1', sessionId: 'cs_test_1' });
    const forged = signed(event, 'whsec_someone_else');
    assert.throws(() => provider.parseWebhook(forged.body, forged.headers), WebhookSignatureError);
    const changed = Buffer.from(good.body.toString().replace('cs_test_1', 'cs_test_2'));
    assert.throws(() => provider.parseWebhook(changed, good.headers), WebhookSignatureError);
    assert.throws(() => provider.parseWebhook(good.body, {}), WebhookSignatureError);
  });

  test('an event about something else is acknowledged and ignored', () => {
    const other = signed({ id: 'evt_2', object: 'event', type: 'customer.created', data: { object: { id: 'cus_1' } } });
    assert.equal(provider.parseWebhook(other.body, other.headers), null);
  });
});
