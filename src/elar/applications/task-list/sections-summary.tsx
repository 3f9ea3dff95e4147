import { SummaryList, type SummaryRow } from '../../../platform/views/summary-list.tsx';
import { CHARACTER_QUESTIONS, type SectionName } from '../sections.ts';
import type { Applicant } from '../service.ts';
import { CHARACTER_FIELDS, ROWS, isRowSection, type RowSection } from './sections-form.ts';
import { US_STATES } from '../../../platform/views/us-states.ts';
import { DEGREE_LEVELS } from './sections-fields.tsx';

/**
 * A section's answers as a summary list: on "Check your answers", and in place of the form
 * once the application is no longer a draft. Codes become words (a state's name, a kind of
 * degree); nothing internal is shown.
 */

/** Each section's page title, the words the task list and check-your-answers use too. */
export const SECTION_TITLES: Record<SectionName, string> = {
  'personal-details': 'Your personal details',
  education: 'Your education',
  tests: 'Tests you have taken',
  employment: 'Your employment',
  'other-states': 'Licenses from other states',
  character: 'Character questions',
  affidavit: 'Affidavit',
};

const wordFor = (list: Array<[string, string]>, code: unknown) =>
  list.find(([value]) => value === code)?.[1] ?? (typeof code === 'string' ? code : '');

/** The day as the agency writes it (June 5, 1985), from an ISO date. */
export function dayWords(iso: string | null | undefined): string {
  if (!iso || !/^\d{4}-\d{2}-\d{2}/.test(iso)) return 'Not on your portal profile';
  return new Date(`${iso.slice(0, 10)}T12:00:00Z`).toLocaleDateString('en-US', {
    timeZone: 'UTC',
    dateStyle: 'long',
  });
}

/** 2019-06 → June 2019. */
function monthWords(value: unknown): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}$/.test(value)) return '';
  return new Date(`${value}-15T12:00:00Z`).toLocaleDateString('en-US', {
    timeZone: 'UTC',
    month: 'long',
    year: 'numeric',
  });
}

/** 6175550123 (as kept) → 617 555 0123. */
const phoneWords = (digits: string) =>
  digits.replace(/^(1?)(\d{3})(\d{3})(\d{4})$/, (_, one, a, b, c) => `${one ? '1 ' : ''}${a} ${b} ${c}`);

const s = (value: unknown) => (typeof value === 'string' ? value : '');

/** The parts of a row that are there: a row saved as a draft may lack some. */
const given = (parts: string[], separator = ', ') => parts.filter((part) => part !== '').join(separator);

function rowText(section: RowSection, row: Record<string, unknown>): string {
  switch (section) {
    case 'education':
      return given([
        given([wordFor(DEGREE_LEVELS, row.level), row.subject ? `in ${s(row.subject)}` : ''], ' '),
        s(row.institution),
        monthWords(row.awarded),
      ]);
    case 'tests': {
      const result = row.passed === 'yes' ? 'passed' : row.passed === 'no' ? 'not passed' : '';
      return given([given([s(row.name), row.date ? `taken ${dayWords(s(row.date))}` : '']), result], ': ');
    }
    case 'employment':
      return given([
        given([s(row.role), s(row.employer)], ' at '),
        row.from ? `${monthWords(row.from)} to ${row.to ? monthWords(row.to) : 'now'}` : '',
      ]);
    case 'other-states':
      return given([
        s(row.field),
        wordFor(US_STATES, row.state),
        row.licenseNumber ? `license number ${s(row.licenseNumber)}` : '',
      ]);
  }
}

const NONE: Record<RowSection, string> = {
  education: 'No degrees given',
  tests: 'No tests given',
  employment: 'No positions given',
  'other-states': 'No licenses from other states',
};

/** The person as the portal names them: shown, never asked. */
export function identityRows(person: Applicant): SummaryRow[] {
  return [
    { label: 'Name', value: person.name ?? '' },
    { label: 'Date of birth', value: dayWords(person.birthdate) },
    { label: 'MEPID', value: person.mepid ?? 'Not issued yet', data: 'mepid' },
  ];
}

/**
 * `contactEmail` is the application's: the email given here, or else the one from the
 * person's profile, which is what the page shows (and says where it came from).
 */
export function answerRows(
  section: SectionName,
  answers: unknown,
  person: Applicant,
  contactEmail: string | null,
): SummaryRow[] {
  const saved = (answers ?? {}) as Record<string, unknown>;
  if (isRowSection(section)) {
    const list = Array.isArray(saved[ROWS[section].list])
      ? (saved[ROWS[section].list] as Record<string, unknown>[])
      : [];
    if (list.length === 0)
      return [{ label: SECTION_TITLES[section], value: answers ? NONE[section] : 'Not answered yet' }];
    return list.map((row, i) => ({ label: `${ROW_LABELS[section]} ${i + 1}`, value: rowText(section, row) }));
  }
  if (section === 'character') {
    return CHARACTER_FIELDS.map((question) => {
      const answer = (saved[question] ?? {}) as Record<string, unknown>;
      const value = !answers
        ? 'Not answered yet'
        : answer.answer === 'yes'
          ? answer.explanation
            ? `Yes: ${s(answer.explanation)}`
            : 'Yes, not explained yet'
          : answer.answer === 'no'
            ? 'No'
            : 'Not answered yet';
      return { label: CHARACTER_QUESTIONS[question], value };
    });
  }
  if (section === 'affidavit') {
    return [
      {
        label: 'Signed',
        value: saved.agree === true ? `Signed by ${s(saved.signature)}` : 'Not signed yet',
      },
    ];
  }
  const address = [saved.addressLine1, saved.addressLine2, saved.city, saved.state, saved.postalCode]
    .filter((part) => typeof part === 'string' && part !== '')
    .join(', ');
  return [
    ...identityRows(person),
    {
      label: 'Email address',
      value:
        s(saved.email) ||
        (contactEmail ? `${contactEmail} (from your profile)` : answers ? 'None given' : 'Not answered yet'),
    },
    { label: 'Phone number', value: phoneWords(s(saved.phone)) || 'Not answered yet' },
    { label: 'Mailing address', value: address || 'Not answered yet' },
  ];
}

const ROW_LABELS: Record<RowSection, string> = {
  education: 'Degree',
  tests: 'Test',
  employment: 'Position',
  'other-states': 'License',
};

export function SectionAnswers({
  section,
  answers,
  person,
  contactEmail,
}: {
  section: SectionName;
  answers: unknown;
  person: Applicant;
  contactEmail: string | null;
}) {
  return <SummaryList rows={answerRows(section, answers, person, contactEmail)} />;
}
