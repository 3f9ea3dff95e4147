import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { mailTablesOf, type MailTables } from './schema.ts';
import type { JobTables } from '../jobs/schema.ts';
import { enqueue } from '../jobs/queue.ts';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface MailSettings {
  smtpUrl: string;
  from: string;
}

/** The job that sends one outbox message. */
export const SEND_MAIL_JOB = 'mail.send';
/** With the default backoff (10 s, doubling, at most an hour): about three and a half hours of tries. */
export const SEND_MAIL_ATTEMPTS = 12;

export interface Outbox {
  /** Whether anything queued here is ever sent (SMTP_URL and MAIL_FROM are set). */
  readonly sends: boolean;
  /**
   * Queues a message in the caller's transaction, with the job that sends it: both exist
   * exactly when the change that causes them is committed. Returns the outbox id, or null
   * when mail is off.
   */
  queue<DB extends MailTables & JobTables>(trx: Kysely<DB> | Transaction<DB>, mail: Mail): Promise<string | null>;
}

/**
 * The mail outbox. With no SMTP configured (the default: the agency's pages promise no
 * email for profiles) a message is not queued at all rather than kept unsent: nothing
 * personal is stored for a purpose that will not come, and turning SMTP on later does not
 * send anyone a backlog of stale mail.
 */
export function createOutbox(settings: MailSettings | undefined): Outbox {
  if (!settings) return { sends: false, queue: async () => null };
  const domain = addressOf(settings.from).split('@')[1]!;
  return {
    sends: true,
    async queue(caller, mail) {
      const trx = mailTablesOf(caller);
      const id = randomUUID();
      await trx
        .insertInto('mail_outbox')
        // One Message-ID per outbox row, the same on every try: a copy that does get through
        // twice is recognisably the same message.
        .values({
          id,
          message_id: `<${id}@${domain}>`,
          to_address: mail.to,
          subject: mail.subject,
          body_text: mail.text,
        })
        .execute();
      await enqueue(trx, SEND_MAIL_JOB, { outboxId: id }, { maxAttempts: SEND_MAIL_ATTEMPTS });
      return id;
    },
  };
}

/** `Name <address>` or a bare address (as config checked MAIL_FROM): the address. */
function addressOf(from: string): string {
  return /<([^>]+)>\s*$/.exec(from)?.[1] ?? from;
}
