import { sql, type Kysely } from 'kysely';

/**
 * The mail outbox (src/platform/mail/schema.ts), created by the portal's migration 0011 and
 * by ELAR's 0014 in its own schema, in the current schema.
 *
 * Messages are written in the transaction of the change that causes them and sent by the
 * `mail.send` job. `sending` marks a hand-over to SMTP whose outcome is not yet recorded; a
 * retry that finds it says `unknown` instead of sending twice. `failed`: the server refused it.
 */
export async function createMailOutbox(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE mail_outbox (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      message_id text NOT NULL UNIQUE,
      to_address text NOT NULL,
      subject text NOT NULL,
      body_text text NOT NULL,
      state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'unknown', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz
    )`.execute(db);
}
