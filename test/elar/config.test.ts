import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadElarConfig } from '../../src/elar/config.ts';

const SECRET = 'elar-client-secret-0123456789abcdef0123';

describe('ELAR configuration', () => {
  test('co-hosted by default: the portal is the issuer and ELAR is served at its address, as `npm start` always did', () => {
    const c = loadElarConfig({}, { hostUrl: 'http://localhost:3000' });
    assert.equal(c.issuer, 'http://localhost:3000');
    assert.equal(c.publicUrl, 'http://localhost:3000');
    assert.equal(c.clientId, 'elar');
    assert.equal(c.clientSecret, undefined, 'the co-hosted ELAR takes the secret the directory keeps for it');
    assert.equal(c.cohosted, true);
    assert.equal(c.secureCookies, false);
    assert.deepEqual(c.session, { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 });
  });

  test('ELAR_PUBLIC_URL elsewhere than the portal: ELAR is a separate deployment, named by its address', () => {
    const c = loadElarConfig(
      { ELAR_PUBLIC_URL: 'https://elar.example.gov/', ELAR_CLIENT_SECRET: SECRET, PAYMENT_PROVIDER: 'test' },
      { hostUrl: 'https://portal.example.gov' },
    );
    assert.equal(c.cohosted, false);
    assert.equal(c.publicUrl, 'https://elar.example.gov', 'no trailing slash');
    assert.equal(c.issuer, 'https://portal.example.gov');
    assert.equal(c.clientSecret, SECRET);
    assert.equal(c.secureCookies, true);
  });

  test('a portal told that ELAR runs elsewhere must be given the secret the separate ELAR has', () => {
    assert.throws(
      () => loadElarConfig({ ELAR_PUBLIC_URL: 'https://elar.example.gov' }, { hostUrl: 'https://portal.example.gov' }),
      /^Error: Invalid configuration: ELAR_CLIENT_SECRET is required when ELAR_PUBLIC_URL is not PUBLIC_URL/,
    );
  });

  test('a separate ELAR process must be told its issuer, its address and its client secret', () => {
    assert.throws(
      () => loadElarConfig({ ELAR_PUBLIC_URL: 'http://127.0.0.1:4000', ELAR_CLIENT_SECRET: SECRET }),
      /^Error: Invalid configuration: ELAR_ISSUER is required/,
    );
    assert.throws(
      () => loadElarConfig({ ELAR_ISSUER: 'http://127.0.0.1:3000', ELAR_CLIENT_SECRET: SECRET }),
      /^Error: Invalid configuration: ELAR_PUBLIC_URL is required/,
    );
    assert.throws(
      () => loadElarConfig({ ELAR_ISSUER: 'http://127.0.0.1:3000', ELAR_PUBLIC_URL: 'http://127.0.0.1:4000' }),
      /^Error: Invalid configuration: ELAR_CLIENT_SECRET is required/,
    );
    const c = loadElarConfig({
      ELAR_ISSUER: 'http://127.0.0.1:3000',
      ELAR_PUBLIC_URL: 'http://127.0.0.1:4000',
      ELAR_CLIENT_SECRET: SECRET,
      ELAR_CLIENT_ID: 'elar-west',
    });
    assert.equal(c.cohosted, false);
    assert.equal(c.clientId, 'elar-west');
  });

  test('a bad value names the variable in one line', () => {
    const host = { hostUrl: 'http://localhost:3000' };
    assert.throws(
      () => loadElarConfig({ ELAR_ISSUER: 'portal.example.gov' }, host),
      /^Error: Invalid configuration: ELAR_ISSUER must be an http\(s\) URL$/,
    );
    assert.throws(
      () => loadElarConfig({ ELAR_PUBLIC_URL: 'https://example.gov/elar' }, host),
      /^Error: Invalid configuration: ELAR_PUBLIC_URL must be an origin/,
    );
    assert.throws(
      () => loadElarConfig({ ELAR_CLIENT_SECRET: 'short' }, host),
      /^Error: Invalid configuration: ELAR_CLIENT_SECRET must be at least 32 characters$/,
    );
    assert.throws(
      () => loadElarConfig({ ELAR_CLIENT_ID: 'Not An Id' }, host),
      /^Error: Invalid configuration: ELAR_CLIENT_ID must be/,
    );
    assert.throws(
      () => loadElarConfig({ SESSION_IDLE_MINUTES: '0' }, host),
      /^Error: Invalid configuration: SESSION_IDLE_MINUTES must be more than 0$/,
    );
  });

  test('the department organization whose roles make ELAR staff is configurable', () => {
    assert.equal(loadElarConfig({}, { hostUrl: 'http://localhost:3000' }).departmentOrg, '00000000');
    assert.equal(
      loadElarConfig({ ELAR_DEPARTMENT_ORG: '00000001' }, { hostUrl: 'http://localhost:3000' }).departmentOrg,
      '00000001',
    );
    // The portal's setting serves ELAR too, unless ELAR is told otherwise.
    assert.equal(
      loadElarConfig({ DEPARTMENT_ORG_CODE: '00000002' }, { hostUrl: 'http://localhost:3000' }).departmentOrg,
      '00000002',
    );
    assert.equal(
      loadElarConfig(
        { DEPARTMENT_ORG_CODE: '00000002', ELAR_DEPARTMENT_ORG: '00000001' },
        { hostUrl: 'http://localhost:3000' },
      ).departmentOrg,
      '00000001',
    );
    assert.throws(
      () => loadElarConfig({ ELAR_DEPARTMENT_ORG: 'DESE' }, { hostUrl: 'http://localhost:3000' }),
      /^Error: Invalid configuration: ELAR_DEPARTMENT_ORG must be an 8-digit organization code$/,
    );
  });

  test('a separate process has its own database: ELAR_DATABASE_URL (else DATABASE_URL), or an embedded one inside DATA_DIR', () => {
    const separate = {
      ELAR_ISSUER: 'http://127.0.0.1:3000',
      ELAR_PUBLIC_URL: 'http://127.0.0.1:4000',
      ELAR_CLIENT_SECRET: SECRET,
    };
    assert.deepEqual(loadElarConfig(separate).database, { url: undefined, dataDir: 'data/elar' });
    assert.deepEqual(loadElarConfig({ ...separate, DATA_DIR: '/srv/portal' }).database, {
      url: undefined,
      dataDir: '/srv/portal/elar',
    });
    assert.deepEqual(loadElarConfig({ ...separate, DATA_DIR: 'memory://' }).database, {
      url: undefined,
      dataDir: 'memory://',
    });
    assert.deepEqual(
      loadElarConfig({ ...separate, DATABASE_URL: 'postgres://portal@db/portal' }).database.url,
      'postgres://portal@db/portal',
    );
    assert.deepEqual(
      loadElarConfig({
        ...separate,
        DATABASE_URL: 'postgres://portal@db/portal',
        ELAR_DATABASE_URL: 'postgres://elar@db/elar',
      }).database.url,
      'postgres://elar@db/elar',
    );
    assert.throws(
      () => loadElarConfig({ ...separate, ELAR_DATABASE_URL: 'mysql://x' }),
      /^Error: Invalid configuration: ELAR_DATABASE_URL must start with postgres/,
    );
  });
});

