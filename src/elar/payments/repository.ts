import { sql, type Kysely, type Selectable, type UpdateObject } from 'kysely';
import { elarErrors } from '../errors.ts';
import type { ElarDatabase } from '../schema.ts';
import type { PaymentState, PaymentTable, RefundTable } from './schema.ts';
import { checkTransition, type PaymentTransition } from './transitions.ts';

/** The SQL of payments, and nothing else. */

/** ELAR's handle, or a transaction on it. */
type Db = Kysely<ElarDatabase>;
export type PaymentRecord = Selectable<PaymentTable>;
export type RefundRecord = Selectable<RefundTable>;

/** The states in which a thing counts as paid for (or being paid for): at most one such payment per thing and purpose. */
export const LIVE_STATES: readonly PaymentState[] = ['open', 'succeeded', 'partially_refunded'];

export interface NewPayment {
  idempotencyKey: string;
  payableKind: string;
  payableId: string;
  purpose: string;
  description: string;
  ownerSub: string;
  amountCents: number;
  currency: string;
  provider: string;
}

/** The live payment for a thing and purpose, if there is one. */
export function findLivePayment(db: Db, kind: string, id: string, purpose: string) {
  return db
    .selectFrom('payment')
    .selectAll()
    .where('payable_kind', '=', kind)
    .where('payable_id', '=', id)
    .where('purpose', '=', purpose)
    .where('state', 'in', LIVE_STATES)
    .executeTakeFirst();
}

/**
 * Inserts an open payment unless the thing already has a live one: the partial unique
 * index decides, so two requests at once make one row. Null when another one is live.
 */
export async function insertOpenPayment(db: Db, p: NewPayment): Promise<PaymentRecord | undefined> {
  return (
    db
      .insertInto('payment')
      .values({
        idempotency_key: p.idempotencyKey,
        payable_kind: p.payableKind,
        payable_id: p.payableId,
        purpose: p.purpose,
        description: p.description,
        owner_sub: p.ownerSub,
        amount_cents: p.amountCents,
        currency: p.currency,
        provider: p.provider,
      })
      // The index's own predicate, as literals: PostgreSQL matches the partial index by it.
      .onConflict((oc) =>
        oc
          .columns(['payable_kind', 'payable_id', 'purpose'])
          .where(sql<boolean>`state IN ('open', 'succeeded', 'partially_refunded')`)
          .doNothing(),
      )
      .returningAll()
      .executeTakeFirst()
  );
}

export function findPayment(db: Db, id: string, options: { forUpdate?: boolean } = {}) {
  if (!UUID.test(id)) return Promise.resolve(undefined);
  return db
    .selectFrom('payment')
    .selectAll()
    .where('id', '=', id)
    .$if(options.forUpdate === true, (q) => q.forUpdate())
    .executeTakeFirst();
}

export function findPaymentBySession(db: Db, provider: string, sessionId: string) {
  return db
    .selectFrom('payment')
    .select('id')
    .where('provider', '=', provider)
    .where('provider_session_id', '=', sessionId)
    .executeTakeFirst();
}

/** Records the provider's checkout for a payment; the first one recorded stays (the same key gives the same one). */
export async function recordCheckout(db: Db, id: string, sessionId: string, url: string): Promise<void> {
  await db
    .updateTable('payment')
    .set({ provider_session_id: sessionId, checkout_url: url })
    .where('id', '=', id)
    .where('provider_session_id', 'is', null)
    .execute();
}

/**
 * The one way a payment's state changes: only from the state and version it was read in.
 * Zero rows means someone else moved it first, a conflict the caller never overrides.
 */
export async function applyTransition(
  db: Db,
  payment: PaymentRecord,
  transition: PaymentTransition,
  changes: Omit<UpdateObject<ElarDatabase, 'payment'>, 'state' | 'version'> = {},
): Promise<PaymentRecord> {
  const to = checkTransition(transition, payment.state);
  const moved = await db
    .updateTable('payment')
    .set({ ...changes, state: to, version: payment.version + 1 })
    .where('id', '=', payment.id)
    .where('state', '=', payment.state)
    .where('version', '=', payment.version)
    .returningAll()
    .executeTakeFirst();
  if (!moved) throw elarErrors.paymentConflict();
  return moved;
}

/** The next receipt number: sequential, never reused. */
export const nextReceiptNumber = sql<string>`nextval('elar.payment_receipt_seq')`;

/**
 * Open payments older than the cutoff, a page at a time in id order, after `afterId` (the
 * last of the page before): what reconciliation asks the provider about. By id, not by
 * time: timestamps are finer in the database than in JavaScript, so a time cursor could
 * read the same row again.
 */
export function openPaymentsBefore(
  db: Db,
  cutoff: Date,
  { afterId, limit = 100 }: { afterId?: string; limit?: number } = {},
) {
  return db
    .selectFrom('payment')
    .selectAll()
    .where('state', '=', 'open')
    .where('created_at', '<', cutoff)
    .$if(afterId !== undefined, (q) => q.where('id', '>', afterId!))
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Records a provider event as handled; false when it was handled before. */
export async function recordProviderEvent(db: Db, provider: string, eventId: string, paymentId: string | null) {
  const row = await db
    .insertInto('provider_event')
    .values({ provider, event_id: eventId, payment_id: paymentId })
    .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return row !== undefined;
}

export function refundsOf(db: Db, paymentId: string) {
  return db.selectFrom('refund').selectAll().where('payment_id', '=', paymentId).orderBy('created_at').execute();
}

/** What is refunded or being refunded: a new refund may take only what is left. */
export async function committedRefundCents(db: Db, paymentId: string): Promise<number> {
  const row = await db
    .selectFrom('refund')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_cents'), sql<number>`0`).as('total'))
    .where('payment_id', '=', paymentId)
    .where('state', 'in', ['pending', 'succeeded'])
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export function insertRefund(
  db: Db,
  r: { paymentId: string; amountCents: number; reason: string; staffSub: string; idempotencyKey: string },
) {
  return db
    .insertInto('refund')
    .values({
      payment_id: r.paymentId,
      amount_cents: r.amountCents,
      reason: r.reason,
      staff_sub: r.staffSub,
      idempotency_key: r.idempotencyKey,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findRefund(db: Db, id: string) {
  if (!UUID.test(id)) return Promise.resolve(undefined);
  return db.selectFrom('refund').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Ends a pending refund; false when it had already ended (a repeated job). */
export async function endRefund(
  db: Db,
  id: string,
  outcome: { state: 'succeeded'; providerRefundId: string } | { state: 'failed' },
): Promise<boolean> {
  const result = await db
    .updateTable('refund')
    .set({
      state: outcome.state,
      provider_refund_id: outcome.state === 'succeeded' ? outcome.providerRefundId : null,
      completed_at: new Date(),
    })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
