import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Db } from '../../src/database.ts';
import { deadJobs, enqueue } from '../../src/platform/jobs/queue.ts';
import { JobRunner } from '../../src/platform/jobs/runner.ts';
import { nextRun } from '../../src/platform/jobs/schedule.ts';
import { freshDatabase, until } from '../helpers/database.ts';

/** The job runner on PGlite, or with DATABASE_URL on PostgreSQL (CI runs both). */

let db: Db;
let close: () => Promise<void>;
before(async () => ({ db, close } = await freshDatabase('jobs_test')));
after(() => close());
beforeEach(async () => {
  await db.deleteFrom('job').execute();
  await db.deleteFrom('job_schedule').execute();
});

const jobsNamed = (name: string) => db.selectFrom('job').selectAll().where('name', '=', name).execute();
/** Seconds from the database's now to the job's next run. */
async function secondsUntilRun(id: string): Promise<number> {
  const row = await db
    .selectFrom('job')
    .select(sql<number>`extract(epoch from run_at - now())::float8`.as('s'))
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.s;
}

describe('enqueueing in the transaction of the change', () => {
  test('a rolled-back change leaves no job; a committed one leaves one, which runs once with its payload', async () => {
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await enqueue(trx, 'greet', { to: 'rolled back' });
        throw new Error('the change fails');
      }),
      /the change fails/,
    );
    assert.equal((await jobsNamed('greet')).length, 0, 'no job survives the rollback');

    await db.transaction().execute((trx) => enqueue(trx, 'greet', { to: 'committed' }));
    const seen: unknown[] = [];
    const runner = new JobRunner(db).handle('greet', async (payload) => void seen.push(payload));
    assert.equal(await runner.runDue(), 1);
    assert.equal(await runner.runDue(), 0, 'nothing left to run');
    assert.deepEqual(seen, [{ to: 'committed' }]);
    assert.equal((await jobsNamed('greet')).length, 0, 'a finished job is not kept');
  });

  test('a scheduled job waits for its time', async () => {
    const seen: string[] = [];
    const runner = new JobRunner(db).handle('remind', async (p) => void seen.push(String(p.who)));
    await enqueue(db, 'remind', { who: 'later' }, { runAt: new Date(Date.now() + 3_600_000) });
    await enqueue(db, 'remind', { who: 'now' }, { runAt: new Date(Date.now() - 1000) });
    await runner.runDue();
    assert.deepEqual(seen, ['now']);
    assert.equal((await jobsNamed('remind')).length, 1, 'the later one still waits');
  });

  test('a singleton key allows one waiting job at a time', async () => {
    assert.ok(await enqueue(db, 'sweep', {}, { singletonKey: 'sweep' }));
    assert.equal(await enqueue(db, 'sweep', {}, { singletonKey: 'sweep' }), null);
    assert.equal((await jobsNamed('sweep')).length, 1);
  });

  test('a job no handler here knows is left for an instance that knows it', async () => {
    await enqueue(db, 'someone-else');
    assert.equal(await new JobRunner(db).handle('mine', async () => undefined).runDue(), 0);
    assert.equal((await jobsNamed('someone-else'))[0]!.state, 'queued');
  });
});

describe('failures', () => {
  test('a failed job is retried after an exponential backoff, with its last error kept', async () => {
    const runner = new JobRunner(db, { backoff: { baseMs: 60_000, maxMs: 150_000 } }).handle(
      'flaky',
      async (_, job) => {
        if (job.attempt < 4) throw new Error(`refused on attempt ${job.attempt}`);
      },
    );
    const id = (await enqueue(db, 'flaky'))!;
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      await runner.runDue();
      const [job] = await jobsNamed('flaky');
      assert.equal(job!.state, 'queued');
      assert.equal(job!.attempts, attempt);
      assert.equal(job!.last_error, `Error: refused on attempt ${attempt}`);
      waits.push(Math.round(await secondsUntilRun(id)));
      assert.equal(await runner.runDue(), 0, 'not retried before its time');
      await db
        .updateTable('job')
        .set({ run_at: sql`now()` })
        .where('id', '=', id)
        .execute(); // time passes
    }
    assert.deepEqual(waits, [60, 120, 150], 'one minute, then twice as long, up to the ceiling');
    assert.equal(await runner.runDue(), 1);
    assert.equal((await jobsNamed('flaky')).length, 0, 'the fourth attempt succeeded');
  });

  test('after its last attempt a job is dead-lettered with the last error, and not run again', async () => {
    let runs = 0;
    const runner = new JobRunner(db, { backoff: { baseMs: 0, maxMs: 0 } }).handle('doomed', async () => {
      runs++;
      throw new Error(`relying party answered 500 (run ${runs})`);
    });
    await enqueue(db, 'doomed', { application: 'gradebook' }, { maxAttempts: 3 });
    await runner.runDue();
    assert.equal(runs, 3);
    const dead = await deadJobs(db, 'doomed');
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.attempts, 3);
    assert.equal(dead[0]!.last_error, 'Error: relying party answered 500 (run 3)');
    assert.deepEqual(dead[0]!.payload, { application: 'gradebook' });
    assert.ok(dead[0]!.dead_at);
    assert.equal(await runner.runDue(), 0);
    assert.equal(runs, 3);
  });
});

