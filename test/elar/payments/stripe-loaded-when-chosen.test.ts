import assert from 'node:assert/strict';
import { registerHooks } from 'node:module';
import { test } from 'node:test';
import { startElar } from '../../helpers/elar.ts';

/**
 * The Stripe SDK is about 8 MB of resident memory (docs/benchmarks.md, issue 13): a portal
 * on the test payment provider never loads it, and one on Stripe does. Each test file runs
 * in its own process, so what this one loads is what the portal loads.
 */
const loaded: string[] = [];
registerHooks({
  resolve(specifier, context, next) {
    if (specifier === 'stripe' || specifier.startsWith('stripe/')) loaded.push(specifier);
    return next(specifier, context);
  },
});

test('ELAR on the test payment provider starts, serves and stops without loading the Stripe SDK; on Stripe it loads it', async () => {
  const onTest = await startElar();
  try {
    assert.equal((await onTest.browser('10.31.1.1').get('/elar/requirements')).status < 500, true);
  } finally {
    await onTest.close();
  }
  assert.deepEqual(loaded, []);

  const onStripe = await startElar({
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: 'sk_test_loaded_when_chosen',
    STRIPE_WEBHOOK_SECRET: 'whsec_loaded_when_chosen',
  });
  await onStripe.close();
  assert.deepEqual(loaded, ['stripe']);
});
