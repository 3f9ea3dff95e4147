import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { publicRoute } from '../../platform/access.ts';
import { errors, PortalError } from '../../platform/errors.ts';
import { parseForm, requiredText } from '../../platform/forms.ts';
import { clientIp } from '../../platform/http.tsx';
import type { ElarConfig } from '../config.ts';
import { elarErrors } from '../errors.ts';
import { loadElarSession, type ElarSession } from '../sessions.ts';
import { can } from '../staff.ts';
import { quoteFor } from './payables.ts';
import { CheckoutEndedPage, PaymentReturnPage, ReceiptPage, RefundPage, TestCheckoutPage } from './pages.tsx';
import { WebhookSignatureError } from './provider.ts';
import { committedRefundCents, findPayment, refundsOf, type PaymentRecord } from './repository.ts';
import type { PaymentService } from './service.ts';
import { chargeTestCard } from './test-cards.ts';
import type { TestPaymentProvider } from './test-provider.ts';
import { hasReceipt } from './transitions.ts';

/** Provider callbacks taken from one address in a minute (F7): Stripe's few addresses, or this server's own. */
const CALLBACKS_PER_MINUTE = 6_000;

/** A thing's refusals of a refund while it is still open: shown on the refund form, with their status. */
const REFUSED_WHILE_OPEN = new Set([elarErrors.refundWhileOpen.code, elarErrors.refundBeyondDroppedLicenses.code]);

/**
 * Payments' pages, under /elar/payments. Thin: each reads its input, calls the service and
 * renders or redirects. They are public to the platform's check (ELAR has no portal session)
 * and check ELAR's own session themselves: a person reaches only their own payments, and
 * another person's payment id gets the same 404 as one that does not exist.
 */
export function registerPaymentRoutes(
  app: FastifyInstance,
  config: ElarConfig,
  service: PaymentService,
  testProvider: TestPaymentProvider | undefined,
) {
  const db = service.db;
  const sessionCookie = `${config.secureCookies ? '__Host-' : ''}elar_session`;
  const elar = publicRoute('ELAR: checks its own session (signed in over OpenID Connect) in the handler');

  async function signedIn(request: FastifyRequest): Promise<(ElarSession & { sub: string }) | null> {
    const session = await loadElarSession(db, request.cookies[sessionCookie], config.session);
    const sub = session?.claims.sub;
    if (!session || typeof sub !== 'string') return null;
    const { preferred_username: userName, name } = session.claims;
    if (typeof userName === 'string')
      request.view.user = { userName, displayName: typeof name === 'string' ? name : userName };
    return { ...session, sub };
  }

  /** The person's own payment; anyone else's is "not found", exactly like a missing one. */
  async function ownPayment(request: FastifyRequest, sub: string): Promise<PaymentRecord> {
    const payment = await findPayment(db, (request.params as { id: string }).id);
    if (!payment || payment.owner_sub !== sub) throw errors.notFound();
    return payment;
  }

  const payForm = {
    kind: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/),
    payable: z.string().min(1).max(100),
    purpose: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
  };

  // Start or continue paying for a thing. The amount is the thing's own quote, on the server.
  app.post('/pay', elar, async (request, reply) => {
    const person = await signedIn(request);
    if (!person) return reply.redirect('/elar', 303);
    const form = parseForm(payForm, request.body);
    if (!form.ok) throw errors.badRequest();
    const quote = await quoteFor(form.data.kind)?.(db, {
      id: form.data.payable,
      purpose: form.data.purpose,
      ownerSub: person.sub,
    });
    if (!quote) throw errors.notFound();
    const started = await service.start(
      { kind: form.data.kind, id: form.data.payable, purpose: form.data.purpose, ownerSub: person.sub, ...quote },
      { ip: clientIp(request) },
    );
    return reply.redirect(
      started.outcome === 'checkout' ? started.url : `/elar/payments/${started.payment.id}/receipt`,
      303,
    );
  });

  // Where the provider sends the person back. The provider is asked; the browser is never believed.
  app.get('/:id/return', elar, async (request, reply) => {
    const person = await signedIn(request);
    if (!person) return reply.redirect('/elar', 303);
    const payment = await ownPayment(request, person.sub);
    const now = (await service.settleFromProvider(payment.id)) ?? payment;
    return reply.page(<PaymentReturnPage ctx={request.view} payment={now} />);
  });

  app.get('/:id/receipt', elar, async (request, reply) => {
    const person = await signedIn(request);
    if (!person) return reply.redirect('/elar', 303);
    const payment = await ownPayment(request, person.sub);
    if (!hasReceipt(payment.state)) throw errors.notFound();
    return reply.page(<ReceiptPage ctx={request.view} payment={payment} refunds={await refundsOf(db, payment.id)} />);
  });

  /** The Department's side: a `payments` officer (ELAR permission payment.manage) refunds with a reason. */
  async function refundable(request: FastifyRequest) {
    const person = await signedIn(request);
    if (!person) return null;
    if (!can(person, 'payment.manage')) throw errors.forbidden();
    const payment = await findPayment(db, (request.params as { id: string }).id);
    if (!payment || !hasReceipt(payment.state)) throw errors.notFound();
    // The service refuses (and audits) a refund of their own fee; the form is not even offered.
    if (request.method === 'GET' && payment.owner_sub === person.sub) throw elarErrors.refundOwnPayment();
    return { person, payment, left: payment.amount_cents - (await committedRefundCents(db, payment.id)) };
  }

  app.get('/:id/refund', elar, async (request, reply) => {
    const found = await refundable(request);
    if (!found) return reply.redirect('/elar', 303);
    return reply.page(<RefundPage ctx={request.view} payment={found.payment} refundableCents={found.left} />);
  });

  const refundForm = {
    amount: z
      .string()
      .trim()
      .min(1, 'Enter the amount to refund')
      .regex(/^\$?[0-9]{1,6}(\.[0-9]{1,2})?$/, 'Enter the amount in dollars and cents, for example 25.00')
      .transform((s) => Math.round(Number(s.replace('$', '')) * 100))
      .refine((cents) => cents > 0, 'The amount must be more than $0.00'),
    reason: requiredText('the reason for the refund', 500),
  };

  app.post('/:id/refund', elar, async (request, reply) => {
    const found = await refundable(request);
    if (!found) return reply.redirect('/elar', 303);
    const form = parseForm(refundForm, request.body);
    const again = (errs: Record<string, string>, left = found.left, status = 422) =>
      reply.page(
        <RefundPage
          ctx={request.view}
          payment={found.payment}
          refundableCents={left}
          values={form.values}
          errors={errs}
        />,
        status,
      );
    if (!form.ok) return again(form.errors);
    try {
      await service.requestRefund(found.payment.id, {
        amountCents: form.data.amount,
        reason: form.data.reason,
        staffSub: found.person.sub,
        ip: clientIp(request),
      });
    } catch (err) {
      if (err instanceof PortalError && err.code === elarErrors.refundTooMuch.code)
        return again({ amount: err.message });
      if (err instanceof PortalError && REFUSED_WHILE_OPEN.has(err.code))
        return again({ amount: err.message }, found.left, err.statusCode);
      throw err;
    }
    return reply.redirect(`/elar/payments/${found.payment.id}/refund/requested`, 303);
  });

  app.get('/:id/refund/requested', elar, async (request, reply) => {
    const found = await refundable(request);
    if (!found) return reply.redirect('/elar', 303);
    return reply.page(
      <ReceiptPage ctx={request.view} payment={found.payment} refunds={await refundsOf(db, found.payment.id)} />,
    );
  });

  // The provider's callbacks, server to server: no CSRF token, proven by the signature over the raw body.
  void app.register(async (webhooks) => {
    webhooks.removeAllContentTypeParsers();
    webhooks.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_request, body, done) =>
      done(null, body),
    );
    webhooks.post(
      '/webhooks/:provider',
      {
        config: {
          ...publicRoute('payment provider callbacks, verified by their signature').config,
          csrf: false,
          // Not the per-address limit on people's forms: a provider sends a burst from a few
          // addresses (the test provider from this server's own), and the signature is checked
          // before any database work. A limit of their own, far above any real burst.
          rateLimit: { max: CALLBACKS_PER_MINUTE, timeWindow: 60_000 },
        },
      },
      async (request, reply) => {
        const provider = service.providerNamed((request.params as { provider: string }).provider);
        if (!provider) throw errors.notFound();
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        try {
          const outcome = await service.handleWebhook(body, request.headers, provider);
          return reply.code(200).header('cache-control', 'no-store').send({ received: true, outcome });
        } catch (err) {
          if (err instanceof WebhookSignatureError) {
            request.log.info({ err }, 'payment callback refused');
            return reply.code(400).send({ error: 'invalid_signature' });
          }
          throw err;
        }
      },
    );
  });

  if (testProvider) registerTestCheckout(app, testProvider);
}

