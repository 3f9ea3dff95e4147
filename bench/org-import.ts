import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { importOrganizations } from '../src/directory/org-import.ts';
import { migrate, openDatabase } from '../src/database.ts';

/**
 * `node --import tsx bench/org-import.ts [ROWS]` (default 200,000): writes a file of districts
 * and schools like the state's, imports it as `org import` does (a file stream), and prints the
 * seconds (and CPU seconds) the import took and the process's peak RSS. PGlite in memory, or the server named by
 * DATABASE_URL (an empty database: the import inserts every row).
 */

const rowCount = Number(process.argv[2] ?? 200_000);
const dir = mkdtempSync(join(tmpdir(), 'org-import-bench-'));
const file = join(dir, 'organizations.csv');

const out = createWriteStream(file);
out.write('code,name,type,town,phone\n');
for (let i = 0; i < rowCount; i++) {
  const district = String(Math.floor(i / 200) + 1).padStart(4, '0');
  const code = `${district}${String(i % 200).padStart(4, '0')}`;
  const type = i % 200 === 0 ? 'district' : 'school';
  // Quoted names with a comma, as a spreadsheet writes them, so the quoted path is measured too.
  if (
    !out.write(
      `${code},"Organization ${code}, as long a name as the longest real ones",${type},West Springfield,(413) 555-0100\n`,
    )
  ) {
    await once(out, 'drain');
  }
}
out.end();
await once(out, 'finish');

const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: 'memory://' });
await migrate(database.db);
const started = performance.now();
const cpu = process.cpuUsage();
const report = await importOrganizations(database.db, createReadStream(file));
const seconds = (performance.now() - started) / 1000;
// On a shared machine the CPU time (PGlite's included: it runs in this thread) varies less.
const { user, system } = process.cpuUsage(cpu);
await database.close();
rmSync(dir, { recursive: true });

if (report.inserted !== rowCount) throw new Error(`expected ${rowCount} inserted: ${JSON.stringify(report)}`);
console.log(
  `${rowCount} rows: ${seconds.toFixed(1)} s, ${((user + system) / 1e6).toFixed(1)} s CPU, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
);
