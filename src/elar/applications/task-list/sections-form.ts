import type { FormValues } from '../../../platform/views/form.tsx';
import type { SectionName } from '../sections.ts';

/**
 * Between an HTML form and a section's answers. Fields are named by the path the section's
 * schema reports errors on (`degrees.0.institution`, `convicted.explanation`), so one name is
 * the field's `name`, its `id` and its error summary link. Repeating rows (degrees, tests,
 * positions, licenses in other states) are added and removed by submit buttons, without
 * JavaScript; a row left wholly blank is no row.
 */

/** The repeating rows of a section, and the fields of one row. */
export const ROWS = {
  education: { list: 'degrees', fields: ['level', 'subject', 'institution', 'awarded'], max: 10 },
  tests: { list: 'tests', fields: ['name', 'date', 'passed'], max: 20 },
  employment: { list: 'positions', fields: ['employer', 'role', 'from', 'to'], max: 20 },
  'other-states': { list: 'licenses', fields: ['state', 'field', 'licenseNumber'], max: 20 },
} as const satisfies Partial<Record<SectionName, { list: string; fields: readonly string[]; max: number }>>;
export type RowSection = keyof typeof ROWS;

export const PERSONAL_FIELDS = [
  'email',
  'phone',
  'addressLine1',
  'addressLine2',
  'city',
  'state',
  'postalCode',
] as const;
export const CHARACTER_FIELDS = ['convicted', 'disciplined', 'pendingInvestigation'] as const;

export function isRowSection(section: SectionName): section is RowSection {
  return Object.hasOwn(ROWS, section);
}

/** What the person pressed: save (finished or not), or add or remove a row (which saves nothing). */
export type FormAction = { kind: 'save'; complete: boolean } | { kind: 'add' } | { kind: 'remove'; row: number };

export function actionOf(body: Record<string, unknown>): FormAction {
  const action = typeof body.action === 'string' ? body.action : '';
  if (action === 'add') return { kind: 'add' };
  const remove = /^remove-(\d{1,2})$/.exec(action);
  if (remove) return { kind: 'remove', row: Number(remove[1]) };
  return { kind: 'save', complete: action !== 'draft' };
}

/** A field as text; sent twice, or as anything but text, it is blank and the schema says what is missing. */
function text(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value : '';
}

/**
 * The rows as sent, numbered again from 0 (the page shows them so). Saving leaves blank rows
 * out; adding or removing keeps them, so "Remove" takes the row the person sees.
 */
export function rowsFrom(
  section: RowSection,
  body: Record<string, unknown>,
  { keepBlank = false } = {},
): Record<string, string>[] {
  const { list, fields, max } = ROWS[section];
  const rows: Record<string, string>[] = [];
  // One more than the most a section takes, so a person who sends too many is told so.
  for (let i = 0; i <= max; i++) {
    const sent = fields.some((field) => Object.hasOwn(body, `${list}.${i}.${field}`));
    const row = Object.fromEntries(fields.map((field) => [field, text(body, `${list}.${i}.${field}`)]));
    if (Object.values(row).some((value) => value.trim() !== '') || (keepBlank && sent)) rows.push(row);
  }
  return rows;
}

/** A row's answers for its schema: a blank field is a missing one (its own message), not an empty one. */
const present = (row: Record<string, string>) =>
  Object.fromEntries(Object.entries(row).filter(([, value]) => value.trim() !== ''));

/** The rows as form values, numbered from 0. */
export function rowValues(section: RowSection, rows: Record<string, string>[]): FormValues {
  const { list } = ROWS[section];
  const values: FormValues = {};
  rows.forEach((row, i) => {
    for (const [field, value] of Object.entries(row)) values[`${list}.${i}.${field}`] = value;
  });
  return values;
}

/** A form read for one section: what goes to its schema, and what the page shows again. */
export interface ReadForm {
  input: unknown;
  values: FormValues;
  /** How many rows the page shows (row sections only). */
  rows: number;
}

export function readSectionForm(
  section: SectionName,
  body: Record<string, unknown>,
  { keepBlank = false } = {},
): ReadForm {
  if (isRowSection(section)) {
    const rows = rowsFrom(section, body, { keepBlank });
    return { input: { [ROWS[section].list]: rows.map(present) }, values: rowValues(section, rows), rows: rows.length };
  }
  if (section === 'personal-details') {
    const values = Object.fromEntries(PERSONAL_FIELDS.map((field) => [field, text(body, field)]));
    return { input: present(values), values, rows: 0 };
  }
  if (section === 'character') {
    const values: FormValues = {};
    const input: Record<string, unknown> = {};
    for (const question of CHARACTER_FIELDS) {
      const answer = text(body, `${question}.answer`);
      const explanation = text(body, `${question}.explanation`);
      values[`${question}.answer`] = answer;
      values[`${question}.explanation`] = explanation;
      input[question] = present({ answer, explanation });
    }
    return { input, values, rows: 0 };
  }
  // The affidavit: a ticked box and a typed name.
  const agree = text(body, 'agree') === 'yes';
  const signature = text(body, 'signature');
  return {
    input: { ...(agree ? { agree: true } : {}), signature },
    values: { agree: agree ? 'yes' : '', signature },
    rows: 0,
  };
}

/** Saved answers as the form's values, to show a section again. */
export function savedValues(section: SectionName, answers: unknown): ReadForm {
  const saved = (answers ?? {}) as Record<string, unknown>;
  if (isRowSection(section)) {
    const list = Array.isArray(saved[ROWS[section].list])
      ? (saved[ROWS[section].list] as Record<string, unknown>[])
      : [];
    const rows = list.map((row) =>
      Object.fromEntries(ROWS[section].fields.map((field) => [field, stringOf(row[field])])),
    );
    return { input: saved, values: rowValues(section, rows), rows: rows.length };
  }
  if (section === 'character') {
    const values: FormValues = {};
    for (const question of CHARACTER_FIELDS) {
      const answer = (saved[question] ?? {}) as Record<string, unknown>;
      values[`${question}.answer`] = stringOf(answer.answer);
      values[`${question}.explanation`] = stringOf(answer.explanation);
    }
    return { input: saved, values, rows: 0 };
  }
  if (section === 'affidavit') {
    return {
      input: saved,
      values: { agree: saved.agree === true ? 'yes' : '', signature: stringOf(saved.signature) },
      rows: 0,
    };
  }
  return {
    input: saved,
    values: Object.fromEntries(PERSONAL_FIELDS.map((field) => [field, stringOf(saved[field])])),
    rows: 0,
  };
}

const stringOf = (value: unknown) => (typeof value === 'string' ? value : '');

/** The form again after "Add another" or "Remove": one more blank row, or one fewer, at least one shown. */
export function changeRows(section: RowSection, read: ReadForm, action: FormAction): ReadForm {
  const { list, fields, max } = ROWS[section];
  const rows: Record<string, string>[] = [];
  for (let i = 0; i < read.rows; i++)
    rows.push(Object.fromEntries(fields.map((field) => [field, read.values[`${list}.${i}.${field}`] ?? ''])));
  if (action.kind === 'remove') rows.splice(action.row, 1);
  if (action.kind === 'add' && rows.length < max) rows.push(Object.fromEntries(fields.map((field) => [field, ''])));
  return { input: read.input, values: rowValues(section, rows), rows: rows.length };
}
