import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadElarConfig } from '../../../src/elar/config.ts';

/**
 * The test provider takes "payments" with 4242 and moves no money: it is never what a real
 * deployment gets by leaving PAYMENT_PROVIDER out (attack review F11). On this machine, in the
 * tests and in the demo it still starts as before.
 */
const SECRET = 'elar-client-secret-0123456789abcdef0123';
const REFUSED =
  /^Error: Invalid configuration: PAYMENT_PROVIDER is required when NODE_ENV=production or ELAR is served from another machine \(https:\/\/elar\.example\.gov\): set PAYMENT_PROVIDER=stripe to take card payments, or PAYMENT_PROVIDER=test to run the test checkout on purpose \(no money moves\)$/;
const beyond = { ELAR_PUBLIC_URL: 'https://elar.example.gov', ELAR_CLIENT_SECRET: SECRET };
const host = { hostUrl: 'https://portal.example.gov' };

describe('choosing the payment provider (F11)', () => {
  test('served from another machine with no provider named: refused at start-up, saying what to set', () => {
    assert.throws(() => loadElarConfig(beyond, host), REFUSED);
  });

  test('NODE_ENV=production with no provider named is refused even on this machine', () => {
    assert.throws(
      () => loadElarConfig({ NODE_ENV: 'production' }, { hostUrl: 'http://127.0.0.1:3000' }),
      /PAYMENT_PROVIDER is required when NODE_ENV=production or ELAR is served from another machine \(http:\/\/127\.0\.0\.1:3000\)/,
    );
  });

  test('the test provider named on purpose, or DEMO=1, starts anywhere', () => {
    assert.equal(loadElarConfig({ ...beyond, PAYMENT_PROVIDER: 'test' }, host).payments.provider, 'test');
    assert.equal(loadElarConfig({ ...beyond, DEMO: '1' }, host).payments.provider, 'test');
    assert.equal(loadElarConfig({ NODE_ENV: 'production', PAYMENT_PROVIDER: 'test' }, host).payments.provider, 'test');
  });

  test('on this machine (npm start, the e2e tests) and under NODE_ENV=test the test provider is still the default', () => {
    for (const hostUrl of [
      'http://localhost:3000',
      'http://127.0.0.1:4010',
      'http://127.8.9.10:3000',
      'http://[::1]:3000',
    ])
      assert.equal(loadElarConfig({}, { hostUrl }).payments.provider, 'test', hostUrl);
    assert.equal(loadElarConfig({ NODE_ENV: 'test' }, host).payments.provider, 'test');
  });

  test('the test provider under NODE_ENV=production starts with a warning that no money moves', () => {
    const [warning, ...more] = loadElarConfig({ NODE_ENV: 'production', PAYMENT_PROVIDER: 'test' }, host).warnings;
    assert.equal(more.length, 0);
    assert.equal(
      warning,
      'PAYMENT_PROVIDER=test with NODE_ENV=production: ELAR’s checkout is the test page, where 4242 4242 4242 4242 pays any fee and no money moves. Set PAYMENT_PROVIDER=stripe to take card payments.',
    );
    const stripe = { PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' };
    assert.deepEqual(loadElarConfig({ NODE_ENV: 'production', ...stripe }, host).warnings, []);
    assert.deepEqual(loadElarConfig({ ...beyond, PAYMENT_PROVIDER: 'test' }, host).warnings, [], 'not production');
    assert.deepEqual(loadElarConfig({}, { hostUrl: 'http://localhost:3000' }).warnings, []);
  });
});
