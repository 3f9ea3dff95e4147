import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/platform/config.ts';

describe('configuration', () => {
  test('defaults from CONTRACT.md', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.dataDir, './data');
    assert.equal(c.publicUrl, 'http://localhost:3000');
    assert.equal(c.passwordPolicy, 'agency');
    assert.equal(c.secureCookies, false);
  });
  test('a bad value names the variable in one line', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /^Error: Invalid configuration: PORT must be a number from 0 to 65535$/);
    assert.throws(() => loadConfig({ PASSWORD_POLICY: 'weak' }), /Invalid configuration: PASSWORD_POLICY/);
    assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /Invalid configuration: DATABASE_URL must start with postgres/);
    assert.throws(() => loadConfig({ PUBLIC_URL: 'not a url' }), /Invalid configuration: PUBLIC_URL/);
  });
  test('the Department’s organization code in the roles claim: 00000000 unless DEPARTMENT_ORG_CODE names 8 digits', () => {
    assert.equal(loadConfig({}).departmentOrgCode, '00000000');
    assert.equal(loadConfig({ DEPARTMENT_ORG_CODE: '99990000' }).departmentOrgCode, '99990000');
    assert.throws(() => loadConfig({ DEPARTMENT_ORG_CODE: 'DESE' }), /^Error: Invalid configuration: DEPARTMENT_ORG_CODE must be 8 digits, like an organization code$/);
  });
  test('https PUBLIC_URL turns on secure cookies', () => {
    assert.equal(loadConfig({ PUBLIC_URL: 'https://portal.example.gov/' }).secureCookies, true);
    assert.equal(loadConfig({ PUBLIC_URL: 'https://portal.example.gov/' }).publicUrl, 'https://portal.example.gov');
  });
  test('production requires the SSN key', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /SSN_HMAC_KEY is required/);
  });
  test('crash points are armed only outside production, and only by known names', () => {
    const keys = { SSN_HMAC_KEY: 'k'.repeat(32), SECRETS_KEY: 's'.repeat(32) };
    assert.deepEqual(loadConfig({}).faultInject, []);
    assert.deepEqual(
      loadConfig({ NODE_ENV: 'test', FAULT_INJECT: 'profile.create:after-audit,profile.create:after-commit' }).faultInject,
      ['profile.create:after-audit', 'profile.create:after-commit'],
    );
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production', ...keys, FAULT_INJECT: 'profile.create:after-commit' }),
      /^Error: Invalid configuration: FAULT_INJECT is for tests and is refused when NODE_ENV=production$/,
    );
    // A misspelt point would otherwise arm nothing and the crash test would prove nothing.
    assert.throws(() => loadConfig({ NODE_ENV: 'test', FAULT_INJECT: 'profile.create:after-comit' }), /^Error: Invalid configuration: FAULT_INJECT must name points among /);
  });
});
