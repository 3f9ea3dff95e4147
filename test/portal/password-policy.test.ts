import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PASSWORD_MISMATCH, PASSWORD_REUSED, passwordProblems, POLICIES } from '../../src/portal/password-policy.ts';

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
    assert.deepEqual(passwordProblems(p, 'abc 123!'), [
      'Password must contain only letters and numbers, with no spaces or symbols',
    ]);
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
    assert.deepEqual(passwordProblems(p, 'Password1'), [
      'This password is too common. Choose one that is harder to guess',
    ]);
    assert.deepEqual(passwordProblems(p, 'qwertyuiop'), [
      'This password is too common. Choose one that is harder to guess',
    ]);
  });
  test('the User Name may not be inside the password', () => {
    assert.deepEqual(passwordProblems(p, 'xxJRiveraxx', 'JRivera'), ['Password must not contain your User Name']);
  });
  test('no hint questions', () => assert.equal(p.allowsHints, false));
  test('length counts characters, not bytes', () => {
    assert.deepEqual(passwordProblems(p, 'ééééééé'), ['Password must be at least 8 characters']);
  });
});

describe('both policies', () => {
  for (const p of Object.values(POLICIES)) {
    test(`${p.name}: ${p.maxLength} characters is the most, one more is refused with its own message`, () => {
      assert.deepEqual(passwordProblems(p, 'Ab3'.repeat(p.maxLength).slice(0, p.maxLength)), []);
      assert.deepEqual(passwordProblems(p, 'Ab3'.repeat(p.maxLength).slice(0, p.maxLength + 1)), [
        `Password must be ${p.maxLength} characters or fewer`,
      ]);
    });
    test(`${p.name}: the form's hint text states the minimum length and that passwords cannot be reused`, () => {
      assert.match(p.description, new RegExp(`^At least ${p.minLength} characters[.,] `));
      assert.match(p.description, /You cannot reuse a password you have used before\.$/);
    });
  }
  test('each policy carries the name configuration selects it by (the rules branch on it)', () => {
    assert.deepEqual(
      Object.entries(POLICIES).map(([key, p]) => [key, p.name]),
      [
        ['agency', 'agency'],
        ['nist', 'nist'],
      ],
    );
  });
  test('the reuse and confirmation messages say what to do', () => {
    assert.equal(
      PASSWORD_REUSED,
      'You have used this password before. Choose a password you have not used on this account',
    );
    assert.equal(PASSWORD_MISMATCH, 'The passwords do not match. Enter the same password twice');
  });
});
