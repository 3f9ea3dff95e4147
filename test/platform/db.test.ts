import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DatabaseInUseError, migrate, openDatabase } from '../../src/platform/db.ts';
import { buildPortal, START_ARGS, START_ENV } from '../helpers/server.ts';

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
      const env = (secretsKey: string) => ({ ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', SECRETS_KEY: secretsKey, LOG_LEVEL: 'warn' });
      const sealed = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'keys', 'rotate'], { env: env('first-secrets-key-0123456789abcdef0123456789'), encoding: 'utf8', timeout: 60_000 });
      assert.equal(sealed.status, 0, sealed.stderr);
      buildPortal();
      const started = spawnSync(process.execPath, START_ARGS, { env: { ...START_ENV, ...env('another-secrets-key-0123456789abcdef01234567') }, encoding: 'utf8', timeout: 60_000 });
      assert.equal(started.status, 1);
      assert.match(started.stderr.trim(), /^SECRETS_KEY is not the key the stored secrets were sealed with/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
