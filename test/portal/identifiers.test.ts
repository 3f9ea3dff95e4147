import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  generateMepid,
  isValidMepid,
  luhnCheckDigit,
  userNameBase,
  userNameCandidate,
  USER_NAME_MAX,
} from '../../src/portal/identifiers.ts';

describe('User Name generation', () => {
  test('first initial and last name, capitalized, letters only', () => {
    assert.equal(userNameBase('maria', "o'neil-díaz"), 'MONeilDiaz');
    assert.equal(userNameBase('Jordan', 'Rivera'), 'JRivera');
    assert.equal(userNameBase('Anne-Marie', 'van der Berg'), 'AVanDerBerg');
  });
  test('never longer than the limit, even with a number added', () => {
    const base = userNameBase('Wolfgang', 'Schwarzenegger-Montgomery-Featherstonehaugh');
    assert.equal(base, 'WSchwarzeneggerMo');
    assert.equal(userNameCandidate(base, 998), 'WSchwarzeneggerMo999');
    assert.equal(userNameCandidate(base, 998).length, USER_NAME_MAX);
  });
  test('names without Latin letters still get a usable User Name', () => {
    assert.equal(userNameBase('李', '王'), 'User');
    assert.equal(userNameBase('Zoë', 'Ødegård'), 'ZDegard', 'accents folded, letters with no ASCII form dropped');
  });
  test('candidates: base, then base2, base3', () => {
    assert.deepEqual(
      [0, 1, 2].map((i) => userNameCandidate('JRivera', i)),
      ['JRivera', 'JRivera2', 'JRivera3'],
    );
  });
});

describe('MEPID', () => {
  test('8 digits, no leading zero, valid check digit', () => {
    for (let i = 0; i < 1000; i++) {
      const mepid = generateMepid();
      assert.match(mepid, /^[1-9]\d{7}$/);
      assert.ok(isValidMepid(mepid), mepid);
    }
  });
  test('Luhn check digit catches a mistyped digit and a swap', () => {
    assert.equal(luhnCheckDigit('7992739871'), '3');
    const mepid = generateMepid();
    const typo = mepid.slice(0, 3) + String((Number(mepid[3]) + 1) % 10) + mepid.slice(4);
    assert.equal(isValidMepid(typo), false);
  });
});
