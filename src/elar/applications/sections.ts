import { z } from 'zod';
import type { FieldErrors } from '../../platform/views/form.tsx';

/**
 * The task list's sections and what a complete answer to each looks like. Answers are kept
 * as JSON per section; these schemas are the only gate into that JSON, so a page and a test
 * meet the same rules and messages. Personal details (name, date of birth, MEPID) come from
 * the portal's claims and are not asked here: only contact details are editable.
 */

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

const line = (label: string, max = 120) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${label[0]!.toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`)
    .refine((s) => !CONTROL.test(s) && !s.includes('\n'), `Enter ${label} on one line, with no special characters`);

const optionalLine = (label: string, max = 120) =>
  z
    .string()
    .trim()
    .max(max, `${label[0]!.toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`)
    .refine((s) => !CONTROL.test(s) && !s.includes('\n'), `Enter ${label} on one line, with no special characters`)
    .optional()
    .transform((s) => (s ? s : null));

const paragraph = (label: string, max = 2000) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${label[0]!.toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`);

/** A past or present month, as YYYY-MM. */
const month = (label: string) =>
  z
    .string({ error: `Enter ${label}` })
    .regex(/^(19|20)\d\d-(0[1-9]|1[0-2])$/, `Enter ${label} as a month and year, like 2019-06`);

const pastDate = (label: string) =>
  z
    .string({ error: `Enter ${label}` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `Enter ${label} as a date, like 2021-05-14`)
    .refine(
      (s) => {
        const d = new Date(`${s}T00:00:00Z`);
        return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s) && d.getTime() <= Date.now();
      },
      `${label[0]!.toUpperCase()}${label.slice(1)} must be a real date, today or in the past`,
    );

const US_STATE =
  /^(A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY]|AS|GU|MP|PR|VI)$/;
const usState = (label: string) =>
  z
    .string({ error: `Choose ${label}` })
    .trim()
    .toUpperCase()
    .regex(US_STATE, `Choose ${label} from the list`);

const yesNo = z.enum(['yes', 'no'], { error: 'Answer yes or no' });

export const CHARACTER_QUESTIONS = {
  convicted: 'Have you ever been convicted of a crime, other than a minor traffic violation?',
  disciplined:
    'Has a license or certificate of yours ever been revoked, suspended, surrendered or limited, in any state?',
  pendingInvestigation: 'Is there any pending charge, complaint or investigation against you, in any state?',
} as const;

const characterAnswer = z
  .object({ answer: yesNo, explanation: z.string().trim().max(2000).optional() })
  .refine((a) => a.answer === 'no' || (a.explanation?.length ?? 0) >= 10, {
    message: 'You answered yes: explain what happened, when and where',
    path: ['explanation'],
  })
  .transform((a) => ({ answer: a.answer, explanation: a.answer === 'yes' ? a.explanation! : null }));

export const SECTION_SCHEMAS = {
  'personal-details': z.object({
    email: z
      .string()
      .trim()
      .max(254)
      .refine((s) => s === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s), 'Enter an email address like name@example.com')
      .optional()
      .transform((s) => (s ? s : null)),
    phone: z
      .string({ error: 'Enter a phone number' })
      .transform((s) => s.replace(/[\s().+-]/g, ''))
      .pipe(z.string().regex(/^1?\d{10}$/, 'Enter a phone number with its area code, like 617 555 0123')),
    addressLine1: line('the first line of your address'),
    addressLine2: optionalLine('the second line of your address'),
    city: line('the town or city'),
    state: usState('the state'),
    postalCode: z
      .string({ error: 'Enter a ZIP code' })
      .trim()
      .regex(/^\d{5}(-\d{4})?$/, 'Enter a ZIP code of 5 digits, or 5 and 4'),
  }),
  education: z.object({
    degrees: z
      .array(
        z.object({
          level: z.enum(['associate', 'bachelor', 'master', 'doctorate', 'other'], {
            error: 'Choose the kind of degree',
          }),
          subject: line('the subject of the degree'),
          institution: line('the college or university'),
          awarded: month('when the degree was awarded'),
        }),
      )
      .min(1, 'Add at least one degree: every license needs a bachelor’s degree or higher')
      .max(10, 'Add 10 degrees at most'),
  }),
  tests: z.object({
    tests: z
      .array(
        z.object({
          name: line('the name of the test'),
          date: pastDate('the date of the test'),
          passed: yesNo,
        }),
      )
      .max(20, 'Add 20 tests at most'),
  }),
  employment: z.object({
    positions: z
      .array(
        z.object({
          employer: line('the school or district'),
          role: line('your role'),
          from: month('when you started'),
          to: month('when you finished').optional(),
        }),
      )
      .max(20, 'Add 20 positions at most'),
  }),
  'other-states': z.object({
    licenses: z
      .array(
        z.object({
          state: usState('the state that issued it'),
          field: line('the field and grade level'),
          licenseNumber: optionalLine('the license number', 40),
        }),
      )
      .max(20, 'Add 20 licenses at most'),
  }),
  character: z.object({
    convicted: characterAnswer,
    disciplined: characterAnswer,
    pendingInvestigation: characterAnswer,
  }),
  affidavit: z.object({
    agree: z.literal(true, { error: 'Confirm that what you have told us is true and complete' }),
    signature: paragraph('your full name as your signature', 200),
  }),
};

export type SectionName = keyof typeof SECTION_SCHEMAS;
export type SectionAnswers<S extends SectionName> = z.output<(typeof SECTION_SCHEMAS)[S]>;

/**
 * The task list, in order. `licenses` is its own table (the one-open-application-per-license
 * index needs it); every other section is JSON. The affidavit comes last: saving any other
 * section after it unsigns it, since it swore to the answers as they were.
 */
export const TASK_LIST = [
  'personal-details',
  'licenses',
  'education',
  'tests',
  'employment',
  'other-states',
  'character',
  'affidavit',
] as const;
export type TaskListItem = (typeof TASK_LIST)[number];

export function isSectionName(value: string): value is SectionName {
  return Object.hasOwn(SECTION_SCHEMAS, value);
}

export type SectionResult<S extends SectionName> =
  { ok: true; answers: SectionAnswers<S> } | { ok: false; errors: FieldErrors };

/** Checks one section's answers. Errors are keyed by the field's path (`degrees.0.institution`), first message each. */
export function checkSection<S extends SectionName>(section: S, input: unknown): SectionResult<S> {
  const result = SECTION_SCHEMAS[section].safeParse(input);
  if (result.success) return { ok: true, answers: result.data as SectionAnswers<S> };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = issue.path.map(String).join('.') || 'answers';
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}
