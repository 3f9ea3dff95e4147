import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { paymentsScene } from './harness.ts';

/**
 * Reconciliation finds every payment a crash or a lost callback left open, however many
 * checkouts people started and walked away from (attack review F3); a test checkout nobody
 * finishes ends after a day, as a Stripe session does.
 */
let scene: Awaited<ReturnType<typeof paymentsScene>>;
before(async () => {
  scene = await paymentsScene();
});
after(() => scene.close());

const sessionOf = (url: string) => url.split('/').pop()!;

describe('reconciliation', () => {
  test('150 abandoned checkouts older than a crash-stranded payment do not hide it: one run settles it', async () => {
    for (let i = 0; i < 150; i++) {
      const started = await scene.service.start(scene.payable());
      assert.equal(started.outcome, 'checkout');
    }
    // Paid at the provider, and then nothing reached ELAR: the callback was dropped, the person never came back.
    const stranded = scene.payable();
    const started = await scene.service.start(stranded);
    assert.ok(started.outcome === 'checkout');
    await scene.pay(sessionOf(started.url));

    const run = await scene.service.reconcile(0);
    assert.equal(run.failed, 0);
    assert.ok(run.asked >= 151, `asked about ${run.asked}`);
    assert.deepEqual(await scene.ledger(stranded.id), { succeeded: 1, open: 0, all: 1, completions: 1 });
  });

  test('a test checkout left open for more than a day has ended: its payment is canceled and no card is taken on it', async () => {
    const fee = scene.payable();
    const started = await scene.service.start(fee);
    assert.ok(started.outcome === 'checkout');
    const session = sessionOf(started.url);
    await sql`UPDATE elar.test_checkout SET created_at = now() - interval '25 hours' WHERE id = ${session}`.execute(
      scene.db,
    );
    assert.equal((await scene.testProvider.session(session))!.state, 'canceled');
    assert.equal(await scene.pay(session), undefined, 'no card is taken on an ended checkout');
    await scene.service.reconcile(0);
    assert.equal((await scene.ledger(fee.id)).open, 0);
    const payment = await scene.db
      .selectFrom('payment')
      .select('state')
      .where('id', '=', started.payment.id)
      .executeTakeFirstOrThrow();
    assert.equal(payment.state, 'canceled');
    // Pay again: a new checkout, not the ended one.
    const again = await scene.service.start(fee);
    assert.ok(again.outcome === 'checkout');
    assert.notEqual(sessionOf(again.url), session);
  });
});
