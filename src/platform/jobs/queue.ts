import { sql, type Kysely, type Transaction } from 'kysely';
import { jobTablesOf, type JobDb as Db, type JobTables } from './schema.ts';

export interface EnqueueOptions {
  /** Not before this time (a scheduled job); now when absent. */
  runAt?: Date;
  /** Runs in all, the first included; after the last failure the job is dead-lettered. */
  maxAttempts?: number;
  /**
   * At most one job with this key waits or runs at a time: a second enqueue is a no-op
   * (returns null). Recurring jobs use it so a slow run is not joined by the next one.
   */
  singletonKey?: string;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/**
 * Adds a job. Pass the transaction of the change that causes it: the job exists exactly
 * when the change is committed, and a rollback leaves neither. The payload is stored as
 * JSON and can be read by an operator, so it carries ids, never secrets.
 */
export async function enqueue<DB extends JobTables>(
  caller: Kysely<DB> | Transaction<DB>,
  name: string,
  payload: Record<string, unknown> = {},
  options: EnqueueOptions = {},
): Promise<string | null> {
  const db = jobTablesOf(caller);
  const row = await db
    .insertInto('job')
    .values({
      name,
      payload: JSON.stringify(payload),
      max_attempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      ...(options.runAt ? { run_at: options.runAt } : {}),
      singleton_key: options.singletonKey ?? null,
    })
    .onConflict((oc) => oc.column('singleton_key').where('state', '<>', sql.lit('dead')).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** A dead job queued again from its first attempt (an operator's decision); undefined if there is no such dead job. */
export async function retryDeadJob(db: Db, id: string): Promise<{ name: string } | undefined> {
  return db
    .updateTable('job')
    .set({ state: 'queued', attempts: 0, run_at: sql`now()`, dead_at: null })
    .where('id', '=', id)
    .where('state', '=', 'dead')
    .returning('name')
    .executeTakeFirst();
}

/** What an operator looks at: jobs given up on, newest first, with their last error. */
export async function deadJobs(db: Db, name?: string) {
  return db
    .selectFrom('job')
    .select(['id', 'name', 'payload', 'attempts', 'last_error', 'created_at', 'dead_at'])
    .where('state', '=', 'dead')
    .$if(name !== undefined, (q) => q.where('name', '=', name!))
    .orderBy('dead_at', 'desc')
    .execute();
}
