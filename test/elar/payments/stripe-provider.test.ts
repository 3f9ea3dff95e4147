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

  test('a refund Stripe made whose answer was lost is found again by its key; another key finds nothing (F12)', async () => {
    const paid = await checkout('key-lost-refund');
    stub.pay(paid.sessionId);
    const request = { sessionId: paid.sessionId, amountCents: 3_000, idempotencyKey: 'refund-lost' };
    stub.dropRefundAnswers = true;
    try {
      await assert.rejects(provider.refund(request));
    } finally {
      stub.dropRefundAnswers = false;
    }
    assert.equal(stub.sessions.get(paid.sessionId)!.refunded, 3_000, 'Stripe refunded once, whatever the retries');
    const found = await provider.findRefund(request);
    assert.match(found!.refundId, /^re_test_/);
    assert.equal(await provider.findRefund({ ...request, idempotencyKey: 'refund-never-sent' }), null);
  });
});

describe('Stripe answering with errors, and states ELAR must read right', () => {
  test('an API error on creating a checkout or asking its status reaches the caller; nothing is made up', async () => {
    stub.failNext = { status: 401, type: 'invalid_request_error', message: 'Invalid API Key provided' };
    await assert.rejects(checkout('key-unauthorized'), (err: Error) => err instanceof Stripe.errors.StripeError);
    stub.failNext = { status: 400, type: 'invalid_request_error', message: 'No such checkout.session' };
    await assert.rejects(provider.retrieve('cs_test_missing'), /No such checkout\.session/);
    // A session Stripe does not know is a 404 from Stripe, and an error here, not "canceled".
    await assert.rejects(provider.retrieve('cs_test_never_made'), /No such checkout\.session/);
  });

  test('a session Stripe answers without a checkout page is an error, not a checkout with no address', async () => {
    stub.createExpired = true;
    await assert.rejects(checkout('key-no-url'), /Stripe answered a checkout session without a URL/);
  });

  test('paid, without the card’s details in the answer: paid, with no last 4', async () => {
    const made = await checkout('key-no-card');
    stub.pay(made.sessionId, null as unknown as string);
    assert.deepEqual(await provider.retrieve(made.sessionId), { state: 'paid', amountCents: 12_500, cardLast4: null });
    // Paid, and Stripe's answer names no payment intent at all: still paid.
    stub.sessions.get(made.sessionId)!.payment_intent = null;
    assert.deepEqual(await provider.retrieve(made.sessionId), { state: 'paid', amountCents: 12_500, cardLast4: null });
  });

  test('a refund of a session with no payment behind it is refused before Stripe is asked to refund', async () => {
    const open = await checkout('key-refund-unpaid');
    const before = stub.calls.filter((c) => c === 'POST /v1/refunds').length;
    await assert.rejects(
      provider.refund({ sessionId: open.sessionId, amountCents: 100, idempotencyKey: 'refund-unpaid' }),
      /Stripe has no payment for this checkout session/,
    );
    assert.equal(stub.calls.filter((c) => c === 'POST /v1/refunds').length, before);
  });

  test('ending a checkout: an open one expires at Stripe; one already paid is left paid, without an error', async () => {
    const open = await checkout('key-cancel-open');
    await provider.cancelCheckout(open.sessionId);
    assert.deepEqual(await provider.retrieve(open.sessionId), { state: 'canceled' });
    const paid = await checkout('key-cancel-paid');
    stub.pay(paid.sessionId);
    await provider.cancelCheckout(paid.sessionId);
    assert.equal((await provider.retrieve(paid.sessionId)).state, 'paid');
    // Any other failure (Stripe down, a bad key) is not swallowed.
    stub.failNext = { status: 401, type: 'authentication_error', message: 'Invalid API Key provided' };
    await assert.rejects(provider.cancelCheckout(open.sessionId), /Invalid API Key/);
  });

  test('each Checkout event that can end a session is read; one without a session id, or not JSON, is not', () => {
    for (const type of [
      'checkout.session.completed',
      'checkout.session.async_payment_succeeded',
      'checkout.session.async_payment_failed',
      'checkout.session.expired',
    ]) {
      const event = signed({ id: `evt_${type}`, object: 'event', type, data: { object: { id: 'cs_test_e' } } });
      assert.deepEqual(provider.parseWebhook(event.body, event.headers), {
        eventId: `evt_${type}`,
        sessionId: 'cs_test_e',
      });
    }
    const noId = signed({ id: 'evt_x', object: 'event', type: 'checkout.session.completed', data: { object: {} } });
    assert.equal(provider.parseWebhook(noId.body, noId.headers), null);
    const header = Stripe.webhooks.generateTestHeaderString({ payload: 'not json', secret: WEBHOOK_SECRET });
    assert.throws(
      () => provider.parseWebhook(Buffer.from('not json'), { 'stripe-signature': header }),
      WebhookSignatureError,
    );
    assert.throws(
      () => provider.parseWebhook(Buffer.from('{}'), { 'stripe-signature': ['a', 'b'] }),
      WebhookSignatureError,
    );
  });
});
