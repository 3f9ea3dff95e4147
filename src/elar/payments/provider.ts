/**
 * What ELAR needs of a card payment provider. ELAR keeps its own payment record and asks
 * the provider only to take the card (a hosted checkout page), to say how a checkout ended,
 * to refund, and to prove that a callback is its own. Two implementations: the built-in
 * test provider (the default) and Stripe Checkout.
 */

export interface CheckoutRequest {
  /** Sent to the provider: the same key twice gets the same checkout, never a second one. */
  idempotencyKey: string;
  amountCents: number;
  currency: string;
  description: string;
  /** Where the provider sends the person back, whether they paid or not. */
  returnUrl: string;
}

export interface Checkout {
  sessionId: string;
  /** The provider's page where the person enters their card. */
  url: string;
}

/** How a checkout stands at the provider, which is the only word ELAR takes on it. */
export type CheckoutStatus =
  | { state: 'open' }
  | { state: 'paid'; amountCents: number; cardLast4: string | null }
  | { state: 'declined'; reason: string }
  /** Expired or abandoned at the provider: nothing was taken. */
  | { state: 'canceled' };

/** A verified callback: which checkout to look at again. */
export interface ProviderNotice {
  eventId: string;
  sessionId: string;
}

export interface RefundRequest {
  sessionId: string;
  amountCents: number;
  idempotencyKey: string;
}

export interface PaymentProvider {
  readonly name: 'test' | 'stripe';
  createCheckout(request: CheckoutRequest): Promise<Checkout>;
  retrieve(sessionId: string): Promise<CheckoutStatus>;
  /** Ends an open checkout so no card can be taken on it; a checkout already ended is left as it is. */
  cancelCheckout(sessionId: string): Promise<void>;
  refund(request: RefundRequest): Promise<{ refundId: string }>;
  /**
   * The refund the provider made with this request's idempotency key, if it made one: asked
   * before a refund is given up on, because "no answer" may still mean "done".
   */
  findRefund(request: RefundRequest): Promise<{ refundId: string } | null>;
  /**
   * Verifies the signature over the raw body and reads the callback: throws
   * WebhookSignatureError when it is not the provider's, and answers null for an event
   * about something ELAR does not follow.
   */
  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): ProviderNotice | null;
}

export class WebhookSignatureError extends Error {
  constructor(message = 'The callback signature is missing or wrong') {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}
