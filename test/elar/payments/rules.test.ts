import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { onPaid, quotePayable } from '../../../src/elar/payments/index.ts';
import { paidHookFor } from '../../../src/elar/payments/payables.ts';
import { WebhookSignatureError } from '../../../src/elar/payments/provider.ts';
import { signTestNotice, TEST_SIGNATURE_HEADER } from '../../../src/elar/payments/test-provider.ts';
import { checkTransition } from '../../../src/elar/payments/transitions.ts';
import { paymentsScene, WEBHOOK_SECRET } from './harness.ts';

/**
 * The guards that keep a programming mistake from becoming a payment: a move the table does
 * not allow, a kind of thing nobody registered, an amount that is not whole cents, and a
 * callback that is signed but not the provider's shape.
 */
let scene: Awaited<ReturnType<typeof paymentsScene>>;
before(async () => {
  scene = await paymentsScene();
});
after(() => scene.close());

describe('payments refuse what is a bug, not input', () => {
  test('a refunded payment cannot succeed again, and an open one cannot be refunded', () => {
    assert.throws(
      () => checkTransition('succeed', 'refunded'),
      /payment transition succeed cannot start from refunded/,
    );
    assert.throws(() => checkTransition('refundInPart', 'open'), /cannot start from open/);
    assert.equal(checkTransition('refundInFull', 'partially_refunded'), 'refunded');
  });

  test('a kind of thing must be named plainly, and paying for one nobody registered never starts', async () => {
    assert.throws(() => onPaid('Bad Kind', async () => 'completed'), /must be 2 to 40 lower-case letters/);
    assert.throws(() => quotePayable('x', async () => null), /must be 2 to 40 lower-case letters/);
    assert.throws(() => paidHookFor('nobody-registered'), /no onPaid hook is registered/);
    await assert.rejects(scene.service.start(scene.payable({ kind: 'nobody-registered' })), /no onPaid hook/);
    assert.equal(await scene.db.selectFrom('payment').select('id').executeTakeFirst(), undefined);
  });

  test('an amount that is not a whole, positive number of cents never reaches a provider', async () => {
    for (const amountCents of [0, -100, 12.5])
      await assert.rejects(scene.service.start(scene.payable({ amountCents })), /whole, positive number of cents/);
    assert.equal(await scene.db.selectFrom('test_checkout').select('id').executeTakeFirst(), undefined);
  });

  test('a test callback signed right but not JSON is refused; one about no session is ignored', () => {
    const sign = (body: string) => ({ [TEST_SIGNATURE_HEADER]: signTestNotice(WEBHOOK_SECRET, body) });
    assert.throws(
      () => scene.testProvider.parseWebhook(Buffer.from('not json'), sign('not json')),
      WebhookSignatureError,
    );
    const noSession = JSON.stringify({ id: 'tevt_1' });
    assert.equal(scene.testProvider.parseWebhook(Buffer.from(noSession), sign(noSession)), null);
    const old = JSON.stringify({ id: 'tevt_2', session: 'tcs_x' });
    assert.throws(
      () =>
        scene.testProvider.parseWebhook(Buffer.from(old), {
          [TEST_SIGNATURE_HEADER]: signTestNotice(WEBHOOK_SECRET, old, Math.floor(Date.now() / 1000) - 600),
        }),
      /too old/,
    );
  });
});
