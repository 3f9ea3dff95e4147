import type { ColumnType, Generated } from 'kysely';

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
