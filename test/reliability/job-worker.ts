/**
 * One instance's job runner for jobs.reliability.ts, as its own process: it works the
 * shared queue on DATABASE_URL until SIGTERM (a clean stop) or SIGKILL (a crash).
 * Every run is recorded in `reliability_execution`, which has no unique constraint, so a
 * job run twice shows as two rows instead of failing.
 */
import { sql } from 'kysely';
import { openDatabase } from '../../src/database.ts';
import { JobRunner } from '../../src/platform/jobs/runner.ts';

const worker = process.env.WORKER_NAME!;
const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: 'memory://', poolSize: 6 });
const db = database.db;
const record = (job: string, event: string) =>
  sql`INSERT INTO reliability_execution (job, event, worker) VALUES (${job}, ${event}, ${worker})`.execute(db);

const runner = new JobRunner(db, {
  pollMs: 50,
  leaseMs: Number(process.env.LEASE_MS),
  concurrency: 4,
  stopTimeoutMs: 5_000,
})
  .handle('reliability.work', async (payload) => {
    await record(String(payload.n), 'ran');
    // A little work, so that both instances' claims overlap.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
  })
  .handle('reliability.slow', async (_, job) => {
    await record('slow', `started attempt ${job.attempt}`);
    // The first attempt hangs until its worker is killed; the retry finishes.
    if (job.attempt === 1) await new Promise((resolve) => setTimeout(resolve, 120_000));
    await record('slow', 'finished');
  })
  .handle('reliability.hourly', async () => void (await record('hourly', 'ran')))
  .every('reliability.hourly', { everyMs: 3_600_000 });

await runner.start();
console.log(`worker ${worker} started`);
process.once('SIGTERM', () => {
  void runner
    .stop()
    .then(() => database.close())
    .then(() => process.exit(0));
});
