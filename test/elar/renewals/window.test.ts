import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renewalWindow } from '../../../src/elar/renewals/index.ts';

describe('when a Professional license can be renewed', () => {
  test('from a year before it expires until the day it expires', () => {
    assert.deepEqual(renewalWindow('2027-06-30', '2026-06-29'), { opens: '2026-06-30', state: 'not-yet' });
    assert.deepEqual(renewalWindow('2027-06-30', '2026-06-30'), { opens: '2026-06-30', state: 'open' });
    assert.deepEqual(renewalWindow('2027-06-30', '2027-06-30'), { opens: '2026-06-30', state: 'open' });
    assert.deepEqual(renewalWindow('2027-06-30', '2027-07-01'), { opens: '2026-06-30', state: 'lapsed' });
  });

  test('a license ending on 29 February opens on 28 February the year before', () => {
    assert.deepEqual(renewalWindow('2028-02-29', '2027-02-28'), { opens: '2027-02-28', state: 'open' });
  });
});
