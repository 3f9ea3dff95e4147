import { createHmac } from 'node:crypto';
import skeleton from 'unhomoglyph';

/**
 * The identity-matching rule (SPEC P3), in one place.
 *
 * The agency treats a person as the same person when FIRST NAME, LAST NAME, DATE OF BIRTH
 * and SSN all match. Before comparing:
 * - names are folded to a key: Unicode NFKD (fullwidth letters become plain ones), lower
 *   case, look-alike letters replaced by the letter they imitate (the Unicode confusables
 *   skeleton, UTS #39: a Cyrillic "о" or a Greek "ο" is an "o"), accents removed, and every
 *   character that is not a letter or digit removed (spaces, hyphens, apostrophes,
 *   periods), so "O'Neil-Díaz", "oneil diaz", "ONEIL DIAZ" and "Оneil Diaz" with a
 *   Cyrillic "О" are the same name; middle names are never compared (people use them
 *   inconsistently);
 * - the date of birth is compared as a calendar date;
 * - the SSN is compared through its keyed hash (HMAC-SHA-256), never in plain text.
 *
 * Candidates are the records that share the SSN, or share first name + last name + date
 * of birth. Then:
 * - all four equal, record has credentials      → exact
 * - all four equal, record has no credentials   → precreated (finish the profile)
 * - any candidate that agrees on one side only  → partial (stop; nothing revealed)
 * - no candidate                                → none (new profile)
 *
 * The keys are stored (profile.first_name_key, last_name_key): a change here needs a
 * migration that recomputes them, as migrations/0007_confusable_name_keys.ts does.
 */
export function nameKey(name: string): string {
  // Case is folded before the skeleton because names compare case-insensitively and the
  // skeleton itself is case-sensitive: it maps capital "I" to "l", which would make "IAN"
  // and "ian" differ. The skeleton's output is decomposed again so that its own marks (ø is
  // "o" + a combining stroke) are removed like accents.
  return skeleton(name.normalize('NFKD').toLowerCase())
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * Scripts a person's name may be written in. A letter of another script counts as "other":
 * names in it alone are accepted, but not mixed with one of these.
 */
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Georgian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Khmer',
  'Mongolian',
  'Ethiopic',
  'Cherokee',
  'Canadian_Aboriginal',
  'Han',
  'Hiragana',
  'Katakana',
  'Hangul',
  'Bopomofo',
  'Yi',
  'Tifinagh',
  'Vai',
  'Nko',
  'Adlam',
] as const;
const SCRIPT_PATTERNS = SCRIPTS.map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')] as const);

const SHARED = /[\p{Script=Common}\p{Script=Inherited}]/u;

/** Scripts that are written together in one name (UTS #39, "highly restrictive"). */
const WRITTEN_TOGETHER = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

/**
 * The scripts of a name that mixes alphabets no one writes together ("Jоrdan" with a
 * Cyrillic "о": ['Latin', 'Cyrillic'], in the order they appear), or null. Such a name is
 * refused at input: it is a look-alike trick or a keyboard left in another layout.
 */
export function mixedScripts(name: string): string[] | null {
  const seen: string[] = [];
  for (const letter of name.normalize('NFKC').match(/\p{L}/gu) ?? []) {
    // Letters shared by every script (the Hawaiian ʻokina, the Japanese long-vowel mark) belong to none.
    if (SHARED.test(letter)) continue;
    const script = SCRIPT_PATTERNS.find(([, pattern]) => pattern.test(letter))?.[0] ?? 'other';
    if (!seen.includes(script)) seen.push(script);
  }
  if (seen.length <= 1 || WRITTEN_TOGETHER.some((set) => seen.every((s) => set.has(s)))) return null;
  return seen;
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
