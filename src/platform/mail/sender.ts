import nodemailer from 'nodemailer';
import { sql } from 'kysely';
import type { MailDb as Db } from './schema.ts';
import { faultPoint } from '../faults.ts';
import { PermanentFailure, type JobHandler, type JobLog } from '../jobs/runner.ts';
import type { MailSettings } from './outbox.ts';

export interface MailSender {
  send: JobHandler;
  close(): void;
}

/**
 * Sends outbox messages through SMTP, one job per message.
 *
 * At most once where it cannot be known: the row is marked `sending` (committed) before
 * the message is handed to the SMTP server and `sent` after the server accepted it. A
 * temporary failure (a 4xx reply, a lost connection) puts it back to `queued` and the job is
 * retried (`failed` after the last attempt, when the job is dead-lettered). A permanent one
 * (a 5xx reply: no such mailbox, message refused) is the server's final word: the message
 * is `failed` at once and its job dead-lettered with the reply, for an operator. A worker that stopped in between (crash, kill, lost lease) leaves `sending`;
 * the retry cannot tell whether the server took the message, so it marks it `unknown` for
 * an operator rather than risk sending it twice. A duplicate notice about a licence would
 * confuse; an `unknown` row is visible and can be queued again by hand.
 */
export function mailSender(db: Db, settings: MailSettings, log?: JobLog): MailSender {
  const transport = nodemailer.createTransport(settings.smtpUrl);
  const send: JobHandler = async (payload, job) => {
    const outboxId = String(payload.outboxId);
    const message = await db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('mail_outbox')
        .selectAll()
        .where('id', '=', outboxId)
        .forUpdate()
        .executeTakeFirst();
      if (!row || (row.state !== 'queued' && row.state !== 'sending')) return undefined;
      if (row.state === 'sending') {
        await trx.updateTable('mail_outbox').set({ state: 'unknown' }).where('id', '=', outboxId).execute();
        log?.warn(
          { messageId: row.message_id },
          'a mail was being sent when its worker stopped; not sent again (state unknown)',
        );
        return undefined;
      }
      await trx
        .updateTable('mail_outbox')
        .set({ state: 'sending', attempts: sql`attempts + 1` })
        .where('id', '=', outboxId)
        .execute();
      return row;
    });
    if (!message) return;
    try {
      await transport.sendMail({
        from: settings.from,
        to: message.to_address,
        subject: message.subject,
        text: message.body_text,
        messageId: message.message_id,
      });
    } catch (err) {
      const permanent = replyCodeOf(err) >= 500;
      const state = permanent || job.attempt >= job.maxAttempts ? 'failed' : 'queued';
      await db
        .updateTable('mail_outbox')
        .set({ state })
        .where('id', '=', outboxId)
        .where('state', '=', 'sending')
        .execute();
      throw permanent ? new PermanentFailure(err instanceof Error ? err.message : String(err), { cause: err }) : err;
    }
    faultPoint('mail.send:after-send');
    await db
      .updateTable('mail_outbox')
      .set({ state: 'sent', sent_at: sql`now()` })
      .where('id', '=', outboxId)
      .execute();
  };
  return { send, close: () => transport.close() };
}

/** The SMTP reply code nodemailer attaches to a refusal; 0 when there was no reply (a connection error). */
function replyCodeOf(err: unknown): number {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' ? code : 0;
}
