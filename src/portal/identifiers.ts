import { randomInt } from 'node:crypto';
import { asciiLetters } from './identity.ts';

/**
 * User Names are assigned, never chosen: first initial + last name (letters only,
 * accents folded), e.g. "Maria O'Neil-Díaz" → "MONeilDiaz". A number is added when the
 * name is taken. They are compared case-sensitively at login, but unique regardless of
 * case so that two people never differ only by case.
 */
export const USER_NAME_MAX = 20;

export function userNameBase(firstName: string, lastName: string): string {
  const first = asciiLetters(firstName).slice(0, 1).toUpperCase();
  const lastParts = lastName
    .split(/[\s\-']+/)
    .map((part) => asciiLetters(part))
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase());
  const base = `${first}${lastParts.join('')}`.slice(0, USER_NAME_MAX - 3);
  return base.length >= 2 ? base : `${base}User`;
}

/** Candidates in the order they are tried: the base, then base2, base3, … */
export function userNameCandidate(base: string, attempt: number): string {
  return attempt === 0 ? base : `${base}${attempt + 1}`;
}

/**
 * MEPID: 8 digits, the last a Luhn check digit so a mistyped MEPID is caught before any
 * lookup. The first digit is never 0 so the number survives spreadsheets.
 */
export function generateMepid(): string {
  const body = `${randomInt(1, 10)}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
  return body + luhnCheckDigit(body);
}

export function luhnCheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function isValidMepid(value: string): boolean {
  return /^[1-9]\d{7}$/.test(value) && luhnCheckDigit(value.slice(0, 7)) === value[7];
}
