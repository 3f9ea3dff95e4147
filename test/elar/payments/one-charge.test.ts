import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PaymentProvider } from '../../../src/elar/payments/provider.ts';
import { PERSON_B, paymentsScene } from './harness.ts';

/**
 * One charge, whatever happens (issue 13). Each case ends with what the person and the
 * Department would count: exactly one succeeded payment and one completion of the thing.
 */
let scene: Awaited<ReturnType<typeof paymentsScene>>;
/** The next createCheckout reaches the provider, which makes the checkout, but its answer is lost. */
let loseNextAnswer = false;

before(async () => {
  scene = await paymentsScene((provider): PaymentProvider => ({
    name: provider.name,
    retrieve: (id) => provider.retrieve(id),
    refund: (r) => provider.refund(r),
    findRefund: (r) => provider.findRefund(r),
    cancelCheckout: (id) => provider.cancelCheckout(id),
    parseWebhook: (b, h) => provider.parseWebhook(b, h),
    async createCheckout(request) {
      const checkout = await provider.createCheckout(request);
      if (loseNextAnswer) {
        loseNextAnswer = false;
        throw new Error('timed out waiting for the provider');
      }
      return checkout;
    },
  }));
});
after(() => scene.close());

const sessionOf = (url: string) => url.split('/').pop()!;

async function checkoutsAtProvider(description: string) {
  const rows = await scene.db.selectFrom('test_checkout').select('id').where('description', '=', description).execute();
  return rows.length;
}

