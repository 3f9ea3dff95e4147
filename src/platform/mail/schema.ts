import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { JobTables } from '../jobs/schema.ts';

/** The mail outbox (migration 0011); the database type takes it in one line. */
export interface MailTables {
  mail_outbox: {
    id: Generated<string>;
    message_id: string;
    to_address: string;
    subject: string;
    body_text: string;
    state: Generated<'queued' | 'sending' | 'sent' | 'unknown' | 'failed'>;
    attempts: Generated<number>;
    created_at: ColumnType<Date, Date | string | undefined, Date | string>;
    sent_at: Date | null;
  };
}

/** The outbox and the job queue that sends it: all the mail code needs of a database. */
export type MailDb = Kysely<MailTables & JobTables>;

/** A database (or the caller's transaction) that has the outbox and the queue, seen as one with only them. */
export function mailTablesOf<DB extends MailTables & JobTables>(db: Kysely<DB> | Transaction<DB>): MailDb {
  return db as unknown as MailDb;
}
