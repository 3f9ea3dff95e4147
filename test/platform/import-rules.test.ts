import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The import rules (.dependency-cruiser.cjs, run by `npm run lint`) on a tiny project that
 * breaks each rule once and also makes the imports each rule allows: every rule must name
 * its violation, and nothing allowed may be reported.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = mkdtempSync(join(tmpdir(), 'import-rules-'));
after(() => rmSync(fixture, { recursive: true, force: true }));

const files: Record<string, string> = {
  // Allowed: the platform among itself; the composition root reaching anything; main starting app.
  'src/platform/http.ts': `export const http = 1;\n`,
  'src/platform/views.ts': `import { http } from './http.ts';\nexport const views = http;\n`,
  'src/app.tsx': `import { secret } from './portal/internals.ts';\nexport const app = secret;\n`,
  'src/main.ts': `import { app } from './app.tsx';\nexport const main = app;\n`,
  'src/database.ts': `export type Db = { kind: string };\nexport function openDatabase(): Db {\n  return { kind: 'pglite' };\n}\n`,
  'src/portal/internals.ts': `export const secret = 1;\n`,
  'src/portal/schema.ts': `export type Profile = { id: string };\n`,
  'src/portal/index.ts': `export { secret as verb } from './internals.ts';\n`,
  // Allowed: another module through its index.ts, the platform, the database as a type.
  'src/directory/service.ts': `import { verb } from '../portal/index.ts';\nimport { http } from '../platform/http.ts';\nimport type { Db } from '../database.ts';\nexport const service = (db: Db) => [verb, http, db];\n`,
  'src/elar/routes.ts': `import { views } from '../platform/views.ts';\nexport const routes = views;\n`,

  // One violation of each rule.
  'src/platform/leak.ts': `import type { Profile } from '../portal/schema.ts';\nexport type Leak = Profile;\n`,
  'src/elar/borrow.ts': `import { verb } from '../portal/index.ts';\nexport const borrowed = verb;\n`,
  'src/directory/reach.ts': `import { secret } from '../portal/internals.ts';\nexport const reached = secret;\n`,
  'src/sso/opens.ts': `import { openDatabase } from '../database.ts';\nexport const opened = openDatabase();\n`,
  'src/portal/root.ts': `import { app } from '../app.tsx';\nexport const rooted = app;\n`,
};

test('each import rule reports its one violation in a small project, and nothing that is allowed', async () => {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(fixture, path)), { recursive: true });
    writeFileSync(join(fixture, path), text);
  }
  const depcruise = join(root, 'node_modules/.bin/depcruise');
  const run = await promisify(execFile)(depcruise, ['src', '--config', join(root, '.dependency-cruiser.cjs')], {
    cwd: fixture,
  }).then(
    (ok) => ({ ...ok, failed: false }),
    (error: { stdout: string; stderr: string }) => ({ stdout: error.stdout, stderr: error.stderr, failed: true }),
  );
  assert.equal(run.failed, true, 'the check fails, so CI stops');
  // What CI prints: one line per violation, `error <rule>: <from> → <to>`.
  const found = [...run.stdout.matchAll(/^\s*error (.+)$/gm)].map((m) => m[1]).sort();
  assert.deepEqual(found, [
    'database-type-only: src/sso/opens.ts → src/database.ts',
    'elar-only-platform: src/elar/borrow.ts → src/portal/index.ts',
    'modules-meet-through-index: src/directory/reach.ts → src/portal/internals.ts',
    'nothing-imports-the-composition-root: src/portal/root.ts → src/app.tsx',
    'platform-knows-no-module: src/platform/leak.ts → src/portal/schema.ts',
  ]);
});

test('the project itself keeps the rules, with no known violations', async () => {
  const depcruise = join(root, 'node_modules/.bin/depcruise');
  await promisify(execFile)(depcruise, ['src', '--config', '.dependency-cruiser.cjs'], { cwd: root });
});
