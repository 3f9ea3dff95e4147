import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { enqueue } from '../../platform/jobs/queue.ts';
import type { ElarDb } from '../schema.ts';
import {
  WebhookSignatureError,
  type Checkout,
  type CheckoutRequest,
  type CheckoutStatus,
  type PaymentProvider,
  type ProviderNotice,
  type RefundRequest,
} from './provider.ts';
import type { CardOutcome } from './test-cards.ts';

type Db = ElarDb;

/** The job that tells ELAR's webhook a test checkout has ended, retried like a real provider's callbacks. */
export const TEST_NOTICE_JOB = 'elar.payments.test-provider-notice';
export const TEST_SIGNATURE_HEADER = 'elar-test-signature';
/** A checkout nobody finishes ends after a day, as a Stripe Checkout session does. */
const CHECKOUT_LIFETIME_MS = 24 * 3_600_000;
/** A callback older than this is refused: a captured one cannot be replayed later. */
const SIGNATURE_TOLERANCE_S = 300;

export interface TestProviderOptions {
  /** The card page of a checkout session. */
  checkoutUrl: (sessionId: string) => string;
  /** Where the signed callbacks go (ELAR's webhook route for this provider). */
  webhookUrl: string;
  webhookSecret: string;
  /** Called once a callback is queued (committed): the runner sends it now, as a real provider would, not at its next poll. */
  sendQueued?: () => void;
}