describe('leases', () => {
  test('a job whose worker stopped is run again once its lease has passed, not before', async () => {
    const seen: number[] = [];
    const runner = new JobRunner(db).handle('lease', async (_, job) => void seen.push(job.attempt));
    const held = (await enqueue(db, 'lease'))!;
    const lost = (await enqueue(db, 'lease'))!;
    await db
      .updateTable('job')
      .set({ state: 'running', attempts: 1, locked_by: 'alive', locked_until: sql`now() + interval '1 minute'` })
      .where('id', '=', held)
      .execute();
    await db
      .updateTable('job')
      .set({ state: 'running', attempts: 1, locked_by: 'gone', locked_until: sql`now() - interval '1 second'` })
      .where('id', '=', lost)
      .execute();
    assert.equal(await runner.runDue(), 1);
    assert.deepEqual(seen, [2], 'the lost job ran as its second attempt');
    assert.deepEqual(
      (await jobsNamed('lease')).map((j) => [j.id, j.locked_by]),
      [[held, 'alive']],
      'the held one is left to its worker',
    );
  });

  test('a worker that stopped during the last attempt leaves a dead job, not another run', async () => {
    let runs = 0;
    const runner = new JobRunner(db).handle('last', async () => void runs++);
    const id = (await enqueue(db, 'last', {}, { maxAttempts: 2 }))!;
    await db
      .updateTable('job')
      .set({
        state: 'running',
        attempts: 2,
        locked_by: 'gone',
        last_error: 'Error: timeout',
        locked_until: sql`now() - interval '1 second'`,
      })
      .where('id', '=', id)
      .execute();
    assert.equal(await runner.runDue(), 0);
    assert.equal(runs, 0);
    const [dead] = await deadJobs(db, 'last');
    assert.equal(dead!.last_error, 'Error: timeout / the worker stopped during the last attempt');
  });

  test('the lease is renewed while a long job runs, so no other worker takes it', async () => {
    let release!: () => void;
    const slow = new JobRunner(db, { leaseMs: 150 }).handle(
      'long',
      () => new Promise<void>((resolve) => (release = resolve)),
    );
    let stolen = 0;
    const other = new JobRunner(db, { leaseMs: 150 }).handle('long', async () => void stolen++);
    await enqueue(db, 'long');
    const running = slow.runDue();
    await until('the slow worker runs the job', () => release !== undefined);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await other.runDue();
    }
    release();
    await running;
    assert.equal(stolen, 0, 'half a second is three leases, each renewed');
    assert.equal((await jobsNamed('long')).length, 0);
  });
});

describe('stopping', () => {
  test('stop lets a running job finish', async () => {
    let finished = false;
    const runner = new JobRunner(db, { pollMs: 10 }).handle('finish', async () => {
      await new Promise((r) => setTimeout(r, 100));
      finished = true;
    });
    await enqueue(db, 'finish');
    await runner.start();
    await until('the job starts', async () => (await jobsNamed('finish'))[0]?.state === 'running');
    await runner.stop();
    assert.equal(finished, true);
    assert.equal((await jobsNamed('finish')).length, 0);
  });

  test('a job still running when the stop times out goes back to the queue, its attempt not counted', async () => {
    const runner = new JobRunner(db, { pollMs: 10, stopTimeoutMs: 50 }).handle(
      'hang',
      () => new Promise(() => undefined),
    );
    await enqueue(db, 'hang');
    await runner.start();
    await until('the job starts', async () => (await jobsNamed('hang'))[0]?.state === 'running');
    await runner.stop();
    const [job] = await jobsNamed('hang');
    assert.deepEqual([job!.state, job!.attempts, job!.locked_by], ['queued', 0, null]);
    assert.equal(
      await new JobRunner(db).handle('hang', async () => undefined).runDue(),
      1,
      'another worker takes it at once',
    );
  });
});