describe('ELAR payment settings', () => {
  const host = { hostUrl: 'http://localhost:3000' };
  test('the built-in test provider by default, with open payments reconciled after 15 minutes', () => {
    assert.deepEqual(loadElarConfig({}, host).payments, { provider: 'test', reconcileAfterMs: 15 * 60_000 });
  });

  test('PAYMENT_PROVIDER=stripe needs both Stripe keys, and says which is missing', () => {
    assert.throws(
      () => loadElarConfig({ PAYMENT_PROVIDER: 'stripe', STRIPE_WEBHOOK_SECRET: 'whsec_abc' }, host),
      /^Error: Invalid configuration: STRIPE_SECRET_KEY is required when PAYMENT_PROVIDER=stripe/,
    );
    assert.throws(
      () => loadElarConfig({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_abc' }, host),
      /STRIPE_WEBHOOK_SECRET is required/,
    );
    const c = loadElarConfig(
      { PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' },
      host,
    );
    assert.equal(c.payments.provider, 'stripe');
  });

  test('an unknown provider or a key of the wrong kind is refused by name', () => {
    assert.throws(
      () => loadElarConfig({ PAYMENT_PROVIDER: 'paypal' }, host),
      /PAYMENT_PROVIDER must be test or stripe/,
    );
    assert.throws(
      () => loadElarConfig({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'pk_test_abc' }, host),
      /STRIPE_SECRET_KEY must be a Stripe secret key/,
    );
  });
});
