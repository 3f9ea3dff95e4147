import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse, type Options } from 'csv-parse';
import { sql, type Transaction } from 'kysely';
import type { DB, Db } from '../database.ts';
import {
  codeProblem,
  districtCodeOf,
  ORGANIZATION_TEXT_LIMITS,
  ORGANIZATION_TYPES,
  type OrganizationType,
} from './organizations.ts';

/**
 * `org import FILE.csv`: upserts organizations by code from a CSV file with the header
 * code,name,type,town,phone. The file is streamed: rows go in batches to a staging table,
 * then two set-based upserts write districts (and others) first and schools after, so a
 * school may come before its district in the file. All in one transaction.
 */

export interface ImportReport {
  /** Data rows read (header and blank lines excluded). */
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /**
   * The first `maxRejectedToReport` rejected rows by line (1-based physical line where the
   * row starts). All rejected rows number `rows - inserted - updated - unchanged`.
   */
  rejected: Array<{ line: number; code: string | null; reason: string }>;
}

/** The whole file cannot be imported (bad header, not UTF-8, not CSV); nothing was written. */
export class ImportFileError extends Error {}

export interface ImportOptions {
  onProgress?: (bytesRead: number) => void;
  /** Default 1000. */
  maxRejectedToReport?: number;
}

type Rejection = ImportReport['rejected'][number];

const COLUMNS = ['code', 'name', 'type', 'town', 'phone'] as const;
type Column = (typeof COLUMNS)[number];
const HEADER = COLUMNS.join(',');
const TYPES: readonly string[] = ORGANIZATION_TYPES;
const MAX_LENGTH = ORGANIZATION_TEXT_LIMITS;
const BATCH_SIZE = 1000;
// Far above any valid row (at most about 350 characters): only an unclosed quote or
// a file without line feeds gets here, and it stops one row from taking all the memory.
// csv-parse counts the field being read in bytes, so accented text stops a little sooner.
const MAX_ROW_CHARS = 64 * 1024;
const SAVE_AS_CSV = 'Save it as CSV UTF-8 and try again.';

/**
 * Reads the whole input in one transaction: a file-wide problem (ImportFileError) writes nothing;
 * rejected rows are reported and the other rows imported. String chunks must not split a
 * surrogate pair (Node's string streams never do). The caller writes the audit event.
 */
export async function importOrganizations(
  db: Db,
  input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
  options: ImportOptions = {},
): Promise<ImportReport> {
  return db.transaction().execute(async (tx) => {
    const staging = await createStaging(tx);
    const rejections = new RejectionList(options.maxRejectedToReport ?? 1000);
    let columns: ColumnIndex | undefined;
    let rows = 0;
    let batch: RowCheck[] = [];

    const take = async (record: CsvRecord) => {
      if (!columns) {
        columns = readHeader(record);
        return;
      }
      if (record.fields.every((field) => field.trim() === '')) return;
      rows++;
      batch.push(checkRow(record, columns));
      if (batch.length === BATCH_SIZE) {
        await stage(staging, batch, rejections);
        batch = [];
      }
    };

    await readCsv(checkUtf8(input, options.onProgress), take);
    if (!columns) throw new ImportFileError(`The file is empty. Its first line must be the header ${HEADER}.`);
    await stage(staging, batch, rejections);
    // A temporary table is never analyzed automatically; without statistics the planner
    // chose a nested loop that took minutes for 400,000 rows.
    await sql`ANALYZE organization_import`.execute(staging);

    // Districts and others first, so the schools' check sees each district's type as in the file.
    const first = await upsertStaged(staging, 'districts and others');
    await rejectSchoolsWithoutDistrict(staging, rejections);
    const second = await upsertStaged(staging, 'schools');
    const { accepted } = await staging
      .selectFrom('organization_import')
      .select(sql<number>`count(*)::int`.as('accepted'))
      .where('accepted', '=', true)
      .executeTakeFirstOrThrow();
    const inserted = first.inserted + second.inserted;
    const updated = first.updated + second.updated;
    return { rows, inserted, updated, unchanged: accepted - inserted - updated, rejected: rejections.reported() };
  });
}

// ---------------------------------------------------------------------------------------
// Bytes to records

