import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { SHIPPED_CATALOG_FILES } from '../../src/elar/catalog/index.ts';

/** `npm run cli -- catalog import FILE.csv` as an operator runs it, on its own embedded database. */
const dataDir = mkdtempSync(join(tmpdir(), 'portal-catalog-cli-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function cli(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--create', ...args], {
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' },
    encoding: 'utf8',
    timeout: 180_000,
  });
  // The first line on stderr names the database; the rest is the reason for a failure.
  return {
    status: result.status,
    out: result.stdout.trim(),
    reason: result.stderr.trim().split('\n').slice(1).join('\n'),
  };
}

const shipped = (part: string) => readFileSync(SHIPPED_CATALOG_FILES.find((f) => f.part === part)!.path, 'utf8');

describe('npm run cli -- catalog import', () => {
  test('a good file is imported, again changes nothing; a file with bad lines lists them and changes nothing', () => {
    const licenses = join(dataDir, 'licenses.csv');
    writeFileSync(licenses, shipped('licenses'));
    const first = cli(['catalog', 'import', licenses]);
    assert.equal(first.status, 0, first.reason);
    assert.equal(first.out, '71 rows of the license catalog: 71 added, 0 updated, 0 unchanged, 0 made inactive');

    const requirements = join(dataDir, 'requirements.csv');
    writeFileSync(requirements, shipped('requirements'));
    const templates = cli(['catalog', 'import', requirements]);
    assert.equal(templates.status, 0, templates.reason);
    assert.equal(
      templates.out,
      '48 rows of the requirement templates: 48 added, 0 updated, 0 unchanged, 0 made inactive',
    );

    const bad = join(dataDir, 'bad.csv');
    writeFileSync(
      bad,
      shipped('licenses').replace(',Biology,', ',Biology (renamed),') + 'license,TCH-X,,TCH,1-6,INI,,\nlicense,TCH-Y\n',
    );
    const refused = cli(['catalog', 'import', bad]);
    assert.equal(refused.status, 1);
    assert.equal(refused.out, 'line 73: name is missing\nline 74: has 2 fields instead of 8');
    assert.equal(
      refused.reason,
      '2 lines were rejected (listed above), so nothing in the license catalog was changed. Correct them and import the file again.',
    );

    const again = cli(['catalog', 'import', licenses]);
    assert.equal(again.status, 0, again.reason);
    assert.equal(
      again.out,
      '71 rows of the license catalog: 0 added, 0 updated, 71 unchanged, 0 made inactive',
      'the renamed Biology of the refused file was not kept',
    );
  });

  test('a file that is no catalog, or none at all: one line saying why, exit 1', () => {
    const orgs = join(dataDir, 'orgs.csv');
    writeFileSync(orgs, 'code,name,type,town,phone\n');
    const wrong = cli(['catalog', 'import', orgs]);
    assert.equal(wrong.status, 1);
    assert.match(wrong.reason, /^The first line is not a catalog header/);
    const missing = cli(['catalog', 'import', join(dataDir, 'nope.csv')]);
    assert.equal(missing.status, 1);
    assert.match(missing.reason, /ENOENT/);
  });
});
