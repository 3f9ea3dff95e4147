import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { JobDb as Db } from './schema.ts';
import { enqueue } from './queue.ts';
import { checkSchedule, nextRun, type Schedule } from './schedule.ts';

/** What a handler learns about the job it runs. */
export interface RunningJob {
  id: string;
  name: string;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
}

/**
 * Does the work. Throwing fails this attempt: the job is retried after a backoff, or
 * dead-lettered after its last attempt. A job can run more than once (a worker that
 * stopped after doing the work but before recording it), so a handler must tolerate a
 * repeat: check what is already done, or make the effect idempotent.
 */
export type JobHandler = (payload: Record<string, unknown>, job: RunningJob) => Promise<void>;

/**
 * Thrown by a handler when trying again cannot help (a mailbox that does not exist): the job
 * is dead-lettered at once, with this error as its last, instead of retried after a backoff.
 */
export class PermanentFailure extends Error {
  override name = 'PermanentFailure';
}

export interface JobLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RunnerOptions {
  /** How often an idle worker looks for due jobs and recurring runs. */
  pollMs?: number;
  /** How long a claimed job is the worker's alone; renewed while it runs, so only a stopped worker loses it. */
  leaseMs?: number;
  /** Retry n waits baseMs × 2^(n-1), at most maxMs. */
  backoff?: { baseMs: number; maxMs: number };
  /** Jobs run at the same time by this worker. */
  concurrency?: number;
  /** On stop, how long a running job may take to finish before it is released to another worker. */
  stopTimeoutMs?: number;
  log?: JobLog;
}

const silent: JobLog = { warn: () => undefined, error: () => undefined };

/**
 * A durable job runner on the `job` table (migration 0011), the same on PGlite and on
 * PostgreSQL. Modules register handlers by job name; each instance runs one runner and
 * every runner works the same table. A job is claimed with `FOR UPDATE SKIP LOCKED` and a
 * lease, so one worker runs it; the lease is renewed while the handler runs, and a job whose
 * worker died is claimed again once its lease has passed. Handlers run outside any
 * transaction: on PGlite's single connection a transaction held across network I/O would
 * stop every request.
 */
export class JobRunner {
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly #db: Db;
  readonly #pollMs: number;
  readonly #leaseMs: number;
  readonly #backoff: { baseMs: number; maxMs: number };
  readonly #concurrency: number;
  readonly #stopTimeoutMs: number;
  readonly #log: JobLog;
  readonly #handlers = new Map<string, JobHandler>();
  readonly #schedules = new Map<string, Schedule>();
  /** Running jobs by id, with the timer renewing each one's lease. */
  readonly #running = new Map<string, NodeJS.Timeout>();
  readonly #sleepers = new Set<() => void>();
  #loops: Promise<void>[] = [];
  #schedulesCheckedAt = 0;
  #stopping = false;

  constructor(db: Db, options: RunnerOptions = {}) {
    this.#db = db;
    this.#pollMs = options.pollMs ?? 1000;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#backoff = options.backoff ?? { baseMs: 10_000, maxMs: 3_600_000 };
    this.#concurrency = options.concurrency ?? 1;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.#log = options.log ?? silent;
  }

