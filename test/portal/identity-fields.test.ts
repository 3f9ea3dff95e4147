import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  classifyMatch,
  ssnHash,
  type ConflictField,
  type IdentityKeys,
  type MatchCandidate,
} from '../../src/portal/identity.ts';

/**
 * Every identity field is compared: each one, alone as the only difference, turns an exact
 * match into a partial one naming that field. Mutation testing found that dropping the last
 * name or the birth date from the comparison passed the other tests (the exact-match page
 * would show the User Name to someone giving another last name).
 */
describe('classifyMatch: each identity field alone as the only mismatch', () => {
  const key = 'k'.repeat(32);
  const submitted: IdentityKeys = {
    firstNameKey: 'maria',
    lastNameKey: 'oneil',
    dateOfBirth: '1980-02-29',
    ssnHash: ssnHash(key, '123456789'),
  };
  const record: MatchCandidate = {
    id: 'p1',
    first_name_key: 'maria',
    last_name_key: 'oneil',
    date_of_birth: '1980-02-29',
    ssn_hash: submitted.ssnHash,
    status: 'active',
  };
  const differing: Record<ConflictField, Partial<MatchCandidate>> = {
    firstName: { first_name_key: 'marta' },
    lastName: { last_name_key: 'oneal' },
    dateOfBirth: { date_of_birth: '1980-03-01' },
    ssn: { ssn_hash: ssnHash(key, '123456780') },
  };
  for (const [field, change] of Object.entries(differing) as [ConflictField, Partial<MatchCandidate>][]) {
    test(`${field} differs: partial match naming ${field}, never exact`, () => {
      assert.deepEqual(classifyMatch(submitted, [{ ...record, ...change }]), {
        kind: 'partial',
        profileId: 'p1',
        conflicts: [field],
      });
      assert.deepEqual(classifyMatch(submitted, [{ ...record, ...change, status: 'precreated' }]), {
        kind: 'partial',
        profileId: 'p1',
        conflicts: [field],
      });
    });
  }
});
