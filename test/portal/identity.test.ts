import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyMatch, nameKey, ssnHash, type IdentityKeys, type MatchCandidate } from '../../src/portal/identity.ts';

describe('nameKey: how names are compared', () => {
  test('ignores case, spaces, hyphens, apostrophes, periods and accents', () => {
    assert.equal(nameKey("O'Neil-Díaz"), 'oneildiaz');
    assert.equal(nameKey('oneil diaz'), 'oneildiaz');
    assert.equal(nameKey('  ONEIL  DIAZ '), 'oneildiaz');
    assert.equal(nameKey('St. John'), 'stjohn');
    assert.equal(nameKey('O’Brien'), 'obrien');
    assert.equal(nameKey('Zoë'), 'zoe');
  });
  test('keeps letters that differ', () => {
    assert.notEqual(nameKey('Ann'), nameKey('Anne'));
    assert.notEqual(nameKey('Jon'), nameKey('John'));
  });
  test('keeps non-Latin letters', () => {
    assert.equal(nameKey('Ли Мин'), 'лимин');
  });
});

describe('classifyMatch: the four outcomes of Create Profile', () => {
  const key = 'k'.repeat(32);
  const submitted: IdentityKeys = { firstNameKey: 'maria', lastNameKey: 'oneil', dateOfBirth: '1980-02-29', ssnHash: ssnHash(key, '123456789') };
  const record = (over: Partial<MatchCandidate> = {}): MatchCandidate => ({
    id: 'p1',
    first_name_key: 'maria',
    last_name_key: 'oneil',
    date_of_birth: '1980-02-29',
    ssn_hash: submitted.ssnHash,
    status: 'active',
    ...over,
  });

  test('no candidates: none', () => {
    assert.deepEqual(classifyMatch(submitted, []), { kind: 'none' });
  });
  test('all four equal with credentials: exact', () => {
    assert.deepEqual(classifyMatch(submitted, [record()]), { kind: 'exact', profileId: 'p1' });
  });
  test('all four equal without credentials: precreated', () => {
    assert.deepEqual(classifyMatch(submitted, [record({ status: 'precreated' })]), { kind: 'precreated', profileId: 'p1' });
  });
  test('same SSN, different first name: partial naming the conflict', () => {
    assert.deepEqual(classifyMatch(submitted, [record({ first_name_key: 'mary' })]), {
      kind: 'partial',
      profileId: 'p1',
      conflicts: ['firstName'],
    });
  });
  test('same SSN, date of birth one day off: partial', () => {
    const outcome = classifyMatch(submitted, [record({ date_of_birth: '1980-03-01' })]);
    assert.equal(outcome.kind, 'partial');
  });
  test('same name and date of birth, different SSN: partial', () => {
    const outcome = classifyMatch(submitted, [record({ ssn_hash: ssnHash(key, '123456788') })]);
    assert.deepEqual(outcome, { kind: 'partial', profileId: 'p1', conflicts: ['ssn'] });
  });
  test('same name and date of birth, record has no SSN: partial (an administrator decides)', () => {
    assert.equal(classifyMatch(submitted, [record({ ssn_hash: null, status: 'precreated' })]).kind, 'partial');
  });
  test('an exact candidate wins over a partial one', () => {
    const outcome = classifyMatch(submitted, [record({ id: 'p0', ssn_hash: 'other' }), record({ id: 'p2' })]);
    assert.deepEqual(outcome, { kind: 'exact', profileId: 'p2' });
  });
  test('only the last name in common is no match at all', () => {
    // A candidate query never returns such a record, but the rule must hold regardless.
    const outcome = classifyMatch(submitted, [record({ first_name_key: 'ana', date_of_birth: '1970-01-01', ssn_hash: 'x' })]);
    assert.deepEqual(outcome, { kind: 'none' });
  });
});

describe('ssnHash', () => {
  test('is keyed: another key gives another fingerprint', () => {
    assert.notEqual(ssnHash('a'.repeat(32), '123456789'), ssnHash('b'.repeat(32), '123456789'));
    assert.equal(ssnHash('a'.repeat(32), '123456789'), ssnHash('a'.repeat(32), '123456789'));
    assert.doesNotMatch(ssnHash('a'.repeat(32), '123456789'), /123456789/);
  });
});
