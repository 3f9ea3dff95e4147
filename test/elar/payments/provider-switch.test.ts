import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { insertOpenPayment, recordCheckout } from '../../../src/elar/payments/repository.ts';
import { paymentsScene, TEST_KIND } from './harness.ts';

/**
 * PAYMENT_PROVIDER changed while payments were open (attack review F5): the test provider
 * is current here, and Stripe, which started some payments, is no longer set up.
 */
let scene: Awaited<ReturnType<typeof paymentsScene>>;
before(async () => {
  scene = await paymentsScene();
});
after(() => scene.close());

/** An open payment Stripe's checkout was started for, before the switch. */
async function openStripePayment() {
  const fee = scene.payable();
  const row = (await insertOpenPayment(scene.db, {
    idempotencyKey: randomUUID(),
    payableKind: TEST_KIND,
    payableId: fee.id,
    purpose: fee.purpose,
    description: fee.description,
    ownerSub: fee.ownerSub,
    amountCents: fee.amountCents,
    currency: 'usd',
    provider: 'stripe',
  }))!;
  await recordCheckout(scene.db, row.id, `cs_test_${row.id.slice(0, 8)}`, 'https://checkout.stripe.test/c/pay/x');
  return { fee, payment: row };
}

describe('a payment started with a provider no longer set up', () => {
  test('Pay again: a new checkout with the current provider, and the old payment canceled, audited as unconfirmed', async () => {
    const { fee, payment } = await openStripePayment();
    const again = await scene.service.start(fee);
    assert.equal(again.outcome, 'checkout');
    assert.ok(again.outcome === 'checkout' && again.url.includes('/test-checkout/tcs_'));
    assert.notEqual(again.payment.id, payment.id);
    const old = await scene.db
      .selectFrom('payment')
      .select('state')
      .where('id', '=', payment.id)
      .executeTakeFirstOrThrow();
    assert.equal(old.state, 'canceled');
    const audited = await scene.db
      .selectFrom('audit_event')
      .select('detail')
      .where('subject_id', '=', payment.id)
      .where('type', '=', 'payment.canceled')
      .executeTakeFirstOrThrow();
    assert.deepEqual(audited.detail, { reason: 'provider-changed', from: 'stripe', confirmed: false });
  });

  test('reconciliation reports it as a failure with its code and goes on with the others', async () => {
    const { payment } = await openStripePayment();
    const run = await scene.service.reconcile(0);
    const failure = run.failures.find((f) => f.paymentId === payment.id);
    assert.match(failure!.error, /ELAR_ERR_PAYMENT_PROVIDER_UNAVAILABLE/);
  });

  test('its callback path is not found, and its return page asks nothing of a provider it cannot reach', async () => {
    const { payment } = await openStripePayment();
    await assert.rejects(scene.service.settleFromProvider(payment.id), {
      code: 'ELAR_ERR_PAYMENT_PROVIDER_UNAVAILABLE',
      statusCode: 503,
    });
    assert.equal(scene.service.providerNamed('stripe'), undefined);
    assert.equal(scene.service.providerNamed('test'), scene.service.provider);
  });
});