export function signTestNotice(secret: string, body: string, at = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${at}.${body}`).digest('hex');
  return `t=${at},v1=${mac}`;
}

/**
 * The built-in test provider: a checkout page served by ELAR itself, with its own books
 * (table `test_checkout`) kept apart from ELAR's payments, so ELAR meets it exactly as it
 * meets a real provider: by a redirect back, a signed callback and a status lookup.
 */
export class TestPaymentProvider implements PaymentProvider {
  readonly name = 'test' as const;

  constructor(
    private readonly db: Db,
    private readonly options: TestProviderOptions,
  ) {}

  async createCheckout(request: CheckoutRequest): Promise<Checkout> {
    // The idempotency key decides: a second request with it gets the first checkout back.
    await this.db
      .insertInto('test_checkout')
      .values({
        id: `tcs_${randomBytes(12).toString('hex')}`,
        idempotency_key: request.idempotencyKey,
        amount_cents: request.amountCents,
        currency: request.currency,
        description: request.description,
        return_url: request.returnUrl,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('test_checkout')
      .select('id')
      .where('idempotency_key', '=', request.idempotencyKey)
      .executeTakeFirstOrThrow();
    return { sessionId: row.id, url: this.options.checkoutUrl(row.id) };
  }

  async retrieve(sessionId: string): Promise<CheckoutStatus> {
    const row = await this.session(sessionId);
    if (!row) return { state: 'canceled' };
    switch (row.state) {
      case 'paid':
        return { state: 'paid', amountCents: row.amount_cents, cardLast4: row.card_last4 };
      case 'declined':
        return { state: 'declined', reason: 'The card was declined.' };
      case 'canceled':
        return { state: 'canceled' };
      default:
        return { state: 'open' };
    }
  }

  async cancelCheckout(sessionId: string): Promise<void> {
    await this.db
      .updateTable('test_checkout')
      .set({ state: 'canceled', completed_at: new Date() })
      .where('id', '=', sessionId)
      .where('state', '=', 'open')
      .execute();
  }

  async refund(request: RefundRequest): Promise<{ refundId: string }> {
    return this.db.transaction().execute(async (trx) => {
      const done = await trx
        .selectFrom('test_refund')
        .select('id')
        .where('idempotency_key', '=', request.idempotencyKey)
        .executeTakeFirst();
      if (done) return { refundId: done.id };
      const refunded = await trx
        .updateTable('test_checkout')
        .set((eb) => ({ refunded_cents: eb('refunded_cents', '+', request.amountCents) }))
        .where('id', '=', request.sessionId)
        .where('state', '=', 'paid')
        .where((eb) => eb(eb('refunded_cents', '+', request.amountCents), '<=', eb.ref('amount_cents')))
        .executeTakeFirst();
      if (Number(refunded.numUpdatedRows) !== 1)
        throw new Error('test provider: nothing left to refund on this checkout');
      const refundId = `tre_${randomBytes(12).toString('hex')}`;
      await trx
        .insertInto('test_refund')
        .values({
          id: refundId,
          idempotency_key: request.idempotencyKey,
          checkout_id: request.sessionId,
          amount_cents: request.amountCents,
        })
        .execute();
      return { refundId };
    });
  }

  async findRefund(request: RefundRequest): Promise<{ refundId: string } | null> {
    const done = await this.db
      .selectFrom('test_refund')
      .select('id')
      .where('idempotency_key', '=', request.idempotencyKey)
      .where('checkout_id', '=', request.sessionId)
      .executeTakeFirst();
    return done ? { refundId: done.id } : null;
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): ProviderNotice | null {
    const header = headers[TEST_SIGNATURE_HEADER];
    const parts = Object.fromEntries(
      (typeof header === 'string' ? header : '').split(',').map((p) => p.split('=', 2) as [string, string]),
    );
    const at = Number(parts.t);
    if (!Number.isInteger(at) || typeof parts.v1 !== 'string') throw new WebhookSignatureError();
    if (Math.abs(Date.now() / 1000 - at) > SIGNATURE_TOLERANCE_S)
      throw new WebhookSignatureError('The callback is too old');
    const expected = Buffer.from(signTestNotice(this.options.webhookSecret, rawBody.toString('utf8'), at));
    const given = Buffer.from(`t=${parts.t},v1=${parts.v1}`);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new WebhookSignatureError();
    let event: unknown;
    try {
      event = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new WebhookSignatureError('The callback is not JSON');
    }
    const { id, session } = (event ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || typeof session !== 'string') return null;
    return { eventId: id, sessionId: session };
  }

  // The provider's own side: the card page and its callbacks.

  /** A checkout as the provider holds it; one open for more than a day is ended first (canceled). */
  async session(id: string) {
    const row = await this.db.selectFrom('test_checkout').selectAll().where('id', '=', id).executeTakeFirst();
    if (row?.state !== 'open' || Date.now() - row.created_at.getTime() <= CHECKOUT_LIFETIME_MS) return row;
    return (
      (await this.db
        .updateTable('test_checkout')
        .set({ state: 'canceled', completed_at: new Date() })
        .where('id', '=', id)
        .where('state', '=', 'open')
        .returningAll()
        .executeTakeFirst()) ?? this.db.selectFrom('test_checkout').selectAll().where('id', '=', id).executeTakeFirst()
    );
  }

  /**
   * Ends an open checkout with the card's outcome and queues the callback, in one
   * transaction. A checkout ends once: a second submission (two tabs, the back button, a
   * double click) finds it ended and changes nothing. Returns where to send the person.
   */
  async complete(id: string, outcome: CardOutcome & { ok: true }): Promise<string | undefined> {
    const returnUrl = await this.db.transaction().execute(async (trx) => {
      const ended = await trx
        .updateTable('test_checkout')
        .set({
          state: outcome.result,
          card_last4: outcome.last4,
          completed_at: new Date(),
        })
        .where('id', '=', id)
        .where('state', '=', 'open')
        .where('created_at', '>', new Date(Date.now() - CHECKOUT_LIFETIME_MS))
        .returning('return_url')
        .executeTakeFirst();
      if (ended) await enqueue(trx, TEST_NOTICE_JOB, { eventId: `tevt_${randomUUID()}`, sessionId: id });
      return ended?.return_url;
    });
    if (returnUrl !== undefined) this.options.sendQueued?.();
    return returnUrl;
  }

  /** The job: posts the signed callback to ELAR's webhook; a refusal or no answer is retried. */
  async deliverNotice(payload: Record<string, unknown>): Promise<void> {
    const body = JSON.stringify({ id: payload.eventId, type: 'checkout.ended', session: payload.sessionId });
    const res = await fetch(this.options.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [TEST_SIGNATURE_HEADER]: signTestNotice(this.options.webhookSecret, body),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`the webhook answered ${res.status}`);
  }
}
