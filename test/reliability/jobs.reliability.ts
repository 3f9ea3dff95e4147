import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { migrate, openDatabase, type Database } from '../../src/database.ts';
import { enqueue } from '../../src/platform/jobs/queue.ts';
import { throwawayDatabase } from '../helpers/throwaway-database.ts';

/**
 * Two instances (two processes, each with its own pool) work one queue on PostgreSQL:
 * 500 jobs each run exactly once, a recurring job registered by both at the same moment
 * runs once, and a job whose worker is killed mid-run is run again by the other once the
 * lease has passed. Both are started together on the same database, as in a rolling deploy.
 */

const JOBS = 500;
const LEASE_MS = 2_000;

function withoutPostgres(): string | false {
  if (process.env.DATABASE_URL) return false;
  const reason = 'DATABASE_URL is not set: two instances need a shared PostgreSQL server';
  if (process.env.RELIABILITY_REQUIRED === '1') throw new Error(reason);
  console.warn(`SKIPPED reliability (jobs): ${reason}`);
  return reason;
}
const skip = withoutPostgres();

let shared: Awaited<ReturnType<typeof throwawayDatabase>>;
let database: Database;
const workers = new Map<string, ChildProcess>();
const summary: string[] = [];

function startWorker(name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/reliability/job-worker.ts'], {
    env: { ...process.env, DATABASE_URL: shared.url, WORKER_NAME: name, LEASE_MS: String(LEASE_MS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  workers.set(name, child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('started')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker ${name} exited (${code}) before starting`)));
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const executions = (job?: string) =>
  database.db
    .selectFrom(sql<{ job: string; event: string; worker: string; at: Date }>`reliability_execution`.as('e'))
    .selectAll()
    .$if(job !== undefined, (q) => q.where('job', '=', job!))
    .orderBy('at')
    .execute();

describe('jobs across two instances', { skip, timeout: 180_000 }, () => {
  before(async () => {
    shared = await throwawayDatabase(process.env.DATABASE_URL!, 'jobs_reliability');
    database = await openDatabase({ databaseUrl: shared.url, dataDir: 'memory://', poolSize: 4 });
    await migrate(database.db);
    await sql`CREATE TABLE reliability_execution (job text NOT NULL, event text NOT NULL, worker text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`.execute(
      database.db,
    );
  });
  after(async () => {
    for (const child of workers.values())
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await database?.close();
    await shared?.drop();
    if (!skip) console.log(`jobs reliability: ${summary.join('; ')}`);
  });

  test(`${JOBS} jobs, two instances started at once: each job runs exactly once; the recurring job once`, async () => {
    await database.db.transaction().execute(async (trx) => {
      for (let n = 1; n <= JOBS; n++) await enqueue(trx, 'reliability.work', { n });
    });
    const started = Date.now();
    await Promise.all([startWorker('A'), startWorker('B')]);
    await until(
      'the queue is empty',
      async () =>
        (await database.db.selectFrom('job').select('id').where('name', '=', 'reliability.work').execute()).length ===
        0,
      120_000,
    );
    const elapsed = Date.now() - started;
    // The hourly job, due at start, is fired at the first poll even while the queue is busy.
    assert.equal(
      (await database.db.selectFrom('job').select('id').where('name', '=', 'reliability.hourly').execute()).length,
      0,
      'the recurring job was not starved',
    );

    const ran = await executions();
    const work = ran.filter((e) => e.job !== 'hourly');
    const byJob = new Map<string, number>();
    for (const e of work) byJob.set(e.job, (byJob.get(e.job) ?? 0) + 1);
    const twice = [...byJob].filter(([, count]) => count > 1);
    assert.deepEqual(twice, [], 'no job ran twice');
    assert.equal(byJob.size, JOBS, 'every job ran');
    const perWorker = {
      A: work.filter((e) => e.worker === 'A').length,
      B: work.filter((e) => e.worker === 'B').length,
    };
    assert.ok(perWorker.A > 0 && perWorker.B > 0, `both instances worked (${JSON.stringify(perWorker)})`);
    assert.equal(ran.filter((e) => e.job === 'hourly').length, 1, 'the recurring job registered by both ran once');
    assert.equal((await database.db.selectFrom('job_schedule').selectAll().execute()).length, 1);
    summary.push(
      `${JOBS} jobs in ${elapsed} ms with two workers of 4 (incl. start-up), A ran ${perWorker.A}, B ${perWorker.B}, 0 twice`,
    );
  });

  test('a worker killed mid-job: the other runs it again after the lease, and it finishes once', async () => {
    await enqueue(database.db, 'reliability.slow');
    await until('a worker starts the slow job', async () => (await executions('slow')).length === 1, 30_000);
    const [first] = await executions('slow');
    const victim = workers.get(first!.worker)!;
    victim.kill('SIGKILL');
    const killedAt = Date.now();
    assert.equal((await exited(victim)).signal, 'SIGKILL');
    await until(
      'the slow job is finished',
      async () => (await executions('slow')).some((e) => e.event === 'finished'),
      30_000,
    );
    const retriedAfter = Date.now() - killedAt;

    const slow = await executions('slow');
    const survivor = first!.worker === 'A' ? 'B' : 'A';
    assert.deepEqual(
      slow.map((e) => [e.event, e.worker]),
      [
        ['started attempt 1', first!.worker],
        ['started attempt 2', survivor],
        ['finished', survivor],
      ],
    );
    const wait = slow[1]!.at.getTime() - slow[0]!.at.getTime();
    assert.ok(wait >= LEASE_MS, `not taken over before the lease had passed (${wait} ms)`);
    assert.deepEqual(
      await database.db.selectFrom('job').select('id').where('name', '=', 'reliability.slow').execute(),
      [],
    );
    summary.push(
      `killed worker's job retried ${wait} ms after it started (lease ${LEASE_MS} ms), finished ${retriedAfter} ms after the kill`,
    );

    const { code } = await (async () => {
      const child = workers.get(survivor)!;
      child.kill('SIGTERM');
      return exited(child);
    })();
    assert.equal(code, 0, 'the surviving worker stops cleanly');
  });
});
