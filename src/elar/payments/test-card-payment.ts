import type { ElarDb } from '../schema.ts';
import { elarErrors } from '../errors.ts';
import { quoteFor } from './payables.ts';
import { findPayment, type PaymentRecord } from './repository.ts';
import { PaymentService } from './service.ts';
import { chargeTestCard, type CardForm } from './test-cards.ts';
import { TestPaymentProvider } from './test-provider.ts';

/**
 * Pays for a thing with a test card, along the path a person takes on the test provider's
 * checkout (the demo's paid applications): the thing's own quote, the payment row before
 * the checkout, the card page's outcome, and the redirect back that records it. The signed
 * callback the test provider queues is delivered by the running server's job, and changes
 * nothing: the payment is settled already.
 */
export async function payWithTestCard(
  db: ElarDb,
  payable: { kind: string; id: string; purpose: string; ownerSub: string },
  card: CardForm,
): Promise<PaymentRecord> {
  const quote = await quoteFor(payable.kind)?.(db, payable);
  if (!quote) throw elarErrors.paymentNotFound();
  // Paths under ELAR's prefix: nobody is sent to them, as the checkout is ended here at once.
  const base = '/elar/payments';
  const provider = new TestPaymentProvider(db, {
    checkoutUrl: (id) => `${base}/test-checkout/${id}`,
    webhookUrl: `${base}/webhooks/test`,
    webhookSecret: 'unused: the callback is signed by the server that delivers it',
  });
  const service = new PaymentService(db, provider, { returnUrl: (id) => `${base}/${id}/return` });
  const started = await service.start({ ...payable, ...quote });
  if (started.outcome === 'paid') return started.payment;
  const outcome = chargeTestCard(card);
  if (!outcome.ok) throw new Error(`the test card was refused: ${JSON.stringify(outcome.errors)}`);
  // The payment as recorded once its checkout was made: with the checkout's session.
  const sessionId = (await findPayment(db, started.payment.id))?.provider_session_id;
  if (!sessionId) throw elarErrors.paymentConflict();
  await provider.complete(sessionId, outcome);
  const settled = await service.settleFromProvider(started.payment.id);
  if (!settled) throw elarErrors.paymentNotFound();
  return settled;
}
