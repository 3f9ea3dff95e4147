import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  classifyMatch,
  mixedScripts,
  nameKey,
  ssnHash,
  type ConflictField,
  type IdentityKeys,
  type MatchCandidate,
} from '../../src/portal/identity.ts';

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
  test('keeps non-Latin names apart, and folds their case', () => {
    assert.equal(nameKey('ЛИ МИН'), nameKey('Ли Мин'));
    assert.notEqual(nameKey('Ли Мин'), nameKey('Ли Мен'));
    assert.notEqual(nameKey('Иван'), nameKey('Иванна'));
    assert.equal(nameKey('山田'), '山田');
    assert.notEqual(nameKey('山田'), nameKey('山本'));
  });
});

/**
 * Look-alike letters (Unicode's confusables, UTS #39): a name typed with another script's
 * letter that looks the same is the same name, so it cannot make a second "Jordan Rivera".
 */
describe('nameKey: look-alike letters are the same letter', () => {
  // [the Latin name, the same name with one letter swapped for a look-alike, that letter]
  const lookAlikes: Array<[string, string, string]> = [
    ['Jordan', 'Jord\u0430n', 'Cyrillic а'],
    ['Rivera', 'Riv\u0435ra', 'Cyrillic е'],
    ['Jordan', 'J\u043erdan', 'Cyrillic о'],
    ['Pope', 'Po\u0440e', 'Cyrillic р'],
    ['Rachel', 'Ra\u0441hel', 'Cyrillic с'],
    ['Joy', 'Jo\u0443', 'Cyrillic у'],
    ['Cox', 'Co\u0445', 'Cyrillic х'],
    ['Jordan', 'J\u03bfrdan', 'Greek ο'],
    ['Pope', 'Po\u03c1e', 'Greek ρ'],
    ['Jordan', '\uff2a\uff4f\uff52\uff44\uff41\uff4e', 'fullwidth Latin'],
    ['Joy Pope', '\u0408\u043e\u0443 \u0420\u043e\u0440\u0435', 'all Cyrillic (Ј о у Р о р е)'],
    ['Søren', 'Soren', 'o with stroke'],
  ];
  for (const [latin, lookAlike, what] of lookAlikes) {
    test(`${what}: "${lookAlike}" is "${latin}"`, () => {
      assert.notEqual(lookAlike, latin, 'the test uses a different string');
      assert.equal(nameKey(lookAlike), nameKey(latin));
      assert.equal(nameKey(lookAlike.toUpperCase()), nameKey(latin), 'in capitals too');
    });
  }
  test('folding look-alikes does not make different names equal', () => {
    assert.notEqual(nameKey('Jordan'), nameKey('Jordon'));
    assert.notEqual(nameKey('Ian'), nameKey('Lan'));
    assert.equal(nameKey('IAN'), nameKey('ian'));
  });
});

describe('mixedScripts: a name written in more than one alphabet', () => {
  test('a Latin name with one Cyrillic or Greek letter names both alphabets', () => {
    assert.deepEqual(mixedScripts('J\u043erdan'), ['Latin', 'Cyrillic']);
    assert.deepEqual(mixedScripts('J\u03bfrdan'), ['Latin', 'Greek']);
    assert.deepEqual(mixedScripts('\u0420ivera'), ['Cyrillic', 'Latin']);
  });
  test('names in one alphabet, with accents, apostrophes, hyphens or fullwidth letters, are not mixed', () => {
    for (const name of [
      "O'Neil-Díaz",
      'Zoë',
      'Ли Мин',
      'Νίκος',
      '\uff2a\uff4f\uff52\uff44\uff41\uff4e',
      '山田',
      'St. John',
      'Ka\u02bbahumanu',
      'Nguyễn',
      'ユーコ',
    ]) {
      assert.equal(mixedScripts(name), null, name);
    }
  });
  test('Japanese and Korean names that combine their scripts (and Latin) are not mixed', () => {
    for (const name of ['山田たろう', 'ヤマダ山田', '김민수', '金김', 'Kim 金', 'Taro たろう', 'Kim 김'])
      assert.equal(mixedScripts(name), null, name);
  });
  test('Chinese names with Bopomofo (and Latin) are not mixed; Bopomofo with Hangul is', () => {
    for (const name of ['李ㄅ', 'Li ㄅ']) assert.equal(mixedScripts(name), null, name);
    assert.deepEqual(mixedScripts('ㄅ김'), ['Bopomofo', 'Hangul']);
  });
  test('a letter of a script outside the list counts as "other": alone it is accepted, mixed it is named', () => {
    assert.equal(mixedScripts('ᚠᚢᚦ'), null);
    assert.deepEqual(mixedScripts('Aᚠ'), ['Latin', 'other']);
  });
});

describe('classifyMatch: the four outcomes of Create Profile', () => {
  const key = 'k'.repeat(32);
  const submitted: IdentityKeys = {
    firstNameKey: 'maria',
    lastNameKey: 'oneil',
    dateOfBirth: '1980-02-29',
    ssnHash: ssnHash(key, '123456789'),
  };
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
    assert.deepEqual(classifyMatch(submitted, [record({ status: 'precreated' })]), {
      kind: 'precreated',
      profileId: 'p1',
    });
  });
  /**
   * Every identity field, alone, as the only difference: never exact, never precreated,
   * always partial naming exactly that field. Dropping any one comparison from the rule
   * turns one of these into an exact match (the real User Name shown to a stranger).
   */
  const onlyMismatch: Array<[ConflictField, Partial<MatchCandidate>]> = [
    ['firstName', { first_name_key: 'mary' }],
    ['lastName', { last_name_key: 'oneal' }],
    ['dateOfBirth', { date_of_birth: '1980-03-01' }],
    ['ssn', { ssn_hash: ssnHash(key, '123456788') }],
  ];
  for (const [field, differs] of onlyMismatch) {
    for (const status of ['active', 'precreated'] as const) {
      test(`${field} alone differs from a${status === 'active' ? 'n active' : ' pre-created'} record: partial, naming ${field} only`, () => {
        assert.deepEqual(classifyMatch(submitted, [record({ status, ...differs })]), {
          kind: 'partial',
          profileId: 'p1',
          conflicts: [field],
        });
      });
    }
  }

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
    const outcome = classifyMatch(submitted, [
      record({ first_name_key: 'ana', date_of_birth: '1970-01-01', ssn_hash: 'x' }),
    ]);
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
