import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

/** The job runner's tables (migration 0011); the database type takes them in one line. */
export interface JobTables {
  job: {
    id: Generated<string>;
    name: string;
    payload: ColumnType<unknown, string | undefined, string>;
    state: Generated<'queued' | 'running' | 'dead'>;
    run_at: ColumnType<Date, Date | string | undefined, Date | string>;
    attempts: Generated<number>;
    max_attempts: number;
    locked_by: string | null;
    locked_until: Date | null;
    last_error: string | null;
    singleton_key: string | null;
    created_at: CreatedAt;
    dead_at: Date | null;
  };
  job_schedule: {
    name: string;
    every_ms: ColumnType<string | null, number | null, number | null>;
    daily_at: string | null;
    next_run_at: ColumnType<Date, Date | string, Date | string>;
  };
}

/** The job tables alone: the platform knows no module's tables (any database that has these will do). */
export type JobDb = Kysely<JobTables>;

/**
 * A database (or transaction) that has the job tables, seen as one with only them. Safe: the
 * constraint says the tables are there; Kysely's types cannot narrow a generic database.
 */
export function jobTablesOf<DB extends JobTables>(db: Kysely<DB> | Transaction<DB>): JobDb {
  return db as unknown as JobDb;
}
