import type { PaymentState } from './schema.ts';

/**
 * A payment's life, as a table of named transitions. An open payment ends once: paid,
 * declined or canceled. A paid one can be refunded, in part (again and again) or in full.
 * A refund is its own row (table `refund`); the payment keeps the running total.
 */
export const PAYMENT_TRANSITIONS = {
  succeed: { from: ['open'], to: 'succeeded' },
  decline: { from: ['open'], to: 'declined' },
  cancel: { from: ['open'], to: 'canceled' },
  refundInPart: { from: ['succeeded', 'partially_refunded'], to: 'partially_refunded' },
  refundInFull: { from: ['succeeded', 'partially_refunded'], to: 'refunded' },
} as const satisfies Record<string, { from: readonly PaymentState[]; to: PaymentState }>;

export type PaymentTransition = keyof typeof PAYMENT_TRANSITIONS;

/** The state `transition` leads to from `state`; throws for a move the table does not allow (a bug, never input). */
export function checkTransition(transition: PaymentTransition, state: PaymentState): PaymentState {
  const { from, to } = PAYMENT_TRANSITIONS[transition];
  if (!(from as readonly PaymentState[]).includes(state))
    throw new Error(`payment transition ${transition} cannot start from ${state}`);
  return to;
}

/** Paid, and so has a receipt (refunds included: the receipt shows them). */
export function hasReceipt(state: PaymentState): boolean {
  return state === 'succeeded' || state === 'partially_refunded' || state === 'refunded';
}
