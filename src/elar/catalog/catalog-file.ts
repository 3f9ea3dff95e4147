import { CsvError, parse, type Info } from 'csv-parse/sync';

/**
 * The two CSV files an agency analyst keeps in a spreadsheet (docs/catalog.md): the license
 * catalog (categories, types, licenses, endorsements) and the requirement templates. This
 * file only reads and checks them; nothing here touches the database.
 */

export interface CategoryRow {
  code: string;
  name: string;
}

export interface LicenseTypeRow {
  code: string;
  name: string;
  /** The type a holder advances to (Initial → Professional), if any. */
  advancesTo: string | null;
  /** How long it lasts, in plain words ("5 years of employment"). */
  lasts: string | null;
}

export type OfferingKind = 'license' | 'endorsement';

/** A license (category × field × grade level) or an endorsement, and the types it is issued as. */
export interface OfferingRow {
  code: string;
  kind: OfferingKind;
  /** The field ("Biology") or the endorsement's name. */
  name: string;
  category: string;
  gradeLevel: string | null;
  types: string[];
}

/** One item of a route ("pathway") to a license type. */
export interface RequirementRow {
  /** A type code, or ALL for the items every application needs. */
  type: string;
  route: string;
  routeName: string;
  /** Category or offering codes the item is for; empty = every license of the type. */
  appliesTo: string[];
  item: string;
  itemName: string;
  /** Evaluation starts only when every gate item is on file. */
  gate: boolean;
  detail: string | null;
}

export interface LicenseCatalogFile {
  kind: 'licenses';
  categories: CategoryRow[];
  types: LicenseTypeRow[];
  offerings: OfferingRow[];
}

export interface RequirementsFile {
  kind: 'requirements';
  requirements: RequirementRow[];
}

export type CatalogFile = LicenseCatalogFile | RequirementsFile;

/** A line of the file that cannot be taken, and why, in the analyst's words. */
export interface Rejection {
  line: number;
  reason: string;
}

/** The whole file cannot be read (not UTF-8, not CSV, wrong header, no rows). */
export class CatalogFileError extends Error {}

/** Codes the requirement templates may name: what the license catalog holds. */
export interface KnownCodes {
  types: ReadonlySet<string>;
  /** Category and offering codes. */
  appliesTo: ReadonlySet<string>;
}

/** The word in the type and route columns for items that every application needs. */
export const EVERY_APPLICATION = 'ALL';

export const LICENSE_CATALOG_COLUMNS = [
  'kind',
  'code',
  'name',
  'category',
  'grade_level',
  'types',
  'advances_to',
  'lasts',
] as const;
export const REQUIREMENT_COLUMNS = [
  'type',
  'route',
  'route_name',
  'applies_to',
  'item',
  'item_name',
  'gate',
  'detail',
] as const;

/** Far above the shipped files (a few kilobytes): a catalog of a few thousand rows still fits. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;
const SAVE_AS_CSV = 'Save it as CSV UTF-8 and try again.';
const CODE = /^[A-Z0-9][A-Z0-9-]{0,39}$/;
const MAX_NAME = 120;
const MAX_DETAIL = 500;

export interface ReadResult<F> {
  /** Which file it is, told by its header. */
  part: CatalogFile['kind'];
  /** Null when any line was rejected: a file with a bad row is not taken at all. */
  file: F | null;
  /** Data rows read (header and blank lines excluded). */
  rows: number;
  rejected: Rejection[];
}

/**
 * Reads either file, told apart by its header. `known` is what the requirement templates may
 * refer to (the license catalog in force); a license catalog file needs nothing else.
 */
export function readCatalogFile(bytes: Uint8Array, known: () => KnownCodes): ReadResult<CatalogFile> {
  const records = readCsv(bytes);
  const header = records.shift();
  if (!header) throw new CatalogFileError(`The file is empty. ${headersInWords()}`);
  const names = header.fields.map((field) => field.trim().toLowerCase());
  if (sameColumns(names, LICENSE_CATALOG_COLUMNS)) return readLicenseCatalog(records, columnIndex(names));
  if (sameColumns(names, REQUIREMENT_COLUMNS)) return readRequirements(records, columnIndex(names), known());
  if (names.length === 1 && /[;\t]/.test(names[0]!)) {
    throw new CatalogFileError(`Columns must be separated by commas. ${SAVE_AS_CSV}`);
  }
  throw new CatalogFileError(`The first line is not a catalog header. ${headersInWords()}`);
}