/**
 * The built-in test provider's hosted card page. It stands in for a provider's site, so it
 * needs no ELAR session: the checkout id in the address is the secret, as on a real one.
 */
function registerTestCheckout(app: FastifyInstance, provider: TestPaymentProvider) {
  const page = publicRoute('the test payment provider’s hosted checkout page (a provider’s site, not ELAR’s)');
  const open = async (request: FastifyRequest) => {
    const checkout = await provider.session((request.params as { session: string }).session);
    if (!checkout) throw errors.notFound();
    return checkout;
  };

  app.get('/test-checkout/:session', page, async (request, reply) => {
    const checkout = await open(request);
    if (checkout.state !== 'open')
      return reply.page(<CheckoutEndedPage ctx={request.view} returnUrl={checkout.return_url} />);
    return reply.page(<TestCheckoutPage ctx={request.view} checkout={checkout} />);
  });

  const text = z.string().max(200, 'This must be 200 characters or fewer');
  app.post('/test-checkout/:session', page, async (request, reply) => {
    const checkout = await open(request);
    const form = parseForm({ cardholderName: text, cardNumber: text, expiry: text, cvc: text }, request.body);
    if (!form.ok)
      return reply.page(
        <TestCheckoutPage ctx={request.view} checkout={checkout} values={form.values} errors={form.errors} />,
        422,
      );
    // A second submission (double click, back button, another tab) finds it ended: one charge.
    if (checkout.state !== 'open') return reply.redirect(checkout.return_url, 303);
    const outcome = chargeTestCard(form.data);
    if (!outcome.ok)
      return reply.page(
        <TestCheckoutPage ctx={request.view} checkout={checkout} values={form.values} errors={outcome.errors} />,
        422,
      );
    await provider.complete(checkout.id, outcome);
    return reply.redirect(checkout.return_url, 303);
  });
}
