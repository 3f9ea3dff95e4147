import type Stripe from 'stripe';
import {
  WebhookSignatureError,
  type Checkout,
  type CheckoutRequest,
  type CheckoutStatus,
  type PaymentProvider,
  type ProviderNotice,
  type RefundRequest,
} from './provider.ts';

export interface StripeProviderOptions {
  secretKey: string;
  webhookSecret: string;
  /** Another Stripe-compatible endpoint (a stub on loopback in the tests); Stripe's own when absent. */
  apiUrl?: string | undefined;
}

/** The Checkout events that can end a session; any other event is acknowledged and ignored. */
const SESSION_EVENTS = new Set([
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
]);

/** Stripe Checkout through the official SDK. */
export class StripePaymentProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  private readonly stripe: Stripe;

  /** The SDK is loaded only when Stripe is chosen: it is about 8 MB of resident memory (docs/benchmarks.md, issue 13). */
  static async create(options: StripeProviderOptions): Promise<StripePaymentProvider> {
    return new StripePaymentProvider(options, (await import('stripe')).default);
  }

  private constructor(
    private readonly options: StripeProviderOptions,
    private readonly Sdk: typeof Stripe,
  ) {
    const api = options.apiUrl ? new URL(options.apiUrl) : undefined;
    this.stripe = new Sdk(options.secretKey, {
      // Our own retries (the next click, reconciliation) resend the same idempotency key.
      maxNetworkRetries: 2,
      timeout: 20_000,
      telemetry: false,
      ...(api && {
        host: api.hostname,
        port: api.port || (api.protocol === 'https:' ? 443 : 80),
        protocol: api.protocol === 'https:' ? 'https' : 'http',
      }),
    });
  }

  async createCheckout(request: CheckoutRequest): Promise<Checkout> {
    const session = await this.stripe.checkout.sessions.create(
      {
        mode: 'payment',
        // Cards settle at once; a delayed method (a bank debit) would leave a payment neither paid nor refused for days.
        allowed_payment_method_types: ['card'],
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: request.currency,
              unit_amount: request.amountCents,
              product_data: { name: request.description },
            },
          },
        ],
        success_url: request.returnUrl,
        cancel_url: request.returnUrl,
        client_reference_id: request.idempotencyKey,
      },
      { idempotencyKey: request.idempotencyKey },
    );
    if (!session.url) throw new Error('Stripe answered a checkout session without a URL');
    return { sessionId: session.id, url: session.url };
  }

  async retrieve(sessionId: string): Promise<CheckoutStatus> {
    const session = await this.stripe.checkout.sessions.retrieve(sessionId, {
      expand: ['payment_intent.latest_charge'],
    });
    if (session.status === 'expired') return { state: 'canceled' };
    if (session.status !== 'complete') return { state: 'open' };
    // Complete but unpaid is a payment still on its way (Stripe says which by a later event): open, not declined.
    if (session.payment_status !== 'paid') return { state: 'open' };
    return { state: 'paid', amountCents: session.amount_total ?? 0, cardLast4: cardLast4(session) };
  }

  async cancelCheckout(sessionId: string): Promise<void> {
    try {
      await this.stripe.checkout.sessions.expire(sessionId);
    } catch (err) {
      // Stripe refuses to expire a session that is no longer open: it has ended already, which is what was asked.
      if (!(err instanceof this.Sdk.errors.StripeInvalidRequestError)) throw err;
    }
  }

  async refund(request: RefundRequest): Promise<{ refundId: string }> {
    const refund = await this.stripe.refunds.create(
      {
        payment_intent: await this.paymentIntentOf(request.sessionId),
        amount: request.amountCents,
        // Stripe keeps idempotency keys for a day; the metadata finds the refund for ever (findRefund).
        metadata: { elar_refund: request.idempotencyKey },
      },
      { idempotencyKey: request.idempotencyKey },
    );
    return { refundId: refund.id };
  }

  async findRefund(request: RefundRequest): Promise<{ refundId: string } | null> {
    const payment_intent = await this.paymentIntentOf(request.sessionId);
    for await (const refund of this.stripe.refunds.list({ payment_intent, limit: 100 }))
      if (refund.metadata?.elar_refund === request.idempotencyKey && refund.status !== 'failed')
        return { refundId: refund.id };
    return null;
  }

  private async paymentIntentOf(sessionId: string): Promise<string> {
    const session = await this.stripe.checkout.sessions.retrieve(sessionId);
    const intent = typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id;
    if (!intent) throw new Error('Stripe has no payment for this checkout session');
    return intent;
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): ProviderNotice | null {
    const signature = headers['stripe-signature'];
    if (typeof signature !== 'string') throw new WebhookSignatureError();
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signature, this.options.webhookSecret);
    } catch (err) {
      throw new WebhookSignatureError((err as Error).message);
    }
    if (!SESSION_EVENTS.has(event.type)) return null;
    const session = event.data.object as { id?: unknown };
    return typeof session.id === 'string' ? { eventId: event.id, sessionId: session.id } : null;
  }
}

function cardLast4(session: Stripe.Checkout.Session): string | null {
  const intent = session.payment_intent;
  if (!intent || typeof intent === 'string') return null;
  const charge = intent.latest_charge;
  if (!charge || typeof charge === 'string') return null;
  return charge.payment_method_details?.card?.last4 ?? null;
}
