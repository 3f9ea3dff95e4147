import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { passwordProblems, POLICIES } from '../../src/portal/password-policy.ts';

describe('agency password policy (default)', () => {
  const p = POLICIES.agency;
  test('6 letters or digits is enough', () => {
    assert.deepEqual(passwordProblems(p, 'abc123'), []);
    assert.deepEqual(passwordProblems(p, 'ABCDEF'), []);
  });
  test('5 characters is too short, with its own message', () => {
    assert.deepEqual(passwordProblems(p, 'abc12'), ['Password must be at least 6 characters']);
  });
  test('symbols and spaces are refused, with their own message', () => {
    assert.deepEqual(passwordProblems(p, 'abc 123!'), ['Password must contain only letters and numbers, with no spaces or symbols']);
  });
  test('both problems are reported together', () => {
    assert.equal(passwordProblems(p, 'a!').length, 2);
  });
  test('empty', () => {
    assert.deepEqual(passwordProblems(p, ''), ['Enter a password']);
  });
  test('allows hint questions', () => assert.equal(p.allowsHints, true));
});

describe('nist password policy', () => {
  const p = POLICIES.nist;
  test('8 characters minimum, any characters allowed', () => {
    assert.deepEqual(passwordProblems(p, 'correct horse!'), []);
    assert.deepEqual(passwordProblems(p, 'short1!'), ['Password must be at least 8 characters']);
  });
  test('common passwords are refused, whatever the case', () => {
    assert.deepEqual(passwordProblems(p, 'Password1'), ['This password is too common. Choose one that is harder to guess']);
    assert.ok(passwordProblems(p, 'qwertyuiop').length > 0);
  });
  test('the User Name may not be inside the password', () => {
    assert.deepEqual(passwordProblems(p, 'xxJRiveraxx', 'JRivera'), ['Password must not contain your User Name']);
  });
  test('no hint questions', () => assert.equal(p.allowsHints, false));
  test('length counts characters, not bytes', () => {
    assert.deepEqual(passwordProblems(p, 'ééééééé'), ['Password must be at least 8 characters']);
  });
});
