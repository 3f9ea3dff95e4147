import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { PaymentProvider } from '../../../src/elar/payments/provider.ts';
import { paymentsScene } from './harness.ts';

/** Department refunds: never more than was paid, even asked twice at once; sent to the provider once. */
let scene: Awaited<ReturnType<typeof paymentsScene>>;
/** The provider refunds, but its answer never reaches ELAR (a timeout after the work was done). */
let loseRefundAnswers = false;
/** The provider refuses every refund (the card is closed, say): nothing is refunded. */
let refuseRefunds = false;
before(async () => {
  scene = await paymentsScene((provider): PaymentProvider => {
    const wrapped = Object.create(provider) as PaymentProvider;
    wrapped.refund = async (r) => {
      if (refuseRefunds) throw new Error('the provider refused the refund');
      const done = await provider.refund(r);
      if (loseRefundAnswers) throw new Error('timed out waiting for the provider');
      return done;
    };
    return wrapped;
  });
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

  async function refundRow(paymentId: string) {
    return scene.db.selectFrom('refund').selectAll().where('payment_id', '=', paymentId).executeTakeFirstOrThrow();
  }
  async function standing(paymentId: string) {
    return scene.db
      .selectFrom('payment')
      .select(['state', 'refunded_cents'])
      .where('id', '=', paymentId)
      .executeTakeFirstOrThrow();
  }

  test('a refund the provider made but whose answer was lost on every attempt ends succeeded, not failed (F12)', async () => {
    const payment = await paidPayment();
    await scene.service.requestRefund(payment.id, { amountCents: 4_000, reason: 'Overcharged', staffSub: STAFF });
    const refund = await refundRow(payment.id);
    loseRefundAnswers = true;
    try {
      await assert.rejects(scene.service.sendRefund(refund.id), /timed out/);
      await scene.service.sendRefund(refund.id, { lastAttempt: true });
    } finally {
      loseRefundAnswers = false;
    }
    const after = await refundRow(payment.id);
    assert.equal(after.state, 'succeeded');
    assert.match(after.provider_refund_id!, /^tre_/);
    assert.deepEqual(await standing(payment.id), { state: 'partially_refunded', refunded_cents: 4_000 });
    // The amount stays taken: what is left is all that can still be refunded.
    await assert.rejects(
      scene.service.requestRefund(payment.id, { amountCents: 12_500, reason: 'Again', staffSub: STAFF }),
      { code: 'ELAR_ERR_REFUND_TOO_MUCH' },
    );
  });

  test('a refund the provider refused on the last attempt ends failed, audited, and its amount can be refunded again', async () => {
    const payment = await paidPayment();
    await scene.service.requestRefund(payment.id, { amountCents: 12_500, reason: 'Duplicate', staffSub: STAFF });
    const refund = await refundRow(payment.id);
    refuseRefunds = true;
    try {
      await scene.service.sendRefund(refund.id, { lastAttempt: true });
    } finally {
      refuseRefunds = false;
    }
    assert.equal((await refundRow(payment.id)).state, 'failed');
    assert.deepEqual(await standing(payment.id), { state: 'succeeded', refunded_cents: 0 });
    const audited = await scene.db
      .selectFrom('audit_event')
      .select('type')
      .where('subject_id', '=', payment.id)
      .where('type', '=', 'payment.refund-failed')
      .execute();
    assert.equal(audited.length, 1);
    await scene.service.requestRefund(payment.id, { amountCents: 12_500, reason: 'Duplicate', staffSub: STAFF });
  });

  test('an officer cannot refund their own payment, and the attempt is audited (F6)', async () => {
    const payment = await paidPayment();
    await assert.rejects(
      scene.service.requestRefund(payment.id, { amountCents: 100, reason: 'Mine', staffSub: payment.owner_sub }),
      { code: 'ELAR_ERR_REFUND_OWN_PAYMENT', statusCode: 403 },
    );
    assert.equal(
      (await scene.db.selectFrom('refund').select('id').where('payment_id', '=', payment.id).execute()).length,
      0,
    );
  });
});
