import { randomUUID } from 'node:crypto';
import { faultPoint } from '../../platform/faults.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { audit } from '../audit-events.ts';
import { PortalError } from '../../platform/errors.ts';
import { elarErrors } from '../errors.ts';
import type { Transaction } from 'kysely';
import type { ElarDatabase, ElarDb } from '../schema.ts';
import { hasPaidHook, paidHookFor, refundCheckFor } from './payables.ts';
import type { CheckoutStatus, PaymentProvider } from './provider.ts';
import {
  applyTransition,
  committedRefundCents,
  endRefund,
  findLivePayment,
  findPayment,
  findPaymentBySession,
  findRefund,
  insertOpenPayment,
  insertRefund,
  nextReceiptNumber,
  openPaymentsBefore,
  recordCheckout,
  recordProviderEvent,
  type PaymentRecord,
} from './repository.ts';
import { hasReceipt } from './transitions.ts';

/** The automatic refund of a payment whose thing stopped waiting for it; the actor is the system, not staff. */
const UNPAYABLE_REFUND = {
  staffSub: 'system:payments',
  reason: 'The application was withdrawn before the payment went through, so the fee is returned in full.',
};
/** Refunds refused for who asks or what it would do (not for a typo): each attempt is audited. */
const REFUSALS_AUDITED = new Set([
  elarErrors.refundOwnPayment.code,
  elarErrors.refundWhileOpen.code,
  elarErrors.refundBeyondDroppedLicenses.code,
]);

/**
 * Payments' rules. One charge, whatever happens: the payment row is committed before the
 * provider is called and carries the idempotency key the provider is given; whichever word
 * from the provider arrives first (the person's redirect back, its callback, or the
 * reconciliation job asking) completes the payment and the thing paid for in one
 * transaction; every later word finds the payment no longer open and changes nothing.
 */

export const REFUND_JOB = 'elar.payments.send-refund';
export const RECONCILE_JOB = 'elar.payments.reconcile';

export interface Payable {
  kind: string;
  id: string;
  purpose: string;
  /** Decided by the caller on the server (the fee schedule), never read from the browser. */
  amountCents: number;
  description: string;
  ownerSub: string;
}

export type StartOutcome =
  { outcome: 'checkout'; url: string; payment: PaymentRecord } | { outcome: 'paid'; payment: PaymentRecord };

export interface PaymentServiceOptions {
  /** The page the provider sends the person back to. */
  returnUrl: (paymentId: string) => string;
  currency?: string;
  /**
   * Providers no longer taking new payments here, still asked about the payments they
   * started (PAYMENT_PROVIDER changed while some were open): their status, callbacks and refunds.
   */
  formerProviders?: readonly PaymentProvider[];
  /**
   * Called once a change that queued jobs has committed (a refund to send, an application's
   * status notices): the runner takes them up now rather than at its next poll.
   */
  sendQueued?: () => void;
}

export class PaymentService {
  private readonly currency: string;

  constructor(
    readonly db: ElarDb,
    readonly provider: PaymentProvider,
    private readonly options: PaymentServiceOptions,
  ) {
    this.currency = options.currency ?? 'usd';
  }

  /** The provider called `name` if this instance can reach it: the current one, or a former one. */
  providerNamed(name: string): PaymentProvider | undefined {
    if (name === this.provider.name) return this.provider;
    return this.options.formerProviders?.find((p) => p.name === name);
  }