/**
 * The file's bytes, passed on chunk by chunk once each is known to be UTF-8. Checking line by line
 * costs little (a line feed byte is never part of a multibyte character) and lets a failure name
 * its line, which csv-parse cannot do: it would put U+FFFD in place of a bad byte and go on.
 */
async function* checkUtf8(
  input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
  onProgress: ((bytesRead: number) => void) | undefined,
): AsyncGenerator<Buffer> {
  // Streaming: a character split across two chunks is decoded whole.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let bytesRead = 0;
  const check = (bytes: Uint8Array, stream: boolean): void => {
    try {
      decoder.decode(bytes, { stream });
    } catch {
      // The decoder says only that the bytes are not UTF-8: the operator is told where.
      throw new ImportFileError(`The file is not UTF-8 text (line ${line}). ${SAVE_AS_CSV}`);
    }
  };
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    while (start < bytes.length) {
      const lineFeed = bytes.indexOf(LF, start);
      const end = lineFeed === -1 ? bytes.length : lineFeed + 1;
      check(bytes.subarray(start, end), true);
      if (lineFeed !== -1) line++;
      start = end;
    }
    bytesRead += bytes.length;
    onProgress?.(bytesRead);
    yield bytes;
  }
  // Throws when the file ends in the middle of a character.
  check(new Uint8Array(0), false);
}

const LF = 0x0a;

interface CsvRecord {
  /** Physical line where the record starts. */
  line: number;
  fields: string[];
  /** Quoting that RFC 4180 does not allow; the fields are still read as Excel would. */
  misquoted: boolean;
}

/**
 * Parses RFC 4180 CSV (lines ending in CRLF or LF) with csv-parse and awaits `take` for each
 * record, so rows are staged while the file is read and the stream's backpressure holds the rest.
 */
async function readCsv(bytes: AsyncIterable<Buffer>, take: (record: CsvRecord) => Promise<void>): Promise<void> {
  // Physical line where the next record starts. Counted here, not taken from csv-parse's
  // `info.lines`: that is the line where a record ends, and it counts a CR as a line break (a
  // CRLF inside a quoted field as two).
  let line = 1;
  const options: Options<CsvRecord, { record: string[]; raw: string }> = {
    // Dropped even when split across chunks.
    bom: true,
    // Not discovered from the first line: a CR alone is text in a field (and rejected there as
    // a control character), as a spreadsheet's CSV never ends lines with it.
    record_delimiter: ['\r\n', '\n'],
    // A misquoted field is read as Excel would and its row rejected below, instead of stopping
    // the file (or, with skip_records_with_error, reading on in quotes past the row's end).
    relax_quotes: true,
    // checkRow names the number of fields.
    relax_column_count: true,
    max_record_size: MAX_ROW_CHARS,
    raw: true,
    // Called as each record is parsed, ahead of `take`, so `line` is the failing row's when the
    // parser stops on an error.
    on_record: ({ record, raw }) => {
      const read = { line, fields: record, misquoted: !isWellQuoted(record, raw) };
      line += lineFeedsIn(raw);
      return read;
    },
  };
  // parse() is typed only for records that are plain arrays of fields, without raw or on_record.
  const parser = parse(options as unknown as Options);
  try {
    await pipeline(bytes, parser, async (records: AsyncIterable<CsvRecord>) => {
      for await (const record of records) await take(record);
    });
  } catch (error) {
    throw error instanceof CsvError ? fileError(error, line) : error;
  }
}

/**
 * Whether writing the fields back the RFC 4180 way gives the text they were read from: a field is
 * either wholly in quotes, each inner quote doubled, or has no quote at all.
 */
function isWellQuoted(fields: string[], raw: string): boolean {
  let at = 0;
  for (const [i, field] of fields.entries()) {
    if (i > 0 && raw[at++] !== ',') return false;
    const quoted = raw[at] === '"';
    if (!quoted && field.includes('"')) return false;
    const written = quoted ? `"${field.replaceAll('"', '""')}"` : field;
    if (!raw.startsWith(written, at)) return false;
    at += written.length;
  }
  // The line end: csv-parse leaves out the LF of a CRLF.
  return ['', '\n', '\r'].includes(raw.slice(at));
}

