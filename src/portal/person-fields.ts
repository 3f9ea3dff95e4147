import { ARMED_FORCES_REGIONS, US_STATES as STATES_AND_TERRITORIES } from '../platform/views/us-states.ts';
import { z } from 'zod';
import { capitalize, optionalText, requiredText } from '../platform/forms.ts';
import type { FormValues } from '../platform/views/form.tsx';
import { mixedScripts } from './identity.ts';

/** What each answer about a person must look like, with the message for each mistake. */

const NAME_CHARS = /^[\p{L}\p{M}][\p{L}\p{M}' .\u2019-]*$/u;

const nameMessage = (label: string) =>
  `${capitalize(label)} must only include letters, spaces, hyphens, apostrophes and full stops`;

/** One alphabet per name: a Cyrillic "о" in a Latin name would pass for another person's name. */
function oneAlphabet(label: string, name: string, ctx: z.RefinementCtx) {
  const scripts = mixedScripts(name);
  if (scripts) {
    ctx.addIssue({
      code: 'custom',
      message: `${capitalize(label)} mixes letters from different alphabets (${scripts.join(' and ')}): type it again in one alphabet`,
    });
  }
}

function requiredName(label: string) {
  return requiredText(label, 50)
    .refine((s) => NAME_CHARS.test(s), nameMessage(label))
    .superRefine((s, ctx) => oneAlphabet(label, s, ctx));
}

function optionalName(label: string) {
  return optionalText(label, 50)
    .refine((s) => s === null || NAME_CHARS.test(s), nameMessage(label))
    .superRefine((s, ctx) => {
      if (s !== null) oneAlphabet(label, s, ctx);
    });
}

/**
 * SSNs are accepted with or without spaces and hyphens. Numbers the Social Security
 * Administration never issues (area 000, 666 or 900–999, group 00, serial 0000) are
 * refused. Area 9xx gets its own message: those are ITINs and similar tax numbers, which
 * people do type here by mistake, and "not valid" alone would not tell them why.
 */
export const ssnField = z
  .string()
  .transform((s) => s.replace(/[\s-]/g, ''))
  .pipe(
    z
      .string()
      .min(1, 'Enter your Social Security number')
      .regex(/^\d{9}$/, 'Social Security number must be 9 digits, like 123 45 6789')
      .refine(
        (s) => !s.startsWith('9'),
        'Enter a Social Security number: numbers starting with 9 are not Social Security numbers',
      )
      .refine(
        (s) => !/^(000|666)/.test(s) && s.slice(3, 5) !== '00' && s.slice(5) !== '0000',
        'Enter a valid Social Security number',
      ),
  );

export const identityFields = {
  firstName: requiredName('first name'),
  middleName: optionalName('middle name'),
  lastName: requiredName('last name'),
  ssn: ssnField,
};

/** Where a person's mail may go: a state or territory, or an Armed Forces region. */
export const US_STATES = [...STATES_AND_TERRITORIES, ...ARMED_FORCES_REGIONS];
const STATE_CODES = new Set(US_STATES.map(([code]) => code));

export const contactFields = {
  email: requiredText('your email address', 254).pipe(
    z
      .string()
      .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'Enter an email address in the correct format, like name@example.com'),
  ),
  phone: optionalText('phone number', 30)
    .transform((s) => (s === null ? null : s.replace(/[\s().-]/g, '').replace(/^\+?1(?=\d{10}$)/, '')))
    .refine((s) => s === null || /^\d{10}$/.test(s), 'Enter a 10-digit phone number, like 781 338 6600'),
  addressLine1: requiredText('the first line of your address', 100, 'Enter the first line of your address'),
  addressLine2: optionalText('address line 2', 100),
  city: requiredText('your town or city', 60, 'Enter your town or city'),
  state: z
    .string()
    .transform((s) => s.trim().toUpperCase())
    .refine((s) => s !== '', 'Select your state')
    .refine((s) => s === '' || STATE_CODES.has(s), 'Select your state from the list'),
  postalCode: requiredText('your ZIP code', 10, 'Enter your ZIP code').pipe(
    z.string().regex(/^\d{5}(-?\d{4})?$/, 'Enter a ZIP code, like 02148 or 02148-5023'),
  ),
};

export const backgroundFields = {
  previousLastName: optionalName('previous last name'),
  priorLicenseNumber: optionalText('license number', 20).refine(
    (s) => s === null || /^[A-Za-z0-9-]+$/.test(s),
    'License number must only include letters, numbers and hyphens',
  ),
};

/** How far back a date of birth may go; the earliest year accepted is also the one the message names. */
const OLDEST_AGE_YEARS = 120;

/**
 * The three date-of-birth inputs → 'YYYY-MM-DD', or the one message to show.
 * A real calendar date, in the past, in the year OLDEST_AGE_YEARS before this one or later.
 */
export function parseDateOfBirth(values: FormValues, today = new Date()): { date: string } | { error: string } {
  const raw = {
    month: (values.dobMonth ?? '').trim(),
    day: (values.dobDay ?? '').trim(),
    year: (values.dobYear ?? '').trim(),
  };
  if (!raw.month && !raw.day && !raw.year) return { error: 'Enter your date of birth' };
  const missing = (['month', 'day', 'year'] as const).filter((k) => !raw[k]);
  if (missing.length) return { error: `Date of birth must include a ${missing.join(' and a ')}` };
  // "85" is a year someone meant, not a mistake of date: ask for the century rather than call it unreal.
  if (/^\d{1,3}$/.test(raw.year)) return { error: 'Enter the year of birth with 4 digits, like 1985' };
  if (!/^\d{1,2}$/.test(raw.month) || !/^\d{1,2}$/.test(raw.day) || !/^\d{4}$/.test(raw.year)) {
    return { error: 'Date of birth must be a real date, like 3 27 1985' };
  }
  const [y, m, d] = [Number(raw.year), Number(raw.month), Number(raw.day)];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return { error: 'Date of birth must be a real date, like 3 27 1985' };
  }
  const todayUtc = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  if (date.getTime() >= todayUtc) return { error: 'Date of birth must be in the past' };
  const earliestYear = today.getUTCFullYear() - OLDEST_AGE_YEARS;
  if (y < earliestYear) return { error: `Date of birth must be in ${earliestYear} or later` };
  return { date: `${raw.year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}` };
}

// One formatter for every call: `toLocaleDateString` with options builds a new one each time
// (about 150 µs against 8 µs; 3 % of the server's CPU on /account, docs/benchmarks.md).
const LONG_DATE = new Intl.DateTimeFormat('en-US', { month: 'long', day: 'numeric', year: 'numeric', timeZone: 'UTC' });

export function formatDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  return LONG_DATE.format(new Date(Date.UTC(y!, m! - 1, d!)));
}
