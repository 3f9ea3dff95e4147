import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { audit } from '../audit-events.ts';
import type { ElarDatabase, ElarDb } from '../schema.ts';
import {
  EVERY_APPLICATION,
  readCatalogFile,
  type CatalogFile,
  type KnownCodes,
  type Rejection,
} from './catalog-file.ts';
import * as repo from './repository.ts';

/**
 * Loading the catalog: from the files shipped with ELAR at start, or from an operator's file
 * (`npm run cli -- catalog import FILE.csv`). A file is taken whole or not at all, and taking
 * the same file again changes nothing.
 */

export type CatalogPart = CatalogFile['kind'];

export interface Changes {
  added: number;
  updated: number;
  unchanged: number;
  /** In the catalog before, not in the file: kept, for the applications that name them, but no longer offered. */
  inactivated: number;
}

export interface CatalogImportReport {
  part: CatalogPart;
  /** Data rows read. */
  rows: number;
  /** Every rejected line, with its reason; when any, nothing was changed. */
  rejected: Rejection[];
  /** Null when lines were rejected. */
  changes: Changes | null;
}

export async function importCatalog(
  db: ElarDb,
  bytes: Uint8Array,
  { origin }: { origin: 'shipped' | 'import' },
): Promise<CatalogImportReport> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return db.transaction().execute(async (tx) => {
    await repo.lockCatalog(tx);
    // Read inside the lock, so the requirement templates are checked against the catalog in force.
    const known = await knownCodes(tx);
    const { part, file, rows, rejected } = readCatalogFile(bytes, () => known);
    if (!file) return { part, rows, rejected, changes: null };
    const changes = file.kind === 'licenses' ? await writeLicenses(tx, file) : await writeRequirements(tx, file);
    await repo.recordLoad(tx, { part: file.kind, origin, sha256 });
    await audit(tx, { type: 'elar.catalogImported', detail: { part: file.kind, origin, sha256, rows, ...changes } });
    return { part: file.kind, rows, rejected, changes };
  });
}

async function knownCodes(tx: Kysely<ElarDatabase>): Promise<KnownCodes> {
  const [types, categories, offerings] = await Promise.all([
    repo.storedTypes(tx),
    repo.storedCategories(tx),
    repo.storedOfferings(tx),
  ]);
  const active = <R>(map: Map<string, repo.Stored<R>>) => [...map].filter(([, s]) => s.active).map(([code]) => code);
  return { types: new Set(active(types)), appliesTo: new Set([...active(categories), ...active(offerings)]) };
}

/**
 * Writes what differs between the stored rows and the file's, in the file's order; rows the
 * file leaves out become inactive.
 */
async function sync<R>(
  stored: Map<string, repo.Stored<R>>,
  incoming: Array<{ key: string; row: R }>,
  put: (rows: Array<repo.Placed<R>>) => Promise<void>,
  deactivate: (keys: string[]) => Promise<void>,
): Promise<Changes> {
  const changes: Changes = { added: 0, updated: 0, unchanged: 0, inactivated: 0 };
  const changed: Array<repo.Placed<R>> = [];
  for (const [position, { key, row }] of incoming.entries()) {
    const before = stored.get(key);
    if (!before) changes.added++;
    else if (before.active && before.position === position && sameRow(before.row, row)) {
      changes.unchanged++;
      continue;
    } else changes.updated++;
    changed.push({ row, position });
  }
  await put(changed);
  const inFile = new Set(incoming.map(({ key }) => key));
  const gone = [...stored].filter(([key, s]) => s.active && !inFile.has(key)).map(([key]) => key);
  changes.inactivated = gone.length;
  await deactivate(gone);
  return changes;
}

function sameRow(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function add(a: Changes, b: Changes): Changes {
  return {
    added: a.added + b.added,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    inactivated: a.inactivated + b.inactivated,
  };
}

async function writeLicenses(tx: Kysely<ElarDatabase>, file: Extract<CatalogFile, { kind: 'licenses' }>) {
  // Categories before the licenses that refer to them.
  const categories = await sync(
    await repo.storedCategories(tx),
    file.categories.map((row) => ({ key: row.code, row })),
    (rows) => repo.putCategories(tx, rows),
    (codes) => repo.deactivate(tx, 'license_category', codes),
  );
  const types = await sync(
    await repo.storedTypes(tx),
    file.types.map((row) => ({ key: row.code, row })),
    (rows) => repo.putTypes(tx, rows),
    (codes) => repo.deactivate(tx, 'license_type', codes),
  );
  const offerings = await sync(
    await repo.storedOfferings(tx),
    file.offerings.map((row) => ({ key: row.code, row })),
    (rows) => repo.putOfferings(tx, rows),
    (codes) => repo.deactivate(tx, 'license_offering', codes),
  );
  return add(add(categories, types), offerings);
}

async function writeRequirements(tx: Kysely<ElarDatabase>, file: Extract<CatalogFile, { kind: 'requirements' }>) {
  return sync(
    await repo.storedRequirements(tx),
    file.requirements.map((row) => ({ key: repo.requirementKey(row.type, row.route, row.item), row })),
    (rows) => repo.putRequirements(tx, rows),
    (keys) =>
      repo.deactivateRequirements(
        tx,
        keys.map((key) => key.split('/') as [string, string, string]),
      ),
  );
}

// ---------------------------------------------------------------------------------------
// The files shipped with ELAR

/** The project folder, whether this runs from src/ or from the compiled dist/main.js. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

/** In load order: the requirement templates name the licenses' codes. */
export const SHIPPED_CATALOG_FILES: ReadonlyArray<{ part: CatalogPart; path: string }> = [
  { part: 'licenses', path: join(projectRoot(), 'src/elar/catalog/license-catalog.csv') },
  { part: 'requirements', path: join(projectRoot(), 'src/elar/catalog/requirement-templates.csv') },
];

/**
 * On every start: a part is loaded from its shipped file when the database has none, or when
 * the shipped file changed since it was last loaded (a new release). A part an operator
 * imported stays as imported: a restart never undoes an operator's import. Returns what it
 * did, in words for the log; a shipped file that cannot be taken is reported there, not
 * thrown, so an operator's catalog it does not fit never stops ELAR from starting.
 */
export async function loadShippedCatalog(db: ElarDb): Promise<string[]> {
  const notes: string[] = [];
  for (const { part, path } of SHIPPED_CATALOG_FILES) {
    const bytes = readFileSync(path);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const last = await repo.lastLoad(db, part);
    if (last && (last.origin === 'import' || last.sha256 === sha256)) continue;
    const report = await importCatalog(db, bytes, { origin: 'shipped' });
    notes.push(
      report.changes
        ? `catalog ${part} loaded from ${path}: ${describeChanges(report.changes)}`
        : `catalog ${part} in ${path} NOT loaded: ${report.rejected.map((r) => `line ${r.line}: ${r.reason}`).join(' | ')}`,
    );
  }
  return notes;
}

export function describeChanges(c: Changes): string {
  return `${c.added} added, ${c.updated} updated, ${c.unchanged} unchanged, ${c.inactivated} made inactive`;
}

export { EVERY_APPLICATION };