/** Lines a record's text takes; csv-parse leaves out the LF of the CRLF that ends it. */
function lineFeedsIn(raw: string): number {
  let count = raw.endsWith('\r') ? 1 : 0;
  for (let at = raw.indexOf('\n'); at !== -1; at = raw.indexOf('\n', at + 1)) count++;
  return count;
}

/** The parser stops only at these two; `line` is where the unfinished record starts. */
function fileError(error: CsvError, line: number): Error {
  switch (error.code) {
    case 'CSV_MAX_RECORD_SIZE':
      return new ImportFileError(
        `The row starting on line ${line} is longer than ${MAX_ROW_CHARS} characters: ` +
          `a quote may be left open, or lines may not end in CRLF or LF. ${SAVE_AS_CSV}`,
      );
    case 'CSV_QUOTE_NOT_CLOSED': {
      // The unfinished record's text. Inside the open field every quote is one of a doubled pair
      // (a lone one would have closed it), so the opening quote starts the last odd run of quotes.
      const raw = String(error.raw);
      const opening = [...raw.matchAll(/"+/g)].filter((run) => run[0].length % 2 === 1).at(-1)?.index ?? 0;
      const quoteLine = line + lineFeedsIn(raw.slice(0, opening));
      return new ImportFileError(`The quote opened on line ${quoteLine} is never closed. ${SAVE_AS_CSV}`);
    }
    default:
      return error;
  }
}

// ---------------------------------------------------------------------------------------
// Header and rows

type ColumnIndex = Record<Column, number>;

function readHeader(record: CsvRecord): ColumnIndex {
  const names = record.fields.map((field) => field.trim().toLowerCase());
  if (names.length === 1 && /[;\t]/.test(names[0]!)) {
    throw new ImportFileError(
      `Columns must be separated by commas; the header is ${shown(record.fields[0]!)}. ${SAVE_AS_CSV}`,
    );
  }
  const missing = COLUMNS.filter((column) => !names.includes(column));
  const unexpected = record.fields
    .filter((_, i) => !(COLUMNS as readonly string[]).includes(names[i]!))
    .map((field) => field.trim());
  const repeated = COLUMNS.filter((column) => names.indexOf(column) !== names.lastIndexOf(column));
  if (missing.length || unexpected.length || repeated.length) {
    const listed = unexpected.map((name) => (name ? shown(name) : '(blank)'));
    const problems = [
      missing.length ? `Missing: ${missing.join(', ')}.` : '',
      unexpected.length ? `Not expected: ${listed.join(', ')}.` : '',
      repeated.length ? `Repeated: ${repeated.join(', ')}.` : '',
    ];
    throw new ImportFileError(
      `The first line must be the header ${HEADER} (columns in any order). ${problems.filter(Boolean).join(' ')}`,
    );
  }
  return Object.fromEntries(COLUMNS.map((column) => [column, names.indexOf(column)])) as ColumnIndex;
}

interface RowCheck {
  line: number;
  /** Null unless the code column holds 8 digits. */
  code: string | null;
  /** Null when the row has problems. */
  organization: { name: string; type: OrganizationType; town: string | null; phone: string | null } | null;
  problems: string[];
}

function checkRow(record: CsvRecord, columns: ColumnIndex): RowCheck {
  const value = (column: Column) => (record.fields[columns[column]] ?? '').trim();
  const code = value('code');
  const wellFormedCode = /^[0-9]{8}$/.test(code) ? code : null;
  const problems: string[] = [];
  if (record.misquoted) {
    problems.push('a quote is out of place (a field with quotes must be wholly in quotes, each inner quote doubled)');
  }
  if (record.fields.length !== COLUMNS.length) {
    problems.push(`has ${record.fields.length} fields instead of ${COLUMNS.length}`);
    return { line: record.line, code: wellFormedCode, organization: null, problems };
  }

  if (!code) problems.push('code is missing');
  else if (!wellFormedCode) problems.push(`code ${shown(code)} is not 8 digits`);

  const name = value('name');
  if (!name) problems.push('name is missing');
  else problems.push(...textProblems('name', name));

  // Case-insensitive, like the header: spreadsheets capitalize words.
  const type = value('type').toLowerCase();
  if (!type) problems.push('type is missing');
  else if (!TYPES.includes(type)) problems.push(`type ${shown(value('type'))} is not district, school or other`);
  else if (wellFormedCode) {
    const problem = codeProblem(wellFormedCode, type as OrganizationType);
    if (problem) problems.push(problem);
  }

  const town = value('town');
  const phone = value('phone');
  problems.push(...textProblems('town', town), ...textProblems('phone', phone));

  const organization = problems.length
    ? null
    : { name, type: type as OrganizationType, town: town || null, phone: phone || null };
  return { line: record.line, code: wellFormedCode, organization, problems };
}

function textProblems(column: keyof typeof MAX_LENGTH, text: string): string[] {
  const problems: string[] = [];
  // Code points, not UTF-16 units: an emoji is one character to the person counting.
  if (text.length > MAX_LENGTH[column] && [...text].length > MAX_LENGTH[column]) {
    problems.push(`${column} is longer than ${MAX_LENGTH[column]} characters`);
  }
  if (/[\u0000-\u001f\u007f-\u009f]/.test(text)) {
    problems.push(`${column} contains a line break, tab or other control character`);
  }
  return problems;
}

/** A value from the file as quoted in a message: short, so a report stays small. */
function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

class RejectionList {
  private readonly list: Rejection[] = [];

  constructor(readonly limit: number) {}

  /** While reading, rows are rejected in line order: the first `limit` are kept as they come. */
  add(rejection: Rejection): void {
    if (this.list.length < this.limit) this.list.push(rejection);
  }

  /** Rejections found after reading (the first `limit` of them by line) join the earlier ones by line. */
  merge(rejections: Rejection[]): void {
    this.list.push(...rejections);
    this.list.sort((a, b) => a.line - b.line);
    this.list.length = Math.min(this.list.length, this.limit);
  }

  reported(): Rejection[] {
    return this.list;
  }
}

// ---------------------------------------------------------------------------------------
// Staging and writing

interface StagedOrganization {
  code: string;
  line: number;
  /** False for a row rejected while reading: it is kept only to find a repeated code. */
  accepted: boolean;
  id: string | null;
  name: string | null;
  type: OrganizationType | null;
  town: string | null;
  phone: string | null;
}

type Staging = Transaction<DB & { organization_import: StagedOrganization }>;

async function createStaging(tx: Transaction<DB>): Promise<Staging> {
  await sql`
    CREATE TEMPORARY TABLE organization_import (
      code text PRIMARY KEY,
      line integer NOT NULL,
      accepted boolean NOT NULL,
      id uuid,
      name text,
      type text,
      town text,
      phone text
    ) ON COMMIT DROP`.execute(tx);
  return tx.$extendTables<{ organization_import: StagedOrganization }>();
}

/**
 * Stages a batch and rejects its rows with problems. A code already staged, by this batch or an
 * earlier one, makes the later row a repeat: the staging table, not memory, remembers codes.
 */
async function stage(staging: Staging, batch: RowCheck[], rejections: RejectionList): Promise<void> {
  const claimants = new Map<string, RowCheck & { code: string }>();
  const repeats: Array<RowCheck & { code: string }> = [];
  for (const row of batch) {
    if (!hasCode(row)) continue;
    if (claimants.has(row.code)) repeats.push(row);
    else claimants.set(row.code, row);
  }
  const firstLine = new Map([...claimants].map(([code, row]) => [code, row.line]));
  if (claimants.size) {
    const claims = [...claimants.values()];
    const organizations = claims.map((row) => row.organization);
    // One array per column rather than 8 parameters per row: about twice as fast, and no limit
    // on the number of parameters.
    const staged = await staging
      .insertInto('organization_import')
      .columns(['code', 'line', 'accepted', 'id', 'name', 'type', 'town', 'phone'])
      .expression(
        sql`SELECT * FROM unnest(
          ${claims.map((row) => row.code)}::text[],
          ${claims.map((row) => row.line)}::integer[],
          ${organizations.map((organization) => organization !== null)}::boolean[],
          ${organizations.map((organization) => organization && randomUUID())}::uuid[],
          ${organizations.map((organization) => organization?.name ?? null)}::text[],
          ${organizations.map((organization) => organization?.type ?? null)}::text[],
          ${organizations.map((organization) => organization?.town ?? null)}::text[],
          ${organizations.map((organization) => organization?.phone ?? null)}::text[])`,
      )
      .onConflict((oc) => oc.column('code').doNothing())
      .returning('code')
      .execute();
    if (staged.length < claimants.size) {
      const stagedCodes = new Set(staged.map((row) => row.code));
      const repeatsOfEarlierBatches = claims.filter((row) => !stagedCodes.has(row.code));
      const earlier = await staging
        .selectFrom('organization_import')
        .select(['code', 'line'])
        .where(
          'code',
          'in',
          repeatsOfEarlierBatches.map((row) => row.code),
        )
        .execute();
      for (const { code, line } of earlier) firstLine.set(code, line);
      repeats.push(...repeatsOfEarlierBatches);
    }
  }
  for (const row of repeats) {
    row.problems.push(`code ${row.code} is repeated: it is already on line ${firstLine.get(row.code)}`);
  }
  for (const row of batch) {
    if (row.problems.length) rejections.add({ line: row.line, code: row.code, reason: row.problems.join('; ') });
  }
}

const hasCode = (row: RowCheck): row is RowCheck & { code: string } => row.code !== null;

/** The id of the district of staged school `s`; an organization of type other is never one. */
const districtOfStaged = sql`
  SELECT d.id FROM organization d WHERE d.code = left(s.code, 4) || '0000' AND d.type = 'district'`;

/** A school is rejected when no district has its first 4 digits and 0000, in the database or the file. */
async function rejectSchoolsWithoutDistrict(staging: Staging, rejections: RejectionList): Promise<void> {
  await staging
    .updateTable('organization_import as s')
    .set({ accepted: false })
    .where('s.accepted', '=', true)
    .where('s.type', '=', 'school')
    .where(sql<boolean>`NOT EXISTS (${districtOfStaged})`)
    .execute();
  // Rows rejected while reading were staged without a type, so these are exactly the schools above.
  const orphans = await staging
    .selectFrom('organization_import')
    .select(['line', 'code'])
    .where('accepted', '=', false)
    .where('type', '=', 'school')
    .orderBy('line')
    .limit(rejections.limit)
    .execute();
  rejections.merge(
    orphans.map(({ line, code }) => ({ line, code, reason: `district ${districtCodeOf(code)} not found` })),
  );
}

/**
 * Upserts the accepted staged rows of one kind. A row that would not change is not rewritten,
 * so its `updated_at` stays; `xmax = 0` tells a fresh insert from an update.
 */
async function upsertStaged(
  staging: Staging,
  kind: 'districts and others' | 'schools',
): Promise<{ inserted: number; updated: number }> {
  const districtId = kind === 'schools' ? sql<string | null>`(${districtOfStaged})` : sql<string | null>`NULL::uuid`;
  return staging
    .with('written', (db) =>
      db
        .insertInto('organization')
        .columns(['id', 'code', 'name', 'type', 'district_id', 'town', 'phone'])
        .expression((eb) =>
          eb
            .selectFrom('organization_import as s')
            .select(['s.id', 's.code', 's.name', 's.type', districtId.as('district_id'), 's.town', 's.phone'])
            .where('s.accepted', '=', true)
            .where('s.type', kind === 'schools' ? '=' : '<>', 'school'),
        )
        .onConflict((oc) =>
          oc
            .column('code')
            .doUpdateSet((eb) => ({
              name: eb.ref('excluded.name'),
              type: eb.ref('excluded.type'),
              district_id: eb.ref('excluded.district_id'),
              town: eb.ref('excluded.town'),
              phone: eb.ref('excluded.phone'),
              updated_at: sql`now()`,
            }))
            .where(
              sql<boolean>`
                (organization.name, organization.type, organization.district_id, organization.town, organization.phone)
                IS DISTINCT FROM (excluded.name, excluded.type, excluded.district_id, excluded.town, excluded.phone)`,
            ),
        )
        .returning(sql<boolean>`xmax = 0`.as('inserted')),
    )
    .selectFrom('written')
    .select([
      sql<number>`count(*) FILTER (WHERE inserted)::int`.as('inserted'),
      sql<number>`count(*) FILTER (WHERE NOT inserted)::int`.as('updated'),
    ])
    .executeTakeFirstOrThrow();
}