describe('one charge, whatever happens', () => {
  test('a double click (two Pay requests at once) makes one payment and one checkout', async () => {
    const fee = scene.payable();
    const [a, b] = await Promise.all([scene.service.start(fee), scene.service.start(fee)]);
    assert.equal(a.outcome, 'checkout');
    assert.equal(a.outcome === 'checkout' && b.outcome === 'checkout' && a.url === b.url, true);
    assert.equal(await checkoutsAtProvider(fee.description), 1);
    await scene.pay(sessionOf(a.outcome === 'checkout' ? a.url : ''));
    await scene.service.settleFromProvider(a.payment.id);
    assert.deepEqual(await scene.ledger(fee.id), { succeeded: 1, open: 0, all: 1, completions: 1 });
  });

  test('the back button: the old Pay form sent again after paying answers "paid" and charges nothing', async () => {
    const fee = scene.payable();
    const first = await scene.service.start(fee);
    assert.equal(first.outcome, 'checkout');
    await scene.pay(sessionOf(first.outcome === 'checkout' ? first.url : ''));
    await scene.service.settleFromProvider(first.payment.id);
    const again = await scene.service.start(fee);
    assert.equal(again.outcome, 'paid');
    assert.equal(await checkoutsAtProvider(fee.description), 1);
    assert.deepEqual(await scene.ledger(fee.id), { succeeded: 1, open: 0, all: 1, completions: 1 });
  });

  test('two tabs: both open the same checkout; the second card submission finds it paid', async () => {
    const fee = scene.payable();
    const tab1 = await scene.service.start(fee);
    const tab2 = await scene.service.start(fee);
    assert.ok(tab1.outcome === 'checkout' && tab2.outcome === 'checkout');
    assert.equal(tab1.url, tab2.url);
    assert.ok(await scene.pay(sessionOf(tab1.url)), 'the first submission pays');
    assert.equal(await scene.pay(sessionOf(tab2.url)), undefined, 'the second finds the checkout ended');
    await scene.service.settleFromProvider(tab1.payment.id);
    await scene.service.settleFromProvider(tab2.payment.id);
    assert.deepEqual(await scene.ledger(fee.id), { succeeded: 1, open: 0, all: 1, completions: 1 });
  });

  test('a retry after a timeout (the provider answered, we did not hear) gets the same checkout', async () => {
    const fee = scene.payable();
    loseNextAnswer = true;
    await assert.rejects(scene.service.start(fee), /timed out/);
    const retry = await scene.service.start(fee);
    assert.ok(retry.outcome === 'checkout');
    assert.equal(await checkoutsAtProvider(fee.description), 1, 'the idempotency key gave the first checkout back');
    await scene.pay(sessionOf(retry.url));
    await scene.service.settleFromProvider(retry.payment.id);
    assert.deepEqual(await scene.ledger(fee.id), { succeeded: 1, open: 0, all: 1, completions: 1 });
  });

  test('the callback before the redirect: the callback records it, the redirect changes nothing', async () => {
    const fee = scene.payable();
    const started = await scene.service.start(fee);
    assert.ok(started.outcome === 'checkout');
    await scene.pay(sessionOf(started.url));
    const notice = (await scene.queuedNotices()).find((n) => n.body.toString().includes(sessionOf(started.url)))!;
    assert.equal(await scene.service.handleWebhook(notice.body, notice.headers), 'recorded');
    const back = await scene.service.settleFromProvider(started.payment.id);
    assert.equal(back?.state, 'succeeded');
    assert.deepEqual(await scene.ledger(fee.id), { succeeded: 1, open: 0, all: 1, completions: 1 });
  });

  test('the same callback twice, then forty at once: recorded once, the rest are duplicates', async () => {
    const fee = scene.payable();
    const started = await scene.service.start(fee);
    assert.ok(started.outcome === 'checkout');
    await scene.pay(sessionOf(started.url));
    const notice = (await scene.queuedNotices()).find((n) => n.body.toString().includes(sessionOf(started.url)))!;
    const twice = [
      await scene.service.handleWebhook(notice.body, notice.headers),
      await scene.service.handleWebhook(notice.body, notice.headers),
    ];
    assert.deepEqual(twice, ['recorded', 'duplicate']);
    const forty = await Promise.all(
      Array.from({ length: 40 }, () => scene.service.handleWebhook(notice.body, notice.headers)),
    );
    assert.deepEqual(new Set(forty), new Set(['duplicate']));
    assert.deepEqual(await scene.ledger(fee.id), { succeeded: 1, open: 0, all: 1, completions: 1 });
  });

  test('forty fresh callbacks for one payment at once complete it once', async () => {
    const fee = scene.payable();
    const started = await scene.service.start(fee);
    assert.ok(started.outcome === 'checkout');
    await scene.pay(sessionOf(started.url));
    const [notice] = (await scene.queuedNotices()).filter((n) => n.body.toString().includes(sessionOf(started.url)));
    // Forty events with their own ids (a provider resending under new ids): the state, not the id, stops them.
    const events = Array.from({ length: 40 }, (_, i) => {
      const body = notice!.body.toString().replace(/"id":"[^"]+"/, `"id":"tevt_many_${i}_${fee.id}"`);
      return { body: Buffer.from(body), headers: {} as Record<string, string> };
    });
    const { signTestNotice, TEST_SIGNATURE_HEADER } = await import('../../../src/elar/payments/test-provider.ts');
    const { WEBHOOK_SECRET } = await import('./harness.ts');
    for (const e of events) e.headers[TEST_SIGNATURE_HEADER] = signTestNotice(WEBHOOK_SECRET, e.body.toString());
    await Promise.all(events.map((e) => scene.service.handleWebhook(e.body, e.headers)));
    assert.deepEqual(await scene.ledger(fee.id), { succeeded: 1, open: 0, all: 1, completions: 1 });
  });

  test('a declined card leaves nothing paid; trying again is a new attempt that can pay', async () => {
    const fee = scene.payable();
    const first = await scene.service.start(fee);
    assert.ok(first.outcome === 'checkout');
    await scene.pay(sessionOf(first.url), 'declined');
    const declined = await scene.service.settleFromProvider(first.payment.id);
    assert.equal(declined?.state, 'declined');
    assert.equal(declined?.decline_reason, 'The card was declined.');
    assert.deepEqual(await scene.ledger(fee.id), { succeeded: 0, open: 0, all: 1, completions: 0 });
    const again = await scene.service.start(fee);
    assert.ok(again.outcome === 'checkout');
    assert.notEqual(again.url, first.url);
    await scene.pay(sessionOf(again.url));
    await scene.service.settleFromProvider(again.payment.id);
    assert.deepEqual(await scene.ledger(fee.id), { succeeded: 1, open: 0, all: 2, completions: 1 });
  });

  test('reconciliation settles what nobody reported, once; a second run finds nothing to do', async () => {
    const fee = scene.payable();
    const started = await scene.service.start(fee);
    assert.ok(started.outcome === 'checkout');
    await scene.pay(sessionOf(started.url));
    // Neither the person came back nor the callback arrived.
    const first = await scene.service.reconcile(0);
    assert.ok(first.settled >= 1);
    await scene.service.reconcile(0);
    assert.deepEqual(await scene.ledger(fee.id), { succeeded: 1, open: 0, all: 1, completions: 1 });
  });

  test('a payment reconciliation cannot settle is left for an operator; the ones after it are still settled', async () => {
    const stuck = scene.payable();
    const first = await scene.service.start(stuck);
    assert.ok(first.outcome === 'checkout');
    await scene.pay(sessionOf(first.url));
    // The provider took another amount than ours: never recorded as paid, and kept in view.
    await scene.db.updateTable('payment').set({ amount_cents: 9_999 }).where('id', '=', first.payment.id).execute();
    const after = scene.payable();
    const second = await scene.service.start(after);
    assert.ok(second.outcome === 'checkout');
    await scene.pay(sessionOf(second.url));
    const run = await scene.service.reconcile(0);
    assert.ok(run.failed >= 1, 'the stuck one is counted');
    assert.deepEqual(await scene.ledger(after.id), { succeeded: 1, open: 0, all: 1, completions: 1 });
    assert.deepEqual(await scene.ledger(stuck.id), { succeeded: 0, open: 1, all: 1, completions: 0 });
  });

  test('reconciliation finds the checkout of a payment whose provider answer was never heard', async () => {
    const fee = scene.payable();
    loseNextAnswer = true;
    await assert.rejects(scene.service.start(fee));
    const { id: sessionId } = await scene.db
      .selectFrom('test_checkout')
      .select('id')
      .where('description', '=', fee.description)
      .executeTakeFirstOrThrow();
    await scene.pay(sessionId);
    await scene.service.reconcile(0);
    assert.deepEqual(await scene.ledger(fee.id), { succeeded: 1, open: 0, all: 1, completions: 1 });
  });

  test('a paid payment has a receipt number, the card’s last 4 and the amount the server set', async () => {
    const fee = scene.payable({ amountCents: 10_000 });
    const started = await scene.service.start(fee);
    assert.ok(started.outcome === 'checkout');
    await scene.pay(sessionOf(started.url));
    const paid = await scene.service.settleFromProvider(started.payment.id);
    assert.equal(paid?.amount_cents, 10_000);
    assert.equal(paid?.card_last4, '4242');
    assert.match(String(paid?.receipt_number), /^[0-9]{6,}$/);
  });

  test('someone else cannot take over a thing another person is paying for', async () => {
    const fee = scene.payable();
    await scene.service.start(fee);
    await assert.rejects(scene.service.start({ ...fee, ownerSub: PERSON_B }), { code: 'ELAR_ERR_PAYMENT_NOT_YOURS' });
  });
});
