import { readFileSync } from 'node:fs';
import type { ElarDb } from '../schema.ts';
import { CatalogFileError } from './catalog-file.ts';
import { describeChanges, importCatalog } from './import.ts';

/**
 * `npm run cli -- catalog import FILE.csv`: what the operator sees. Every rejected line is
 * printed with its reason; then, when any was rejected, a CatalogFileError says nothing was
 * changed (the CLI exits 1 with it).
 */
export async function importCatalogFile(db: ElarDb, path: string, print: (line: string) => void): Promise<void> {
  const report = await importCatalog(db, readFileSync(path), { origin: 'import' });
  for (const { line, reason } of report.rejected) print(`line ${line}: ${reason}`);
  const part = report.part === 'licenses' ? 'license catalog' : 'requirement templates';
  if (!report.changes) {
    const n = report.rejected.length;
    throw new CatalogFileError(
      `${n === 1 ? '1 line was' : `${n} lines were`} rejected (listed above), so nothing in the ${part} was changed. Correct ${n === 1 ? 'it' : 'them'} and import the file again.`,
    );
  }
  print(`${report.rows} rows of the ${part}: ${describeChanges(report.changes)}`);
}
