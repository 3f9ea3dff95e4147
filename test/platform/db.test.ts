import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DatabaseInUseError, migrate, openDatabase } from '../../src/database.ts';
import { Browser, createProfile, logIn } from '../helpers/portal.ts';
import { buildPortal, freePort, START_ARGS, START_ENV } from '../helpers/server.ts';

describe('embedded database', () => {
  test('a data directory held by another live process is refused with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portal-lock-'));
    const holder = spawn('sleep', ['30']);
    try {
      writeFileSync(join(dir, 'portal.pid'), String(holder.pid));
      await assert.rejects(openDatabase({ databaseUrl: undefined, dataDir: dir }), (e: unknown) => {
        assert.ok(e instanceof DatabaseInUseError);
        assert.match((e as Error).message, new RegExp(`in use by process ${holder.pid}; stop the server first`));
        return true;
      });
    } finally {
      holder.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a stale lock from a dead process is taken over; data survives a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portal-stale-'));
    try {
      writeFileSync(join(dir, 'portal.pid'), '999999');
      const first = await openDatabase({ databaseUrl: undefined, dataDir: dir });
      await migrate(first.db);
      await first.db.insertInto('issued_mepid').values({ mepid: '12345674' }).execute();
      await first.close();
      const second = await openDatabase({ databaseUrl: undefined, dataDir: dir });
      await migrate(second.db);
      const rows = await second.db.selectFrom('issued_mepid').selectAll().execute();
      assert.equal(rows.length, 1);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('start-up', () => {
  test('a bad setting stops the server with one line naming the variable', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: 'eighty', DATABASE_URL: '' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 1);
    assert.equal(result.stderr.trim(), 'Invalid configuration: PORT must be a number from 0 to 65535');
  });

  test('a SECRETS_KEY other than the one the data was sealed with stops the server with one clear line', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portal-key-'));
    try {
      const env = (secretsKey: string) => ({
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DATABASE_URL: '',
        SECRETS_KEY: secretsKey,
        LOG_LEVEL: 'warn',
      });
      const sealed = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'keys', 'rotate'], {
        env: env('first-secrets-key-0123456789abcdef0123456789'),
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(sealed.status, 0, sealed.stderr);
      buildPortal();
      const started = spawnSync(process.execPath, START_ARGS, {
        env: { ...START_ENV, ...env('another-secrets-key-0123456789abcdef01234567') },
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(started.status, 1);
      assert.match(started.stderr.trim(), /^SECRETS_KEY is not the key the stored secrets were sealed with/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** Every path under `root` (itself included) whose mode is not 0700 for a directory or 0600 for a file. */
function looseModes(root: string): string[] {
  const loose: string[] = [];
  const visit = (path: string) => {
    const stat = lstatSync(path);
    const mode = stat.mode & 0o777;
    if (stat.isDirectory()) {
      if (mode !== 0o700) loose.push(`${path} ${mode.toString(8)}`);
      for (const name of readdirSync(path)) visit(join(path, name));
    } else if (mode !== 0o600) loose.push(`${path} ${mode.toString(8)}`);
  };
  visit(root);
  return loose;
}

function countFiles(root: string): number {
  return readdirSync(root, { recursive: true }).length;
}

describe('file modes of the embedded database', () => {
  test('DATA_DIR is 0700 and every file in it 0600, WAL included, even under umask 000, after start, after writes and after stop', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'portal-modes-'));
    const dataDir = join(parent, 'data');
    const port = await freePort();
    buildPortal();
    // The server started by a shell whose umask lets everyone read and write.
    const child = spawn('/bin/sh', ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, ...START_ARGS], {
      env: {
        ...process.env,
        ...START_ENV,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DATABASE_URL: '',
        SECRETS_KEY: '',
        SSN_HMAC_KEY: '',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const url = `http://127.0.0.1:${port}`;
      for (let i = 0; ; i++) {
        if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
        if (i > 300) throw new Error('the server did not answer /healthz within 60 s');
        if ((await fetch(`${url}/healthz`).catch(() => null))?.status === 200) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(countFiles(dataDir) > 10, 'the database was created');
      assert.deepEqual(looseModes(dataDir), [], 'after start');

      const { userName } = await createProfile(new Browser(new URL(url)), {
        firstName: 'Moda',
        lastName: 'Strict',
        dob: ['1', '2', '1983'],
        ssn: '806-78-9012',
      });
      assert.equal((await logIn(new Browser(new URL(url)), userName, 'Secret123')).status, 303);
      assert.deepEqual(looseModes(dataDir), [], 'after writes');

      child.kill('SIGTERM');
      await exited;
      assert.deepEqual(looseModes(dataDir), [], 'after stop');
    } finally {
      child.kill('SIGKILL');
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('a data directory left open by an earlier version is closed at the next open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portal-open-'));
    try {
      mkdirSync(join(dir, 'old'), { mode: 0o777 });
      writeFileSync(join(dir, 'old', 'file'), 'x', { mode: 0o666 });
      writeFileSync(join(dir, 'ssn-hmac.key'), 'x', { mode: 0o644 });
      chmodSync(dir, 0o777);
      chmodSync(join(dir, 'old'), 0o777);
      chmodSync(join(dir, 'old', 'file'), 0o666);
      const database = await openDatabase({ databaseUrl: undefined, dataDir: dir });
      await migrate(database.db);
      assert.deepEqual(looseModes(dir), []);
      await database.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
