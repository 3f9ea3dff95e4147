import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { paymentsScene } from './harness.ts';

/** Department refunds: never more than was paid, even asked twice at once; sent to the provider once. */
let scene: Awaited<ReturnType<typeof paymentsScene>>;
before(async () => {
  scene = await paymentsScene();
});
after(() => scene.close());

async function paidPayment() {
  const fee = scene.payable();
  const started = await scene.service.start(fee);
  assert.ok(started.outcome === 'checkout');
  await scene.pay(started.url.split('/').pop()!);
  return (await scene.service.settleFromProvider(started.payment.id))!;
}

const STAFF = randomUUID();

describe('refunds', () => {
  test('two refunds at once that together pass the amount paid: one is taken, the other refused', async () => {
    const payment = await paidPayment();
    const ask = () =>
      scene.service.requestRefund(payment.id, { amountCents: 10_000, reason: 'Withdrawn', staffSub: STAFF });
    const results = await Promise.allSettled([ask(), ask()]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal(refused.reason.code, 'ELAR_ERR_REFUND_TOO_MUCH');
  });

  test('a refund job that runs twice refunds once, at the provider and on the payment', async () => {
    const payment = await paidPayment();
    await scene.service.requestRefund(payment.id, { amountCents: 2_500, reason: 'One license', staffSub: STAFF });
    const refund = await scene.db
      .selectFrom('refund')
      .selectAll()
      .where('payment_id', '=', payment.id)
      .executeTakeFirstOrThrow();
    await scene.service.sendRefund(refund.id);
    await scene.service.sendRefund(refund.id);
    const after = await scene.db
      .selectFrom('payment')
      .select(['state', 'refunded_cents'])
      .where('id', '=', payment.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(after, { state: 'partially_refunded', refunded_cents: 2_500 });
    const atProvider = await scene.db
      .selectFrom('test_checkout')
      .select('refunded_cents')
      .where('id', '=', payment.provider_session_id!)
      .executeTakeFirstOrThrow();
    assert.equal(atProvider.refunded_cents, 2_500);
  });

  test('a payment that did not go through cannot be refunded', async () => {
    const fee = scene.payable();
    const started = await scene.service.start(fee);
    await assert.rejects(
      scene.service.requestRefund(started.payment.id, { amountCents: 100, reason: 'x', staffSub: STAFF }),
      { code: 'ELAR_ERR_REFUND_NOT_PAID' },
    );
  });
});
