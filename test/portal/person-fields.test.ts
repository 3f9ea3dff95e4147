import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  backgroundFields,
  contactFields,
  identityFields,
  parseDateOfBirth,
  ssnField,
} from '../../src/portal/person-fields.ts';

const today = new Date(Date.UTC(2026, 10, 25));
const dob = (dobMonth: string, dobDay: string, dobYear: string) =>
  parseDateOfBirth({ dobMonth, dobDay, dobYear }, today);

describe('date of birth', () => {
  test('a real past date', () => assert.deepEqual(dob('2', '29', '1980'), { date: '1980-02-29' }));
  test('missing', () => assert.deepEqual(dob('', '', ''), { error: 'Enter your date of birth' }));
  test('partly missing names the part', () =>
    assert.deepEqual(dob('2', '', '1980'), { error: 'Date of birth must include a day' }));
  test('not a real date', () => {
    assert.deepEqual(dob('2', '29', '1981'), { error: 'Date of birth must be a real date, like 3 27 1985' });
    assert.deepEqual(dob('13', '1', '1980'), { error: 'Date of birth must be a real date, like 3 27 1985' });
    assert.deepEqual(dob('a', '1', '1980'), { error: 'Date of birth must be a real date, like 3 27 1985' });
  });
  test('today and the future are refused', () => {
    assert.deepEqual(dob('11', '25', '2026'), { error: 'Date of birth must be in the past' });
    assert.deepEqual(dob('1', '1', '2030'), { error: 'Date of birth must be in the past' });
    assert.deepEqual(dob('11', '24', '2026'), { date: '2026-11-24' });
  });
  test('a year of 2 or 3 digits is asked again with 4 digits', () => {
    for (const year of ['80', '85', '985']) {
      assert.deepEqual(dob('1', '1', year), { error: 'Enter the year of birth with 4 digits, like 1985' }, year);
    }
  });
  test('the earliest year the message names is itself accepted, and the year before it refused', () => {
    // 120 years before "today" (2026): the message and the rule come from one constant.
    assert.deepEqual(dob('1', '1', '1906'), { date: '1906-01-01' });
    assert.deepEqual(dob('12', '31', '1905'), { error: 'Date of birth must be in 1906 or later' });
    assert.deepEqual(dob('1', '1', '1900'), { error: 'Date of birth must be in 1906 or later' });
  });
});

describe('SSN', () => {
  test('with or without separators', () => {
    assert.equal(ssnField.parse('123-45-6789'), '123456789');
    assert.equal(ssnField.parse('123 45 6789'), '123456789');
  });
  test('must be 9 digits', () => {
    assert.equal(
      ssnField.safeParse('12345678').error?.issues[0]?.message,
      'Social Security number must be 9 digits, like 123 45 6789',
    );
    assert.equal(ssnField.safeParse('').error?.issues[0]?.message, 'Enter your Social Security number');
  });
  test('numbers never issued are refused', () => {
    for (const bad of ['000123456', '666123456', '123006789', '123450000']) {
      assert.equal(ssnField.safeParse(bad).error?.issues[0]?.message, 'Enter a valid Social Security number', bad);
    }
  });
  test('area numbers 900 to 999 are never Social Security numbers (ITINs start with 9) and are refused', () => {
    for (const bad of ['900-12-3456', '912 70 1234', '987654321', '999-99-9999']) {
      assert.equal(
        ssnField.safeParse(bad).error?.issues[0]?.message,
        'Enter a Social Security number: numbers starting with 9 are not Social Security numbers',
        bad,
      );
    }
    assert.equal(ssnField.parse('899-12-3456'), '899123456');
  });
});

describe('names', () => {
  test('a name mixing alphabets is refused, naming them; one alphabet, accents and punctuation are fine', () => {
    assert.equal(
      identityFields.lastName.safeParse('Riv\u0435ra').error?.issues[0]?.message,
      'Last name mixes letters from different alphabets (Latin and Cyrillic): type it again in one alphabet',
    );
    assert.equal(
      backgroundFields.previousLastName.safeParse('P\u03bfpe').error?.issues[0]?.message,
      'Previous last name mixes letters from different alphabets (Latin and Greek): type it again in one alphabet',
    );
    for (const name of ["O'Neil-Díaz", 'Ли Мин', 'Zoë']) assert.equal(identityFields.firstName.parse(name), name);
    assert.equal(identityFields.middleName.parse(''), null);
  });
});

describe('contact fields', () => {
  test('email format', () => {
    assert.equal(
      contactFields.email.safeParse('not-an-email').error?.issues[0]?.message,
      'Enter an email address in the correct format, like name@example.com',
    );
  });
  test('state must be a US state or territory code', () => {
    assert.equal(contactFields.state.parse('ma'), 'MA');
    assert.equal(contactFields.state.safeParse('ZZ').error?.issues[0]?.message, 'Select your state from the list');
    assert.equal(contactFields.state.safeParse('').error?.issues[0]?.message, 'Select your state');
  });
  test('ZIP code', () => {
    assert.equal(contactFields.postalCode.parse('02148-5023'), '02148-5023');
    assert.equal(
      contactFields.postalCode.safeParse('2148').error?.issues[0]?.message,
      'Enter a ZIP code, like 02148 or 02148-5023',
    );
  });
  test('phone: 10 digits, punctuation and +1 allowed', () => {
    assert.equal(contactFields.phone.parse('+1 (781) 338-6600'), '7813386600');
    assert.equal(contactFields.phone.parse(''), null);
    assert.equal(
      contactFields.phone.safeParse('12345').error?.issues[0]?.message,
      'Enter a 10-digit phone number, like 781 338 6600',
    );
  });
});
