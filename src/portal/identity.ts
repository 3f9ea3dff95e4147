import { createHmac } from 'node:crypto';

/**
 * The identity-matching rule (SPEC P3), in one place.
 *
 * The agency treats a person as the same person when FIRST NAME, LAST NAME, DATE OF BIRTH
 * and SSN all match. Before comparing:
 * - names are folded to a key: Unicode NFKD, accents removed, lower case, and every
 *   character that is not a letter or digit removed (spaces, hyphens, apostrophes,
 *   periods), so "O'Neil-Díaz", "oneil diaz" and "ONEIL DIAZ" are the same name;
 *   middle names are never compared (people use them inconsistently);
 * - the date of birth is compared as a calendar date;
 * - the SSN is compared through its keyed hash (HMAC-SHA-256), never in plain text.
 *
 * Candidates are the records that share the SSN, or share first name + last name + date
 * of birth. Then:
 * - all four equal, record has credentials      → exact
 * - all four equal, record has no credentials   → precreated (finish the profile)
 * - any candidate that agrees on one side only  → partial (stop; nothing revealed)
 * - no candidate                                → none (new profile)
 */
export function nameKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** Letters a–z only, for building User Names from any script that folds to Latin. */
export function asciiLetters(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z]/g, '');
}

export function ssnHash(key: string, ssnDigits: string): string {
  return createHmac('sha256', key).update(`ssn:${ssnDigits}`).digest('hex');
}

export interface IdentityKeys {
  firstNameKey: string;
  lastNameKey: string;
  dateOfBirth: string;
  ssnHash: string;
}

export interface MatchCandidate {
  id: string;
  first_name_key: string;
  last_name_key: string;
  date_of_birth: string | null;
  ssn_hash: string | null;
  status: 'active' | 'precreated';
}

export type ConflictField = 'firstName' | 'lastName' | 'dateOfBirth' | 'ssn';

export type MatchOutcome =
  | { kind: 'none' }
  | { kind: 'exact'; profileId: string }
  | { kind: 'precreated'; profileId: string }
  | { kind: 'partial'; profileId: string; conflicts: ConflictField[] };

export function classifyMatch(submitted: IdentityKeys, candidates: MatchCandidate[]): MatchOutcome {
  let partial: MatchOutcome | undefined;
  for (const c of candidates) {
    const conflicts: ConflictField[] = [];
    if (c.first_name_key !== submitted.firstNameKey) conflicts.push('firstName');
    if (c.last_name_key !== submitted.lastNameKey) conflicts.push('lastName');
    if (c.date_of_birth !== submitted.dateOfBirth) conflicts.push('dateOfBirth');
    if (c.ssn_hash !== submitted.ssnHash) conflicts.push('ssn');
    if (conflicts.length === 0) {
      return c.status === 'active' ? { kind: 'exact', profileId: c.id } : { kind: 'precreated', profileId: c.id };
    }
    const sameSsn = c.ssn_hash === submitted.ssnHash;
    const sameNameAndBirth = !conflicts.some((f) => f !== 'ssn');
    if ((sameSsn || sameNameAndBirth) && !partial) {
      partial = { kind: 'partial', profileId: c.id, conflicts };
    }
  }
  return partial ?? { kind: 'none' };
}