  /** The provider that holds this payment's checkout; a coded 503 when it is no longer set up here. */
  #providerOf(payment: PaymentRecord): PaymentProvider {
    const provider = this.providerNamed(payment.provider);
    if (!provider) throw elarErrors.paymentProviderUnavailable();
    return provider;
  }

  /**
   * Starts paying for a thing, or continues: an open payment is reused (never a second
   * one), a paid one is answered as paid. Ends with the provider's checkout page.
   */
  async start(payable: Payable, { ip }: { ip?: string } = {}): Promise<StartOutcome> {
    if (!hasPaidHook(payable.kind)) throw new Error(`no onPaid hook is registered for payable kind ${payable.kind}`);
    if (!Number.isInteger(payable.amountCents) || payable.amountCents <= 0)
      throw new Error(`a payment needs a whole, positive number of cents (got ${payable.amountCents})`);
    // At most twice: once more after finding the open payment's checkout ended without pay.
    for (let round = 0; round < 2; round++) {
      const payment = await this.openOrLive(payable, ip);
      if (payment.owner_sub !== payable.ownerSub) throw elarErrors.paymentNotYours();
      if (hasReceipt(payment.state)) return { outcome: 'paid', payment };
      if (payment.provider !== this.provider.name) {
        const ended = await this.#retire(payment);
        if (ended && hasReceipt(ended.state)) return { outcome: 'paid', payment: ended };
        continue;
      }
      if (payment.provider_session_id && payment.checkout_url) {
        // The checkout may have ended meanwhile (paid in another tab, declined, expired): ask before sending the person back to it.
        const status = await this.provider.retrieve(payment.provider_session_id);
        if (status.state === 'open') return { outcome: 'checkout', url: payment.checkout_url, payment };
        const settled = await this.settle(payment.id, status);
        if (settled && hasReceipt(settled.state)) return { outcome: 'paid', payment: settled };
        continue;
      }
      // Committed before the provider is called; the key makes a repeated call (a double
      // click, a retry after we heard nothing) give the same checkout back.
      const checkout = await this.provider.createCheckout({
        idempotencyKey: payment.idempotency_key,
        amountCents: payment.amount_cents,
        currency: payment.currency,
        description: payment.description,
        returnUrl: this.options.returnUrl(payment.id),
      });
      await recordCheckout(this.db, payment.id, checkout.sessionId, checkout.url);
      return { outcome: 'checkout', url: checkout.url, payment };
    }
    throw elarErrors.paymentConflict();
  }

  /**
   * An open payment of a provider this instance no longer takes payments with: its checkout
   * is ended there, and the payment recorded as the provider then says (paid meanwhile is
   * paid). One the former provider cannot be asked about is canceled here, audited as not
   * confirmed, so the person can pay again: never a payment nobody can finish.
   */
  async #retire(payment: PaymentRecord): Promise<PaymentRecord | undefined> {
    const former = this.providerNamed(payment.provider);
    let status: CheckoutStatus = { state: 'open' };
    if (former && payment.provider_session_id) {
      await former.cancelCheckout(payment.provider_session_id);
      status = await former.retrieve(payment.provider_session_id);
    }
    if (status.state !== 'open') return this.settle(payment.id, status);
    return this.settle(payment.id, { state: 'canceled' }, undefined, {
      reason: 'provider-changed',
      from: payment.provider,
      confirmed: false,
    });
  }

  private async openOrLive(payable: Payable, ip: string | undefined): Promise<PaymentRecord> {
    const live = await findLivePayment(this.db, payable.kind, payable.id, payable.purpose);
    if (live) return live;
    const created = await this.db.transaction().execute(async (trx) => {
      const row = await insertOpenPayment(trx, {
        idempotencyKey: randomUUID(),
        payableKind: payable.kind,
        payableId: payable.id,
        purpose: payable.purpose,
        description: payable.description,
        ownerSub: payable.ownerSub,
        amountCents: payable.amountCents,
        currency: this.currency,
        provider: this.provider.name,
      });
      if (row)
        await audit(trx, {
          type: 'payment.started',
          actorId: payable.ownerSub,
          subjectId: row.id,
          ip: ip ?? null,
          detail: { kind: payable.kind, payable: payable.id, purpose: payable.purpose, cents: row.amount_cents },
        });
      return row;
    });
    // Another request inserted it first: take theirs.
    const payment = created ?? (await findLivePayment(this.db, payable.kind, payable.id, payable.purpose));
    if (!payment) throw elarErrors.paymentConflict();
    return payment;
  }

  /** The person's redirect back, or reconciliation: asks the provider how the checkout ended, and records it. */
  async settleFromProvider(paymentId: string): Promise<PaymentRecord | undefined> {
    const payment = await findPayment(this.db, paymentId);
    if (!payment || payment.state !== 'open' || !payment.provider_session_id) return payment;
    const status = await this.#providerOf(payment).retrieve(payment.provider_session_id);
    if (status.state === 'paid') faultPoint('payment.settle:before-record');
    return this.settle(payment.id, status);
  }

  /**
   * A provider callback: verified (WebhookSignatureError otherwise), then settled from the
   * provider's own answer about the checkout. A callback seen before changes nothing.
   */
  async handleWebhook(
    rawBody: Buffer,
    headers: Record<string, string | string[] | undefined>,
    provider: PaymentProvider = this.provider,
  ): Promise<'ignored' | 'duplicate' | 'recorded'> {
    const notice = provider.parseWebhook(rawBody, headers);
    if (!notice) return 'ignored';
    const known = await findPaymentBySession(this.db, provider.name, notice.sessionId);
    if (!known) return 'ignored';
    const status = await provider.retrieve(notice.sessionId);
    if (status.state === 'paid') faultPoint('payment.settle:before-record');
    const settled = await this.settle(known.id, status, notice.eventId);
    return settled ? 'recorded' : 'duplicate';
  }

  /**
   * Records how a checkout ended, in one transaction with the thing's completion hook and
   * the audit row. Undefined when `eventId` was handled before; otherwise the payment as it
   * now stands (unchanged when it was no longer open).
   */
  async settle(
    paymentId: string,
    status: CheckoutStatus,
    eventId?: string,
    /** Why a payment is canceled, when ELAR ends it rather than the provider. */
    cancelDetail?: Record<string, string | number | boolean | null>,
  ): Promise<PaymentRecord | undefined> {
    let ended = false;
    const settled = await this.db.transaction().execute(async (trx) => {
      // The payment is locked first: the event row's reference to it would otherwise take a
      // share lock that forty callbacks at once turn into a deadlock.
      const payment = await findPayment(trx, paymentId, { forUpdate: true });
      if (!payment) return undefined;
      if (eventId !== undefined && !(await recordProviderEvent(trx, payment.provider, eventId, paymentId)))
        return undefined;
      if (payment.state !== 'open' || status.state === 'open') return payment;
      const who = { actorId: payment.owner_sub, subjectId: payment.id };
      switch (status.state) {
        case 'paid': {
          if (status.amountCents !== payment.amount_cents)
            // Never treated as paid: an operator looks (the job retries and stays visible).
            throw new Error(
              `payment ${payment.id}: the provider took ${status.amountCents} cents, not ${payment.amount_cents}`,
            );
          const paid = await applyTransition(trx, payment, 'succeed', {
            card_last4: status.cardLast4,
            completed_at: new Date(),
            receipt_number: nextReceiptNumber,
          });
          const completion = await paidHookFor(paid.payable_kind)(trx, paid);
          await audit(trx, {
            type: 'payment.succeeded',
            ...who,
            detail: { cents: paid.amount_cents, receipt: paid.receipt_number },
          });
          if (completion === 'not-payable') await this.#refundInTransaction(trx, paid, UNPAYABLE_REFUND);
          ended = true;
          return paid;
        }
        case 'declined': {
          const declined = await applyTransition(trx, payment, 'decline', {
            decline_reason: status.reason,
            completed_at: new Date(),
          });
          await audit(trx, { type: 'payment.declined', ...who, detail: { reason: status.reason } });
          ended = true;
          return declined;
        }
        case 'canceled': {
          const canceled = await applyTransition(trx, payment, 'cancel', { completed_at: new Date() });
          await audit(trx, { type: 'payment.canceled', ...who, ...(cancelDetail && { detail: cancelDetail }) });
          ended = true;
          return canceled;
        }
      }
    });
    if (ended) this.options.sendQueued?.();
    return settled;
  }

  /**
   * Asks the provider about payments open longer than `olderThanMs` and records what it
   * says: what a crash, a lost callback or a person who never came back left pending.
   */
  async reconcile(
    olderThanMs: number,
  ): Promise<{ asked: number; settled: number; failed: number; failures: { paymentId: string; error: string }[] }> {
    const cutoff = new Date(Date.now() - olderThanMs);
    let asked = 0;
    let settled = 0;
    const failures: { paymentId: string; error: string }[] = [];
    // Every open payment, a page at a time: abandoned checkouts (pay later, or never) must not
    // hide a paid one behind them. Both providers end a checkout within a day, so this stays a
    // day's worth of abandoned checkouts at most.
    for (let page = await openPaymentsBefore(this.db, cutoff); page.length > 0;) {
      for (const payment of page) {
        asked++;
        // One payment that cannot be settled (the provider took another amount, or cannot be
        // asked just now) is reported and left open; it must not keep the others from settling.
        try {
          if (await this.#reconcileOne(payment)) settled++;
        } catch (err) {
          const code = err instanceof PortalError ? `${err.code}: ` : '';
          failures.push({ paymentId: payment.id, error: `${code}${String((err as Error).message)}`.slice(0, 200) });
        }
      }
      page = await openPaymentsBefore(this.db, cutoff, { afterId: page.at(-1)!.id });
    }
    return { asked, settled, failed: failures.length, failures };
  }

  /** Asks the provider about one open payment and records the answer; true when it is no longer open. */
  async #reconcileOne(payment: PaymentRecord): Promise<boolean> {
    const provider = this.#providerOf(payment);
    let sessionId = payment.provider_session_id;
    if (!sessionId) {
      // We may have reached the provider without hearing its answer: the same key gives the same checkout back.
      const checkout = await provider.createCheckout({
        idempotencyKey: payment.idempotency_key,
        amountCents: payment.amount_cents,
        currency: payment.currency,
        description: payment.description,
        returnUrl: this.options.returnUrl(payment.id),
      });
      await recordCheckout(this.db, payment.id, checkout.sessionId, checkout.url);
      sessionId = checkout.sessionId;
    }
    const status = await provider.retrieve(sessionId);
    const after = await this.settle(payment.id, status);
    return after !== undefined && after.state !== 'open';
  }

  /**
   * A Department refund, in full or in part, with a reason. Recorded (and audited) at once;
   * the provider is asked by a job, with the refund's own idempotency key.
   */
  async requestRefund(
    paymentId: string,
    request: { amountCents: number; reason: string; staffSub: string; ip?: string },
  ): Promise<void> {
    try {
      await this.db.transaction().execute(async (trx) => {
        const payment = await findPayment(trx, paymentId, { forUpdate: true });
        if (!payment) throw elarErrors.paymentNotFound();
        if (payment.state !== 'succeeded' && payment.state !== 'partially_refunded') throw elarErrors.refundNotPaid();
        // Separation of duties: an officer who also paid a fee (one account can hold both) never returns it to themselves.
        if (payment.owner_sub === request.staffSub) throw elarErrors.refundOwnPayment();
        const committed = await committedRefundCents(trx, payment.id);
        const check = refundCheckFor(payment.payable_kind);
        const inFull = committed + request.amountCents >= payment.amount_cents;
        const refused =
          check && (await check(trx, payment, { cents: request.amountCents, refundedCents: committed, inFull }));
        if (refused) throw refused;
        await this.#refundInTransaction(trx, payment, request);
      });
      this.options.sendQueued?.();
    } catch (err) {
      if (err instanceof PortalError && REFUSALS_AUDITED.has(err.code))
        // Its own transaction: the refused one rolled back, and the attempt must stay on record.
        await audit(this.db, {
          type: 'payment.refund-refused',
          actorId: request.staffSub,
          subjectId: paymentId,
          ip: request.ip ?? null,
          detail: { code: err.code, cents: request.amountCents, reason: request.reason },
        });
      throw err;
    }
  }

  /** Records a refund of a locked, paid payment and queues the provider's call, in the caller's transaction. */
  async #refundInTransaction(
    trx: Transaction<ElarDatabase>,
    payment: PaymentRecord,
    request: { amountCents?: number; reason: string; staffSub: string; ip?: string },
  ): Promise<void> {
    const left = payment.amount_cents - (await committedRefundCents(trx, payment.id));
    const amountCents = request.amountCents ?? left;
    if (amountCents > left) throw elarErrors.refundTooMuch(formatCents(left));
    const refund = await insertRefund(trx, {
      paymentId: payment.id,
      amountCents,
      reason: request.reason,
      staffSub: request.staffSub,
      idempotencyKey: randomUUID(),
    });
    await audit(trx, {
      type: 'payment.refund-requested',
      actorId: request.staffSub,
      subjectId: payment.id,
      ip: request.ip ?? null,
      detail: { refund: refund.id, cents: refund.amount_cents, reason: request.reason },
    });
    await enqueue(trx, REFUND_JOB, { refundId: refund.id });
  }

  /** The refund job: asks the provider (same key on every attempt), then records the refund on the payment. */
  async sendRefund(refundId: string, { lastAttempt = false } = {}): Promise<void> {
    const refund = await findRefund(this.db, refundId);
    if (!refund || refund.state !== 'pending') return;
    const payment = await findPayment(this.db, refund.payment_id);
    if (!payment?.provider_session_id) return;
    const provider = this.#providerOf(payment);
    const request = {
      sessionId: payment.provider_session_id,
      amountCents: refund.amount_cents,
      idempotencyKey: refund.idempotency_key,
    };
    let providerRefundId: string;
    try {
      ({ refundId: providerRefundId } = await provider.refund(request));
    } catch (err) {
      if (!lastAttempt) throw err;
      // No answer is not "no": the provider may have refunded and the reply been lost. Only a
      // refund the provider does not have is given up on (and an error asking it stays pending).
      const made = await provider.findRefund(request);
      if (made) providerRefundId = made.refundId;
      else {
        // Given up on: the amount is free to refund again, and staff see why in the audit log.
        await this.db.transaction().execute(async (trx) => {
          if (await endRefund(trx, refund.id, { state: 'failed' }))
            await audit(trx, {
              type: 'payment.refund-failed',
              subjectId: payment.id,
              detail: { refund: refund.id, error: String((err as Error).message).slice(0, 200) },
            });
        });
        return;
      }
    }
    await this.db.transaction().execute(async (trx) => {
      if (!(await endRefund(trx, refund.id, { state: 'succeeded', providerRefundId }))) return;
      const current = (await findPayment(trx, payment.id, { forUpdate: true }))!;
      const refunded = current.refunded_cents + refund.amount_cents;
      await applyTransition(trx, current, refunded >= current.amount_cents ? 'refundInFull' : 'refundInPart', {
        refunded_cents: refunded,
      });
      await audit(trx, {
        type: 'payment.refunded',
        actorId: refund.staff_sub,
        subjectId: payment.id,
        detail: { refund: refund.id, cents: refund.amount_cents },
      });
    });
  }
}

/** $125.00 */
export function formatCents(cents: number): string {
  return `$${(cents / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}
