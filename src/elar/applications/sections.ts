import { z } from 'zod';
import type { FieldErrors } from '../../platform/views/form.tsx';

/**
 * The task list's sections and what a complete answer to each looks like. Answers are kept
 * as JSON per section; these schemas are the only gate into that JSON, so a page and a test
 * meet the same rules and messages. Personal details (name, date of birth, MEPID) come from
 * the portal's claims and are not asked here: only contact details are editable.
 *
 * A section saved as a draft ("Save as draft and come back later") is held to the same rule
 * for each answer it gives, and asked for none: half a form is kept, a date that is not a
 * date or text too long is not. Only "Save and continue" needs the whole section.
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

const characterQuestion = z.object({
  answer: yesNo,
  explanation: z.string().trim().max(2000, 'Your explanation must be 2000 characters or fewer').optional(),
});

const characterAnswer = characterQuestion
  .refine((a) => a.answer === 'no' || (a.explanation?.length ?? 0) >= 10, {
    message: 'You answered yes: explain what happened, when and where',
    path: ['explanation'],
  })
  .transform((a) => ({ answer: a.answer, explanation: a.answer === 'yes' ? a.explanation! : null }));

/** A question answered so far: an explanation typed before a "no" is not kept. */
const characterDraft = characterQuestion
  .partial()
  .transform((a) => ({ answer: a.answer, explanation: a.answer === 'no' ? null : (a.explanation ?? null) }));

/** A section's repeating rows: `max` at most. */
const rows = <Row extends z.ZodType>(row: Row, max: number, what: string) =>
  z.array(row).max(max, `Add ${max} ${what} at most`);

const personalDetails = z.object({
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
});

const degree = z.object({
  level: z.enum(['associate', 'bachelor', 'master', 'doctorate', 'other'], { error: 'Choose the kind of degree' }),
  subject: line('the subject of the degree'),
  institution: line('the college or university'),
  awarded: month('when the degree was awarded'),
});

const test = z.object({
  name: line('the name of the test'),
  date: pastDate('the date of the test'),
  passed: yesNo,
});

const position = z.object({
  employer: line('the school or district'),
  role: line('your role'),
  from: month('when you started'),
  to: month('when you finished').optional(),
});

const otherStateLicense = z.object({
  state: usState('the state that issued it'),
  field: line('the field and grade level'),
  licenseNumber: optionalLine('the license number', 40),
});

export const SECTION_SCHEMAS = {
  'personal-details': personalDetails,
  education: z.object({
    degrees: rows(degree, 10, 'degrees').min(
      1,
      'Add at least one degree: every license needs a bachelor’s degree or higher',
    ),
  }),
  tests: z.object({ tests: rows(test, 20, 'tests') }),
  employment: z.object({ positions: rows(position, 20, 'positions') }),
  'other-states': z.object({ licenses: rows(otherStateLicense, 20, 'licenses') }),
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

/**
 * What "Save as draft" keeps: every answer given, by the same rule as above; none required,
 * no row needs all its fields. The affidavit is signed or not: it has no draft.
 */
const DRAFT_SCHEMAS = {
  'personal-details': personalDetails.partial(),
  education: z.object({ degrees: rows(degree.partial(), 10, 'degrees') }),
  tests: z.object({ tests: rows(test.partial(), 20, 'tests') }),
  employment: z.object({ positions: rows(position.partial(), 20, 'positions') }),
  'other-states': z.object({ licenses: rows(otherStateLicense.partial(), 20, 'licenses') }),
  character: z
    .object({ convicted: characterDraft, disciplined: characterDraft, pendingInvestigation: characterDraft })
    .partial(),
  affidavit: SECTION_SCHEMAS.affidavit,
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
export type DraftResult<S extends SectionName> =
  { ok: true; answers: z.output<(typeof DRAFT_SCHEMAS)[S]> } | { ok: false; errors: FieldErrors };

/** Checks one section's answers. Errors are keyed by the field's path (`degrees.0.institution`), first message each. */
export function checkSection<S extends SectionName>(section: S, input: unknown): SectionResult<S> {
  return checked(SECTION_SCHEMAS[section], input) as SectionResult<S>;
}

/** Checks the answers of a section saved as a draft: what is given, nothing missing. */
export function checkDraft<S extends SectionName>(section: S, input: unknown): DraftResult<S> {
  return checked(DRAFT_SCHEMAS[section], input) as DraftResult<S>;
}

function checked(
  schema: z.ZodType,
  input: unknown,
): { ok: true; answers: unknown } | { ok: false; errors: FieldErrors } {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, answers: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = issue.path.map(String).join('.') || 'answers';
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}
