import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDollars, quoteFee, scheduleInForce, type FeeSchedule } from '../../../src/elar/applications/fees.ts';
import { checkDraft, checkSection } from '../../../src/elar/applications/sections.ts';
import { loadApplicationSettings } from '../../../src/elar/applications/settings.ts';

const v1: FeeSchedule = {
  version: 1,
  firstLicenseCents: 10_000,
  additionalLicenseCents: 2_500,
  effectiveFrom: new Date('2000-01-01T00:00:00Z'),
  effectiveTo: new Date('2027-01-01T00:00:00Z'),
};
const v2: FeeSchedule = {
  version: 2,
  firstLicenseCents: 12_000,
  additionalLicenseCents: 3_000,
  effectiveFrom: new Date('2027-01-01T00:00:00Z'),
  effectiveTo: null,
};

describe('the fee schedule', () => {
  test('$100 for the first license and $25 for each additional one', () => {
    assert.deepEqual(quoteFee(v1, 1), { cents: 10_000, scheduleVersion: 1 });
    assert.deepEqual(quoteFee(v1, 2), { cents: 12_500, scheduleVersion: 1 });
    assert.deepEqual(quoteFee(v1, 5), { cents: 20_000, scheduleVersion: 1 });
    assert.equal(formatDollars(12_500), '$125.00');
    assert.equal(formatDollars(100_005), '$1,000.05');
    assert.throws(() => quoteFee(v1, 0));
  });

  test('the schedule in force is the one whose dates cover the moment', () => {
    assert.equal(scheduleInForce([v1, v2], new Date('2026-12-31T23:59:59Z')).version, 1);
    assert.equal(scheduleInForce([v2, v1], new Date('2027-01-01T00:00:00Z')).version, 2);
    assert.throws(() => scheduleInForce([v2], new Date('2026-06-01T00:00:00Z')), { code: 'ELAR_ERR_NO_FEE_SCHEDULE' });
  });
});

describe('task list sections', () => {
  test('personal details: a clear message for each field, and the answers cleaned up', () => {
    const bad = checkSection('personal-details', { phone: '12', addressLine1: '', state: 'ZZ', postalCode: 'abc' });
    assert.equal(bad.ok, false);
    assert.deepEqual(!bad.ok && bad.errors, {
      phone: 'Enter a phone number with its area code, like 617 555 0123',
      addressLine1: 'Enter the first line of your address',
      city: 'Enter the town or city',
      state: 'Choose the state from the list',
      postalCode: 'Enter a ZIP code of 5 digits, or 5 and 4',
    });
    const good = checkSection('personal-details', {
      email: '',
      phone: '(617) 555-0123',
      addressLine1: ' 1 Main St ',
      city: 'Malden',
      state: 'ma',
      postalCode: '02148',
    });
    assert.deepEqual(good.ok && good.answers, {
      email: null,
      phone: '6175550123',
      addressLine1: '1 Main St',
      addressLine2: null,
      city: 'Malden',
      state: 'MA',
      postalCode: '02148',
    });
  });

  test('education needs a degree; each error names its entry', () => {
    const none = checkSection('education', { degrees: [] });
    assert.deepEqual(!none.ok && none.errors, {
      degrees: 'Add at least one degree: every license needs a bachelor’s degree or higher',
    });
    const wrong = checkSection('education', {
      degrees: [{ level: 'bachelor', subject: 'Biology', institution: 'UMass', awarded: '2019-13' }],
    });
    assert.deepEqual(!wrong.ok && wrong.errors, {
      'degrees.0.awarded': 'Enter when the degree was awarded as a month and year, like 2019-06',
    });
  });

  test('a "yes" to a character question needs an explanation', () => {
    const answers = { convicted: { answer: 'no' }, disciplined: { answer: 'no' } };
    const yes = checkSection('character', { ...answers, pendingInvestigation: { answer: 'yes', explanation: '' } });
    assert.deepEqual(!yes.ok && yes.errors, {
      'pendingInvestigation.explanation': 'You answered yes: explain what happened, when and where',
    });
    const explained = checkSection('character', {
      ...answers,
      pendingInvestigation: { answer: 'yes', explanation: 'A complaint in 2020, dismissed in 2021.' },
    });
    assert.ok(explained.ok);
    const missing = checkSection('character', answers);
    assert.deepEqual(!missing.ok && Object.keys(missing.errors), ['pendingInvestigation']);
  });

  test('a test date must be a real date in the past, and the affidavit must be agreed to', () => {
    const future = checkSection('tests', { tests: [{ name: 'MTEL', date: '2999-01-01', passed: 'yes' }] });
    assert.match(!future.ok ? future.errors['tests.0.date']! : '', /today or in the past/);
    const impossible = checkSection('tests', { tests: [{ name: 'MTEL', date: '2021-02-30', passed: 'yes' }] });
    assert.equal(impossible.ok, false);
    const unsigned = checkSection('affidavit', { agree: false, signature: 'Ella Elar' });
    assert.deepEqual(!unsigned.ok && unsigned.errors, {
      agree: 'Confirm that what you have told us is true and complete',
    });
  });

  test('a draft keeps what is given and asks for nothing, but each answer given meets its rule', () => {
    assert.deepEqual(checkDraft('personal-details', { phone: '(617) 555-0123' }), {
      ok: true,
      answers: { phone: '6175550123' },
    });
    assert.deepEqual(
      checkDraft('character', {
        convicted: { answer: 'yes' },
        disciplined: { answer: 'no', explanation: 'typed, then no' },
      }),
      {
        ok: true,
        answers: {
          convicted: { answer: 'yes', explanation: null },
          disciplined: { answer: 'no', explanation: null },
        },
      },
    );
    const wrong = checkDraft('education', { degrees: [{ awarded: '2019-13' }, { subject: 'x'.repeat(121) }] });
    assert.deepEqual(!wrong.ok && wrong.errors, {
      'degrees.0.awarded': 'Enter when the degree was awarded as a month and year, like 2019-06',
      'degrees.1.subject': 'The subject of the degree must be 120 characters or fewer',
    });
    const tooLong = checkDraft('character', { convicted: { answer: 'yes', explanation: 'x'.repeat(2001) } });
    assert.deepEqual(!tooLong.ok && tooLong.errors, {
      'convicted.explanation': 'Your explanation must be 2000 characters or fewer',
    });
    assert.equal(checkDraft('affidavit', { signature: 'Ella Elar' }).ok, false, 'the affidavit has no draft');
  });

  test('anything that is not the expected shape is an error, never a throw', () => {
    for (const input of [null, 'text', 42, [], { degrees: 'many' }]) {
      assert.equal(checkSection('education', input).ok, false);
    }
  });
});

describe('application settings', () => {
  test('the agency’s numbers by default, and each one can be set', () => {
    assert.deepEqual(loadApplicationSettings({}), {
      draftKeepDays: 180,
      draftReminderDays: [14, 7],
      reconsiderationDays: 30,
    });
    assert.deepEqual(
      loadApplicationSettings({
        ELAR_DRAFT_KEEP_DAYS: '90',
        ELAR_DRAFT_REMINDER_DAYS: '3,30,3',
        ELAR_RECONSIDERATION_DAYS: '45',
      }),
      { draftKeepDays: 90, draftReminderDays: [30, 3], reconsiderationDays: 45 },
    );
    assert.throws(() => loadApplicationSettings({ ELAR_DRAFT_KEEP_DAYS: 'soon' }), /ELAR_DRAFT_KEEP_DAYS/);
    assert.throws(() => loadApplicationSettings({ ELAR_DRAFT_REMINDER_DAYS: '200' }), /fewer than/);
  });
});