describe('recurring jobs', () => {
  test('two instances starting at once keep one schedule and run each occurrence once', async () => {
    let runs = 0;
    const instance = () =>
      new JobRunner(db, { pollMs: 10 }).handle('sweep', async () => void runs++).every('sweep', { everyMs: 3_600_000 });
    const [a, b] = [instance(), instance()];
    await Promise.all([a.start(), b.start()]);
    await until('the first run', () => runs > 0);
    await new Promise((r) => setTimeout(r, 200));
    await Promise.all([a.stop(), b.stop()]);
    assert.equal(runs, 1, 'the first occurrence ran once; the next is an hour away');
    const schedules = await db.selectFrom('job_schedule').selectAll().execute();
    assert.equal(schedules.length, 1);
    const inAnHour = schedules[0]!.next_run_at.getTime() - Date.now();
    assert.ok(inAnHour > 3_500_000 && inAnHour <= 3_600_000, `next run in about an hour (${inAnHour} ms)`);
  });

  test('a recurring job runs again at every interval, never twice at once', async () => {
    let runs = 0;
    let concurrent = 0;
    let most = 0;
    const instance = () =>
      new JobRunner(db, { pollMs: 5 })
        .handle('tick', async () => {
          most = Math.max(most, ++concurrent);
          runs++;
          await new Promise((r) => setTimeout(r, 30));
          concurrent--;
        })
        .every('tick', { everyMs: 40 });
    const [a, b] = [instance(), instance()];
    await Promise.all([a.start(), b.start()]);
    await until('three runs', () => runs >= 3);
    await Promise.all([a.stop(), b.stop()]);
    assert.equal(most, 1);
  });

  test('a restart keeps the next run time; a changed schedule takes effect', async () => {
    const runner = () => new JobRunner(db).handle('daily', async () => undefined);
    const before = runner().every('daily', { dailyAt: '03:30' });
    await before.start();
    await before.stop();
    const first = await db.selectFrom('job_schedule').select('next_run_at').executeTakeFirstOrThrow();
    await db
      .updateTable('job_schedule')
      .set({ next_run_at: new Date('2099-01-01T03:30:00Z') })
      .execute();
    const again = runner().every('daily', { dailyAt: '03:30' });
    await again.start();
    await again.stop();
    assert.equal(
      (await db.selectFrom('job_schedule').select('next_run_at').executeTakeFirstOrThrow()).next_run_at.toISOString(),
      '2099-01-01T03:30:00.000Z',
    );
    const changed = runner().every('daily', { dailyAt: '04:00' });
    await changed.start();
    await changed.stop();
    const now = (await db.selectFrom('job_schedule').select('next_run_at').executeTakeFirstOrThrow()).next_run_at;
    assert.equal(now.toISOString().slice(11, 16), '04:00');
    assert.equal(first.next_run_at.toISOString().slice(11, 16), '03:30');
  });

  test('a daily time is the next UTC occurrence', () => {
    assert.equal(
      nextRun({ dailyAt: '02:00' }, new Date('2026-03-08T01:59:00Z')).toISOString(),
      '2026-03-08T02:00:00.000Z',
    );
    assert.equal(
      nextRun({ dailyAt: '02:00' }, new Date('2026-03-08T02:00:00Z')).toISOString(),
      '2026-03-09T02:00:00.000Z',
    );
    assert.equal(
      nextRun({ dailyAt: '23:59' }, new Date('2026-12-31T23:59:30Z')).toISOString(),
      '2027-01-01T23:59:00.000Z',
    );
  });

  test('a recurring job without a handler, or with a bad schedule, stops start-up', async () => {
    await assert.rejects(
      new JobRunner(db).every('orphan', { everyMs: 1000 }).start(),
      /Recurring job orphan has no handler/,
    );
    assert.throws(() => new JobRunner(db).every('bad', { dailyAt: '25:00' }), /dailyAt must be HH:MM/);
    assert.throws(() => new JobRunner(db).every('bad', { everyMs: 0 }), /everyMs must be/);
  });
});
