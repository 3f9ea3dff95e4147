import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applicantFrom } from '../../../src/elar/applications/routes.tsx';

/** Who applies, as ELAR reads them from the portal's ID token claims (read defensively: the claims are another system's). */
describe('the applicant from the claims', () => {
  test('sub, MEPID and email when the claims carry them as strings', () => {
    assert.deepEqual(applicantFrom({ sub: 'p-1', mepid: '12345678', email: 'ella@example.org' }), {
      sub: 'p-1',
      mepid: '12345678',
      email: 'ella@example.org',
      name: null,
      birthdate: null,
    });
  });

  test('the name and date of birth the portal gives are shown, never asked', () => {
    const person = applicantFrom({ sub: 'p-4', name: 'Ella Elar', birthdate: '1985-06-05' });
    assert.equal(person?.name, 'Ella Elar');
    assert.equal(person?.birthdate, '1985-06-05');
  });

  test('no MEPID or email is null, and so is one of another shape', () => {
    assert.deepEqual(applicantFrom({ sub: 'p-2' }), {
      sub: 'p-2',
      mepid: null,
      email: null,
      name: null,
      birthdate: null,
    });
    assert.deepEqual(applicantFrom({ sub: 'p-3', mepid: 12345678, email: ['a@example.org'] }), {
      sub: 'p-3',
      mepid: null,
      email: null,
      name: null,
      birthdate: null,
    });
  });

  test('without a usable sub there is no applicant', () => {
    for (const claims of [{}, { sub: '' }, { sub: 42 }, { sub: null }]) assert.equal(applicantFrom(claims), null);
  });
});
