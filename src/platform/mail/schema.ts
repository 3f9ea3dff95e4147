import type { ColumnType, Generated } from 'kysely';

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
