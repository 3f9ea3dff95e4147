import { sql, type Kysely } from 'kysely';

/**
 * ELAR's payments (issue 13): one row per attempt to pay for something, the provider
 * events already handled, the refunds, and the built-in test provider's own record of its
 * checkout sessions (kept apart, as a real provider keeps its own books).
 *
 * "One charge, whatever happens" rests on three constraints here rather than on checks in
 * code: a unique idempotency key per attempt, at most one open attempt per thing and
 * purpose (a partial unique index: two requests at once cannot both insert), and a unique
 * (provider, event id) so a callback handled once is never handled again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createSchema('elar').ifNotExists().execute();
  // Receipt numbers a person can read out on the phone; gaps (a rolled-back payment) are harmless.
  await sql`CREATE SEQUENCE elar.payment_receipt_seq START 100001`.execute(db);
  await db.schema
    .withSchema('elar')
    .createTable('payment')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('payable_kind', 'text', (c) => c.notNull())
    .addColumn('payable_id', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('owner_sub', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'integer', (c) => c.notNull().check(sql`amount_cents > 0`))
    .addColumn('refunded_cents', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('currency', 'text', (c) => c.notNull().defaultTo('usd'))
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`state IN ('open', 'succeeded', 'declined', 'canceled', 'partially_refunded', 'refunded')`),
    )
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_session_id', 'text', (c) => c.unique())
    .addColumn('checkout_url', 'text')
    .addColumn('card_last4', 'text')
    .addColumn('decline_reason', 'text')
    .addColumn('receipt_number', 'bigint', (c) => c.unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addCheckConstraint('payment_refund_within_amount', sql`refunded_cents >= 0 AND refunded_cents <= amount_cents`)
    .execute();
  // One live attempt per thing and purpose: an open one (being paid) or a paid one. Two
  // requests at once cannot both insert, and a paid fee cannot be paid a second time.
  await sql`CREATE UNIQUE INDEX payment_one_live_per_payable ON elar.payment (payable_kind, payable_id, purpose)
    WHERE state IN ('open', 'succeeded', 'partially_refunded')`.execute(db);
  await sql`CREATE INDEX payment_owner ON elar.payment (owner_sub, created_at)`.execute(db);
  // What reconciliation looks through: the few attempts still open.
  await sql`CREATE INDEX payment_open_since ON elar.payment (created_at) WHERE state = 'open'`.execute(db);

  await db.schema
    .withSchema('elar')
    .createTable('provider_event')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('payment_id', 'uuid', (c) => c.references('elar.payment.id'))
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('provider_event_pkey', ['provider', 'event_id'])
    .execute();

  await db.schema
    .withSchema('elar')
    .createTable('refund')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('payment_id', 'uuid', (c) => c.notNull().references('elar.payment.id'))
    .addColumn('amount_cents', 'integer', (c) => c.notNull().check(sql`amount_cents > 0`))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('staff_sub', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('provider_refund_id', 'text', (c) => c.unique())
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`state IN ('pending', 'succeeded', 'failed')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .execute();
  await sql`CREATE INDEX refund_payment ON elar.refund (payment_id)`.execute(db);

  // The test provider's books: what a card network would keep, not ELAR's payment record.
  await db.schema
    .withSchema('elar')
    .createTable('test_checkout')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('amount_cents', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('return_url', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`state IN ('open', 'paid', 'declined', 'canceled')`),
    )
    .addColumn('card_last4', 'text')
    .addColumn('refunded_cents', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .execute();
  await db.schema
    .withSchema('elar')
    .createTable('test_refund')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('checkout_id', 'text', (c) => c.notNull().references('elar.test_checkout.id'))
    .addColumn('amount_cents', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}
