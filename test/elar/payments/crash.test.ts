import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { throwawayDatabase } from '../../helpers/throwaway-database.ts';
import { openScene } from './crash-scene.ts';

/**
 * The server killed between the provider's success and our record (issue 13): a real
 * process dies by SIGKILL at the fault point; a new one on the same database reconciles
 * and finds exactly one payment, completed once. On PGlite (a data directory on disk) and
 * on PostgreSQL (DATABASE_URL).
 */
const dataDir = mkdtempSync(join(tmpdir(), 'payments-crash-'));
const throwaway = process.env.DATABASE_URL
  ? await throwawayDatabase(process.env.DATABASE_URL, 'payments_crash')
  : undefined;
after(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  await throwaway?.drop();
});

function runChild(payable: string): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'crash-child.ts')], {
      env: {
        ...process.env,
        ...(throwaway ? { DATABASE_URL: throwaway.url } : { DATABASE_URL: '' }),
        CRASH_DATA_DIR: dataDir,
        CRASH_PAYABLE: payable,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ signal, stdout }));
  });
}

test('killed after the provider took the card and before ELAR recorded it: reconciliation finds one payment, completed once', async () => {
  const { signal, stdout } = await runChild('crash-1');
  assert.equal(signal, 'SIGKILL', 'the process died at the fault point');
  const paymentId = /payment ([0-9a-f-]{36})/.exec(stdout)![1]!;
  assert.doesNotMatch(stdout, /not killed/);

  const scene = await openScene({ databaseUrl: throwaway?.url, dataDir });
  try {
    const before = await scene.db
      .selectFrom('payment')
      .select('state')
      .where('id', '=', paymentId)
      .executeTakeFirstOrThrow();
    assert.equal(before.state, 'open', 'the provider has the money; ELAR had not recorded it');

    await scene.service.reconcile(0);
    await scene.service.reconcile(0);
    const payments = await scene.db
      .selectFrom('payment')
      .select(['state', 'card_last4'])
      .where('payable_id', '=', 'crash-1')
      .execute();
    assert.deepEqual(payments, [{ state: 'succeeded', card_last4: '4242' }]);
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM elar.test_fee_paid WHERE payable_id = 'crash-1'`.execute(scene.db);
    assert.equal(rows[0]!.n, 1, 'the thing paid for was completed once');
  } finally {
    await scene.close();
  }
});
