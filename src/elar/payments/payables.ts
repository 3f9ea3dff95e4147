import type { Transaction } from 'kysely';
import type { PortalError } from '../../platform/errors.ts';
import type { ElarDatabase, ElarDb } from '../schema.ts';
import type { PaymentRecord } from './repository.ts';

/**
 * What can be paid for. Payments know nothing of applications, renewals or hard copies:
 * each kind of thing registers how much it costs (decided on the server, never taken from
 * the browser) and what happens once it is paid. The completion hook runs in the same
 * transaction that records the payment as succeeded, so a paid fee and a paid application
 * are never seen apart.
 */

export interface Quote {
  amountCents: number;
  /**
   * What is paid for, in the words on the checkout and the receipt: "Application 1000042:
   * Biology (8-12), Initial license; Chemistry (8-12), Initial license". Under 500 characters
   * (Stripe's limit for a product name).
   */
  description: string;
}

/**
 * `trx` is ELAR's handle inside the completing transaction: the hook writes its own tables
 * with it. It answers `'not-payable'` when the thing no longer waits for this payment (an
 * application withdrawn while its checkout was open): the money was taken all the same, so
 * the payment is recorded and refunded in full, never left open and never kept.
 */
export type PaidHook = (trx: Transaction<ElarDatabase>, payment: PaymentRecord) => Promise<'completed' | 'not-payable'>;

/**
 * How much `payableId` costs the person `ownerSub` for `purpose`, or null when they may not
 * pay for it (not theirs, not waiting for payment): refused like a thing that does not exist.
 */
export type QuoteFn = (db: ElarDb, payable: { id: string; purpose: string; ownerSub: string }) => Promise<Quote | null>;

/**
 * Asked, inside the refund's transaction (the payment locked), whether the Department may
 * refund `cents` of a payment for this kind of thing now; `refundedCents` is what earlier
 * refunds of it return, and `inFull` says this one would return the rest. Answers the refusal
 * to show, or null. A kind without one may always be refunded.
 */
export type RefundCheck = (
  trx: Transaction<ElarDatabase>,
  payment: PaymentRecord,
  refund: { cents: number; refundedCents: number; inFull: boolean },
) => Promise<PortalError | null>;

const paidHooks = new Map<string, PaidHook>();
const refundChecks = new Map<string, RefundCheck>();
const quotes = new Map<string, QuoteFn>();

const KIND = /^[a-z][a-z0-9-]{1,39}$/;

function checkKind(kind: string) {
  if (!KIND.test(kind)) throw new Error(`payable kind ${kind} must be 2 to 40 lower-case letters, digits or hyphens`);
}

/** What happens when a `kind` is paid. Registering a kind again replaces its hook (a test app, a reload). */
export function onPaid(kind: string, hook: PaidHook): void {
  checkKind(kind);
  paidHooks.set(kind, hook);
}

/** What a `kind` says about a Department refund of its payment (see RefundCheck). */
export function onRefund(kind: string, check: RefundCheck): void {
  checkKind(kind);
  refundChecks.set(kind, check);
}

export function refundCheckFor(kind: string): RefundCheck | undefined {
  return refundChecks.get(kind);
}

/** How a `kind` is priced for the pay button (POST /elar/payments/pay). */
export function quotePayable(kind: string, quote: QuoteFn): void {
  checkKind(kind);
  quotes.set(kind, quote);
}

export function paidHookFor(kind: string): PaidHook {
  const hook = paidHooks.get(kind);
  // A payment is never started for a kind that cannot be completed (see startPayment).
  if (!hook) throw new Error(`no onPaid hook is registered for payable kind ${kind}`);
  return hook;
}

export function hasPaidHook(kind: string): boolean {
  return paidHooks.has(kind);
}

export function quoteFor(kind: string): QuoteFn | undefined {
  return quotes.get(kind);
}
