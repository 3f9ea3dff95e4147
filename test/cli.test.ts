import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

/** The command line as an operator uses it, on its own embedded database. */
const dataDir = mkdtempSync(join(tmpdir(), 'portal-cli-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, out: result.stdout.trim(), err: result.stderr.trim() };
}

describe('npm run cli', () => {
  test('org import, diradmin add, role grant and revoke; one-line errors with exit 1', () => {
    const csv = join(dataDir, 'orgs.csv');
    writeFileSync(csv, 'code,name,type,town,phone\n00010000,Alpha District,district,Alpha,\n00010505,Alpha High,school,Alpha,\nbad,Broken,school,,\n');
    const imported = cli('org', 'import', csv);
    assert.equal(imported.status, 0, imported.err);
    assert.match(imported.out, /^line 4: code "bad" is not 8 digits$/m);
    assert.match(imported.out, /3 rows: 2 added, 0 updated, 0 unchanged, 1 rejected$/);

    const demo = cli('seed-demo');
    assert.equal(demo.status, 0, demo.err);
    assert.match(demo.out, /User Name JRivera/);

    const designated = cli('diradmin', 'add', '--org', '00010000', '--username', 'JRivera', '--email', 'jordan@alpha.example');
    assert.equal(designated.status, 0, designated.err);
    assert.equal(designated.out, 'JRivera is a Directory Administrator of Alpha District (00010000)');

    const granted = cli('role', 'grant', '--username', 'JRivera', '--org', '00010505', '--app', 'sims', '--role', 'user');
    assert.equal(granted.out, 'Granted sims user in 00010505 to JRivera');
    assert.equal(cli('role', 'grant', '--username', 'JRivera', '--org', '00010505', '--app', 'sims', '--role', 'user').out, 'Already granted');
    assert.equal(cli('role', 'revoke', '--username', 'JRivera', '--org', '00010505', '--app', 'sims', '--role', 'user').out, 'Revoked sims user in 00010505 from JRivera');

    const added = cli('app', 'add', '--client-id', 'gradebook', '--name', 'Gradebook', '--redirect-uri', 'https://gradebook.example.gov/callback', '--restricted', '--roles', 'teacher,viewer');
    assert.equal(added.status, 0, added.err);
    assert.match(added.out, /^client secret: [A-Za-z0-9_-]{43}$/m);
    const rotated = cli('keys', 'rotate');
    assert.equal(rotated.status, 0, rotated.err);
    assert.match(rotated.out, /^New signing key \S+; 0 old key\(s\) retired/);

    for (const [args, message] of [
      [['app', 'add', '--client-id', 'Bad Id', '--name', 'X', '--redirect-uri', 'https://x.example/cb'], /Client id must be/],
      [['app', 'add', '--client-id', 'plain', '--name', 'X', '--redirect-uri', 'http://x.example/cb'], /Redirect URI must use https/],
      [['app', 'add', '--client-id', 'plain', '--name', 'X'], /Missing --redirect-uri/],
      [['role', 'grant', '--username', 'jrivera', '--org', '00010505', '--app', 'sims', '--role', 'user'], /No profile with User Name "jrivera"/],
      [['role', 'grant', '--username', 'JRivera', '--org', '00010505', '--app', 'sims', '--role', 'root'], /SIMS has no role "root"/],
      [['diradmin', 'add', '--org', '99990000', '--username', 'JRivera'], /No organization with code 99990000/],
      [['diradmin', 'add', '--username', 'JRivera'], /Missing --org/],
      [['frobnicate'], /Unknown command "frobnicate"/],
      [['org', 'import', join(dataDir, 'missing.csv')], /ENOENT|no such file/],
    ] as Array<[string[], RegExp]>) {
      const r = cli(...args);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.err, message);
      assert.equal(r.err.split('\n').length, 1, `one line: ${r.err}`);
    }
  });
});
