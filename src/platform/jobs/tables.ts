import { sql, type Kysely } from 'kysely';

/**
 * The job runner's tables, created by the portal's migration 0011 and by ELAR's 0014 in its
 * own schema: a module that runs jobs owns a queue of its own (the runner claims only the
 * jobs it has handlers for, but an operator reads one module's queue at a time). Created in
 * the current schema: callers choose it (src/platform/db.ts `inSchema`).
 *
 * - `job`: one row per piece of work still to do, or given up on (`dead`, with its last
 *   error, kept for an operator). A finished job is deleted. `locked_until` is the lease of
 *   the worker running it: past it, the job is another worker's to retry.
 * - `job_schedule`: one row per recurring job, whichever instance registered it first;
 *   the instance that claims a due row enqueues the run and moves `next_run_at`.
 */
export async function createJobTables(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE job (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      payload jsonb NOT NULL DEFAULT '{}'::jsonb,
      state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'dead')),
      run_at timestamptz NOT NULL DEFAULT now(),
      attempts integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL CHECK (max_attempts > 0),
      locked_by text,
      locked_until timestamptz,
      last_error text,
      singleton_key text,
      created_at timestamptz NOT NULL DEFAULT now(),
      dead_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX job_due ON job (run_at) WHERE state = 'queued'`.execute(db);
  await sql`CREATE INDEX job_leased ON job (locked_until) WHERE state = 'running'`.execute(db);
  await sql`CREATE UNIQUE INDEX job_singleton ON job (singleton_key) WHERE state <> 'dead'`.execute(db);
  await sql`
    CREATE TABLE job_schedule (
      name text PRIMARY KEY,
      every_ms bigint CHECK (every_ms > 0),
      daily_at text CHECK (daily_at ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      next_run_at timestamptz NOT NULL,
      CHECK ((every_ms IS NULL) <> (daily_at IS NULL))
    )`.execute(db);
}