  handle(name: string, handler: JobHandler): this {
    if (this.#handlers.has(name)) throw new Error(`Job ${name} already has a handler`);
    this.#handlers.set(name, handler);
    return this;
  }

  /** Runs the job `name` (its handler registered with `handle`) on a schedule shared by every instance. */
  every(name: string, schedule: Schedule): this {
    checkSchedule(name, schedule);
    this.#schedules.set(name, schedule);
    return this;
  }

  /** The delay before retry `attempt + 1`, after `attempt` runs have failed. */
  backoffMs(attempt: number): number {
    return Math.min(this.#backoff.maxMs, this.#backoff.baseMs * 2 ** (attempt - 1));
  }

  async start(): Promise<void> {
    for (const name of this.#schedules.keys()) {
      if (!this.#handlers.has(name)) throw new Error(`Recurring job ${name} has no handler`);
    }
    await this.#registerSchedules();
    this.#stopping = false;
    this.#loops = Array.from({ length: this.#concurrency }, () => this.#work());
  }

  /**
   * Stops claiming; lets running jobs finish for up to `stopTimeoutMs`, then gives the ones
   * still running back to the queue (not counted as an attempt) so another worker, or this
   * one after a restart, takes them up at once instead of after the lease.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const wake of this.#sleepers) wake();
    const finished = Promise.all(this.#loops).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.#stopTimeoutMs)));
    const done = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (!done && this.#running.size > 0) {
      const ids = [...this.#running.keys()];
      for (const renew of this.#running.values()) clearInterval(renew);
      await this.#db
        .updateTable('job')
        .set({ state: 'queued', locked_by: null, locked_until: null, attempts: sql`attempts - 1` })
        .where('id', 'in', ids)
        .where('locked_by', '=', this.workerId)
        .execute();
      this.#log.warn({ jobs: ids.length }, 'jobs still running at shutdown were released to the queue');
    }
    this.#loops = [];
  }

  /** Looks for work now rather than at the next poll (after enqueueing outside a transaction). */
  nudge(): void {
    for (const wake of this.#sleepers) wake();
  }

  /** Fires due recurring jobs, then runs due jobs until none is left. Returns how many ran. */
  async runDue(): Promise<number> {
    await this.#fireSchedules();
    let ran = 0;
    while (await this.#runOne()) ran++;
    return ran;
  }

  async #work(): Promise<void> {
    while (!this.#stopping) {
      let ran = false;
      try {
        // Once a poll whatever the load, so a busy queue does not starve the recurring jobs.
        if (Date.now() - this.#schedulesCheckedAt >= this.#pollMs) {
          this.#schedulesCheckedAt = Date.now();
          await this.#fireSchedules();
        }
        ran = await this.#runOne();
      } catch (err) {
        // The database is away (a restart, a failover): try again at the next poll.
        this.#log.error({ err }, 'job runner could not reach the database');
      }
      if (!ran && !this.#stopping) await this.#sleep(this.#pollMs);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleepers.add(wake);
    });
  }

  async #registerSchedules(): Promise<void> {
    const now = new Date();
    for (const [name, schedule] of this.#schedules) {
      const everyMs = 'everyMs' in schedule ? schedule.everyMs : null;
      const dailyAt = 'dailyAt' in schedule ? schedule.dailyAt : null;
      // An interval's first run is now; two instances starting together write the same row,
      // and a changed schedule takes effect at once.
      await this.#db
        .insertInto('job_schedule')
        .values({ name, every_ms: everyMs, daily_at: dailyAt, next_run_at: everyMs ? now : nextRun(schedule, now) })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet({
            every_ms: (eb) => eb.ref('excluded.every_ms'),
            daily_at: (eb) => eb.ref('excluded.daily_at'),
            next_run_at: sql`CASE WHEN job_schedule.every_ms IS NOT DISTINCT FROM excluded.every_ms
              AND job_schedule.daily_at IS NOT DISTINCT FROM excluded.daily_at
              THEN job_schedule.next_run_at ELSE excluded.next_run_at END`,
          }),
        )
        .execute();
    }
  }

  /**
   * The instance that locks a due schedule row enqueues the run and moves the row on, in one
   * transaction; the others skip the locked row, and once it is committed it is no longer due.
   * The run's singleton key keeps a slow run from being joined by the next.
   */
  async #fireSchedules(): Promise<void> {
    if (this.#schedules.size === 0) return;
    await this.#db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('job_schedule')
        .select('name')
        .where('name', 'in', [...this.#schedules.keys()])
        .where('next_run_at', '<=', sql<Date>`now()`)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const { name } of due) {
        await enqueue(trx, name, {}, { singletonKey: `schedule:${name}` });
        await trx
          .updateTable('job_schedule')
          .set({ next_run_at: nextRun(this.#schedules.get(name)!, new Date()) })
          .where('name', '=', name)
          .execute();
      }
    });
  }

  async #runOne(): Promise<boolean> {
    if (this.#stopping || this.#handlers.size === 0) return false;
    const names = [...this.#handlers.keys()];
    // A job whose worker died on its last attempt is not run again: it is dead.
    await this.#db
      .updateTable('job')
      .set({
        state: 'dead',
        dead_at: sql`now()`,
        locked_by: null,
        locked_until: null,
        last_error: sql`coalesce(last_error || ' / ', '') || 'the worker stopped during the last attempt'`,
      })
      .where('state', '=', 'running')
      .where('locked_until', '<', sql<Date>`now()`)
      .where(sql<boolean>`attempts >= max_attempts`)
      .where('name', 'in', names)
      .execute();
    const claimed = await this.#db
      .updateTable('job')
      .set({ state: 'running', attempts: sql`attempts + 1`, locked_by: this.workerId, locked_until: this.#leaseEnd() })
      .where(
        'id',
        '=',
        this.#db
          .selectFrom('job')
          .select('id')
          .where('name', 'in', names)
          .where((eb) =>
            eb.or([
              eb.and([eb('state', '=', 'queued'), eb('run_at', '<=', sql<Date>`now()`)]),
              eb.and([eb('state', '=', 'running'), eb('locked_until', '<', sql<Date>`now()`)]),
            ]),
          )
          .orderBy('run_at')
          .orderBy('id')
          .limit(1)
          .forUpdate()
          .skipLocked(),
      )
      .returning(['id', 'name', 'payload', 'attempts', 'max_attempts'])
      .executeTakeFirst();
    if (!claimed) return false;
    const job: RunningJob = {
      id: claimed.id,
      name: claimed.name,
      attempt: claimed.attempts,
      maxAttempts: claimed.max_attempts,
    };
    await this.#run(job, (claimed.payload ?? {}) as Record<string, unknown>);
    return true;
  }

  #leaseEnd() {
    return sql<Date>`now() + ${this.#leaseMs}::double precision * interval '1 millisecond'`;
  }

  async #run(job: RunningJob, payload: Record<string, unknown>): Promise<void> {
    const mine = () => this.#db.updateTable('job').where('id', '=', job.id).where('locked_by', '=', this.workerId);
    const renew = setInterval(() => {
      mine()
        .set({ locked_until: this.#leaseEnd() })
        .execute()
        .catch(() => undefined);
    }, this.#leaseMs / 3);
    this.#running.set(job.id, renew);
    const finished = () => {
      clearInterval(renew);
      this.#running.delete(job.id);
    };
    try {
      await this.#handlers.get(job.name)!(payload, job);
      finished();
      await this.#db.deleteFrom('job').where('id', '=', job.id).where('locked_by', '=', this.workerId).execute();
    } catch (err) {
      finished();
      const lastError = describe(err);
      const permanent = err instanceof PermanentFailure;
      if (permanent || job.attempt >= job.maxAttempts) {
        await mine()
          .set({ state: 'dead', dead_at: sql`now()`, locked_by: null, locked_until: null, last_error: lastError })
          .execute();
        this.#log.error(
          { job: job.name, jobId: job.id, attempts: job.attempt, error: lastError },
          permanent ? 'job dead-lettered: trying again cannot help' : 'job dead-lettered after its last attempt',
        );
      } else {
        const delay = this.backoffMs(job.attempt);
        await mine()
          .set({
            state: 'queued',
            locked_by: null,
            locked_until: null,
            last_error: lastError,
            run_at: sql`now() + ${delay}::double precision * interval '1 millisecond'`,
          })
          .execute();
        this.#log.warn(
          { job: job.name, jobId: job.id, attempt: job.attempt, retryInMs: delay, error: lastError },
          'job failed; will retry',
        );
      }
    }
  }
}

/**
 * The error as an operator reads it, without its stack or attached objects (a response
 * with headers, a request with a token): the message alone, cut short.
 */
function describe(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