function headersInWords(): string {
  return (
    `The first line must be the header of a license catalog (${LICENSE_CATALOG_COLUMNS.join(',')}) ` +
    `or of requirement templates (${REQUIREMENT_COLUMNS.join(',')}), columns in any order.`
  );
}

// ---------------------------------------------------------------------------------------
// Bytes to records

interface CsvRecord {
  /** Physical line where the record starts. */
  line: number;
  fields: string[];
}

function readCsv(bytes: Uint8Array): CsvRecord[] {
  if (bytes.length > MAX_FILE_BYTES) {
    throw new CatalogFileError(`The file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB; a catalog is far smaller.`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CatalogFileError(`The file is not UTF-8 text. ${SAVE_AS_CSV}`);
  }
  let rows: Array<{ record: string[]; info: Info }>;
  try {
    rows = parse(text, {
      bom: true,
      // A spreadsheet's CSV ends lines with CRLF or LF, never a lone CR.
      record_delimiter: ['\r\n', '\n'],
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as Array<{ record: string[]; info: Info }>;
  } catch (error) {
    if (error instanceof CsvError) {
      const where = typeof error.lines === 'number' ? ` (near line ${error.lines})` : '';
      throw new CatalogFileError(`The file is not valid CSV${where}: ${error.message}. ${SAVE_AS_CSV}`);
    }
    throw error;
  }
  // `info.lines` is the line where a record ends; a record spans as many lines as its line feeds.
  return rows
    .map(({ record, info }) => ({
      line: info.lines - record.reduce((feeds, field) => feeds + (field.match(/\n/g)?.length ?? 0), 0),
      fields: record,
    }))
    .filter((r) => !r.fields.every((field) => field.trim() === ''));
}

function sameColumns(names: string[], columns: readonly string[]): boolean {
  return names.length === columns.length && columns.every((column) => names.includes(column));
}

type Columns = Record<string, number>;

function columnIndex(names: string[]): Columns {
  return Object.fromEntries(names.map((name, i) => [name, i]));
}

/** The trimmed cells of a record by column name, and a list for its problems. */
class Row {
  readonly problems: string[] = [];
  constructor(
    readonly record: CsvRecord,
    private readonly columns: Columns,
  ) {
    const expected = Object.keys(columns).length;
    if (record.fields.length !== expected)
      this.problems.push(`has ${record.fields.length} fields instead of ${expected}`);
  }
  get fieldCountIsRight(): boolean {
    return this.problems.length === 0;
  }
  value(column: string): string {
    return (this.record.fields[this.columns[column]!] ?? '').trim();
  }
  /** A required code in the catalog's form; '' when absent or malformed (and a problem noted). */
  code(column: string): string {
    const text = this.value(column);
    if (!text) this.problems.push(`${column} is missing`);
    else if (!CODE.test(text))
      this.problems.push(
        `${column} ${shown(text)} is not a code (capital letters, digits and hyphens, at most 40, e.g. TCH-BIO-8-12)`,
      );
    else return text;
    return '';
  }
  /** Space-separated codes (a spreadsheet cell lists several this way). */
  codes(column: string): string[] {
    const list = this.value(column).split(/\s+/).filter(Boolean);
    const bad = list.filter((code) => !CODE.test(code));
    if (bad.length) this.problems.push(`${column} has ${bad.map(shown).join(', ')}, not codes`);
    return list.filter((code) => CODE.test(code));
  }
  text(column: string, { required, max }: { required: boolean; max: number }): string {
    const text = this.value(column);
    if (!text && required) this.problems.push(`${column} is missing`);
    if ([...text].length > max) this.problems.push(`${column} is longer than ${max} characters`);
    if (/[\u0000-\u001f\u007f]/.test(text)) this.problems.push(`${column} has a line break or control character`);
    return text;
  }
  blank(column: string, why: string): void {
    if (this.value(column)) this.problems.push(`${column} must be empty ${why}`);
  }
}

function shown(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function rejectionsOf(rows: Row[]): Rejection[] {
  return rows
    .filter((row) => row.problems.length > 0)
    .map((row) => ({ line: row.record.line, reason: row.problems.join('; ') }));
}

/** Notes a code seen twice on the later line, naming the first. */
class FirstSeen {
  private readonly lines = new Map<string, number>();
  check(row: Row, key: string, what: string): void {
    if (!key) return;
    const first = this.lines.get(key);
    if (first !== undefined) row.problems.push(`${what} is already on line ${first}`);
    else this.lines.set(key, row.record.line);
  }
}

// ---------------------------------------------------------------------------------------
// The license catalog

const KINDS = ['category', 'type', 'license', 'endorsement'] as const;
type Kind = (typeof KINDS)[number];

function readLicenseCatalog(records: CsvRecord[], columns: Columns): ReadResult<LicenseCatalogFile> {
  const file: LicenseCatalogFile = { kind: 'licenses', categories: [], types: [], offerings: [] };
  const rows = records.map((record) => new Row(record, columns));
  const codes = new FirstSeen();
  const typeNames = new FirstSeen();
  // Checked once every row is read: a license may come before its category in the file.
  const references: Array<{ row: Row; check: () => void }> = [];
  const categoryCodes = new Set<string>();
  const typeCodes = new Set<string>();

  for (const row of rows) {
    if (!row.fieldCountIsRight) continue;
    const kindText = row.value('kind').toLowerCase();
    if (!(KINDS as readonly string[]).includes(kindText)) {
      row.problems.push(
        kindText ? `kind ${shown(row.value('kind'))} is not category, type, license or endorsement` : 'kind is missing',
      );
      continue;
    }
    const kind = kindText as Kind;
    const code = row.code('code');
    // Types have codes of their own; categories, licenses and endorsements share theirs
    // because a requirement's applies_to names any of them.
    if (kind === 'type') typeNames.check(row, code, `type ${code}`);
    else codes.check(row, code, `code ${code}`);
    const name = row.text('name', { required: true, max: MAX_NAME });
    if (kind === 'category') {
      for (const column of ['category', 'grade_level', 'types', 'advances_to', 'lasts'])
        row.blank(column, 'for a category');
      categoryCodes.add(code);
      file.categories.push({ code, name });
    } else if (kind === 'type') {
      for (const column of ['category', 'grade_level', 'types']) row.blank(column, 'for a type');
      const advancesTo = row.value('advances_to') ? row.code('advances_to') : null;
      const lasts = row.text('lasts', { required: false, max: MAX_NAME }) || null;
      typeCodes.add(code);
      file.types.push({ code, name, advancesTo, lasts });
      if (advancesTo) {
        references.push({
          row,
          check: () => {
            if (advancesTo === code) row.problems.push('advances_to names the type itself');
            else if (!typeCodes.has(advancesTo))
              row.problems.push(`advances_to ${advancesTo} is not a type in this file`);
          },
        });
      }
    } else {
      for (const column of ['advances_to', 'lasts'])
        row.blank(column, `for ${kind === 'license' ? 'a' : 'an'} ${kind}`);
      const category = row.code('category');
      const gradeLevel = row.text('grade_level', { required: kind === 'license', max: 20 }) || null;
      const types = row.codes('types');
      if (types.length === 0 && !row.value('types')) row.problems.push('types is missing');
      file.offerings.push({ code, kind, name, category, gradeLevel, types: [...new Set(types)] });
      references.push({
        row,
        check: () => {
          if (category && !categoryCodes.has(category))
            row.problems.push(`category ${category} is not a category in this file`);
          const unknown = types.filter((type) => !typeCodes.has(type));
          if (unknown.length) row.problems.push(`types ${unknown.join(', ')} ${isOrAre(unknown)} not in this file`);
        },
      });
    }
  }
  for (const { check } of references) check();
  checkAdvanceChains(file.types, rows);
  const counted = rows.length;
  if (counted === 0)
    throw new CatalogFileError('The file has a header but no rows; it would retire the whole catalog.');
  const rejected = rejectionsOf(rows);
  if (rejected.length === 0) {
    if (file.categories.length === 0 || file.types.length === 0 || file.offerings.length === 0) {
      throw new CatalogFileError('A license catalog needs at least one category, one type and one license.');
    }
  }
  return { part: 'licenses', file: rejected.length ? null : file, rows: counted, rejected };
}

/** "Advance" must always end: Provisional → Initial → Provisional would never. */
function checkAdvanceChains(types: LicenseTypeRow[], rows: Row[]): void {
  // A type naming itself is reported as such where it is read.
  const next = new Map(types.map((t) => [t.code, t.advancesTo === t.code ? null : t.advancesTo]));
  for (const type of types) {
    const seen = new Set([type.code]);
    for (let at = next.get(type.code); at; at = next.get(at)) {
      if (seen.has(at)) {
        const row = rows.find((r) => r.value('kind').toLowerCase() === 'type' && r.value('code') === type.code);
        row?.problems.push(
          `advancing from ${type.code} comes back to ${at}: the advances_to column goes round in a circle`,
        );
        break;
      }
      seen.add(at);
    }
  }
}

function isOrAre(list: unknown[]): string {
  return list.length === 1 ? 'is' : 'are';
}

// ---------------------------------------------------------------------------------------
// The requirement templates

function readRequirements(records: CsvRecord[], columns: Columns, known: KnownCodes): ReadResult<RequirementsFile> {
  const requirements: RequirementRow[] = [];
  const rows = records.map((record) => new Row(record, columns));
  const keys = new FirstSeen();
  const routeNames = new Map<string, { name: string; line: number }>();

  for (const row of rows) {
    if (!row.fieldCountIsRight) continue;
    const type = row.code('type');
    const route = row.code('route');
    const every = type === EVERY_APPLICATION || route === EVERY_APPLICATION;
    if (every && (type !== EVERY_APPLICATION || route !== EVERY_APPLICATION)) {
      row.problems.push(`type and route are both ${EVERY_APPLICATION} (items every application needs), or neither is`);
    } else if (type && !every && !known.types.has(type)) {
      row.problems.push(`type ${type} is not a type in the license catalog`);
    }
    let routeName = '';
    if (every) {
      row.blank('route_name', `for the items every application needs`);
      row.blank('applies_to', `for the items every application needs`);
    } else {
      routeName = row.text('route_name', { required: true, max: MAX_NAME });
      const first = route && routeName ? routeNames.get(route) : undefined;
      if (first && first.name !== routeName) {
        row.problems.push(`route ${route} is named ${shown(first.name)} on line ${first.line}; a route has one name`);
      } else if (route && routeName && !first) routeNames.set(route, { name: routeName, line: row.record.line });
    }
    const appliesTo = row.codes('applies_to');
    const unknown = appliesTo.filter((code) => !known.appliesTo.has(code));
    if (unknown.length) {
      row.problems.push(
        `applies_to ${unknown.join(', ')} ${isOrAre(unknown)} not a category or license in the license catalog`,
      );
    }
    const item = row.code('item');
    keys.check(row, type && route && item ? `${type}/${route}/${item}` : '', `item ${item} of ${type} ${route}`);
    const itemName = row.text('item_name', { required: true, max: MAX_NAME });
    const gateText = row.value('gate').toLowerCase();
    if (gateText !== 'yes' && gateText !== 'no') {
      row.problems.push(gateText ? `gate ${shown(row.value('gate'))} is not yes or no` : 'gate is missing (yes or no)');
    }
    const detail = row.text('detail', { required: false, max: MAX_DETAIL }) || null;
    requirements.push({
      type,
      route,
      routeName,
      appliesTo: [...new Set(appliesTo)],
      item,
      itemName,
      gate: gateText === 'yes',
      detail,
    });
  }
  if (rows.length === 0) {
    throw new CatalogFileError('The file has a header but no rows; it would retire every requirement.');
  }
  const rejected = rejectionsOf(rows);
  return {
    part: 'requirements',
    file: rejected.length ? null : { kind: 'requirements', requirements },
    rows: rows.length,
    rejected,
  };
}
