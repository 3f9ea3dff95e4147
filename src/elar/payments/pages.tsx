import { FormPage, TextAreaField, TextField, type FieldErrors, type FormValues } from '../../platform/views/form.tsx';
import { HelpDeskPhone, Layout, type ViewContext } from '../../platform/views/layout.tsx';
import type { PaymentRecord, RefundRecord } from './repository.ts';
import { formatCents } from './service.ts';

/** The pages a person meets while paying: where they come back to, and the receipt. */

const CAPTION = 'Educator Licensure And Renewal (ELAR)';

const dateOf = (d: Date) =>
  d.toLocaleDateString('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'America/New_York' });

/** What paying again sends: the thing and purpose, never an amount (the server prices it). */
function PayForm({ ctx, payment, label }: { ctx: ViewContext; payment: PaymentRecord; label: string }) {
  return (
    <form method="post" action="/elar/payments/pay" class="display-inline-block margin-right-2">
      <input type="hidden" name="_csrf" value={ctx.csrfToken()} />
      <input type="hidden" name="kind" value={payment.payable_kind} />
      <input type="hidden" name="payable" value={payment.payable_id} />
      <input type="hidden" name="purpose" value={payment.purpose} />
      <button class="usa-button" type="submit">
        {label}
      </button>
    </form>
  );
}

/** Where the provider sends the person back: what happened, in plain words, and what they can do now. */
export function PaymentReturnPage({ ctx, payment }: { ctx: ViewContext; payment: PaymentRecord }) {
  const payLater = (
    <a class="usa-button usa-button--outline" href="/elar">
      Pay later
    </a>
  );
  if (payment.state === 'succeeded' || payment.state === 'partially_refunded' || payment.state === 'refunded') {
    return (
      <Layout ctx={ctx} title="Payment received" outcome="paid">
        <span class="portal-caption">{CAPTION}</span>
        <h1>Payment received</h1>
        <div class="usa-alert usa-alert--success" role="status">
          <div class="usa-alert__body">
            <p class="usa-alert__text">
              We have your payment of {formatCents(payment.amount_cents)} for {payment.description}.
            </p>
          </div>
        </div>
        <p>
          <a class="usa-button" href={`/elar/payments/${payment.id}/receipt`}>
            See your receipt
          </a>
          <a class="usa-button usa-button--outline" href="/elar">
            Back to ELAR
          </a>
        </p>
      </Layout>
    );
  }
  if (payment.state === 'declined') {
    return (
      <Layout ctx={ctx} title="Your card was declined" outcome="declined">
        <span class="portal-caption">{CAPTION}</span>
        <h1>Your card was declined</h1>
        <div class="usa-alert usa-alert--error" role="alert">
          <div class="usa-alert__body">
            <p class="usa-alert__text">
              Nothing was charged for {payment.description}. {payment.decline_reason} Try again with another card, or
              pay later: what you are paying for waits for you.
            </p>
          </div>
        </div>
        <PayForm ctx={ctx} payment={payment} label="Try again" />
        {payLater}
      </Layout>
    );
  }
  // Still open (the person came back without paying) or canceled (the checkout expired).
  return (
    <Layout ctx={ctx} title="You have not paid yet" outcome="not-paid">
      <span class="portal-caption">{CAPTION}</span>
      <h1>You have not paid yet</h1>
      <p class="usa-intro">
        We have no payment for {payment.description} ({formatCents(payment.amount_cents)}). You can pay now or later.
      </p>
      <PayForm ctx={ctx} payment={payment} label={payment.state === 'open' ? 'Continue to payment' : 'Pay now'} />
      {payLater}
    </Layout>
  );
}

function RefundList({ refunds }: { refunds: RefundRecord[] }) {
  if (refunds.length === 0) return null;
  return (
    <section aria-labelledby="refunds-heading">
      <h2 id="refunds-heading">Refunds</h2>
      <table class="usa-table usa-table--borderless">
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Amount</th>
            <th scope="col">Reason</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {refunds.map((r) => (
            <tr key={r.id} data-refund-state={r.state}>
              <td>{dateOf(r.created_at)}</td>
              <td>{formatCents(r.amount_cents)}</td>
              <td>{r.reason}</td>
              <td>
                {r.state === 'succeeded'
                  ? 'Refunded to your card'
                  : r.state === 'pending'
                    ? 'Being refunded to your card'
                    : 'Not refunded: the Department will contact you'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The receipt: prints on its own (public/app.css hides the header, footer and buttons in print). */
export function ReceiptPage({
  ctx,
  payment,
  refunds,
}: {
  ctx: ViewContext;
  payment: PaymentRecord;
  refunds: RefundRecord[];
}) {
  return (
    <Layout ctx={ctx} title={`Receipt ${payment.receipt_number}`}>
      <div class="portal-receipt">
        <span class="portal-caption">{CAPTION}</span>
        <h1>
          Receipt <span data-receipt-number>{payment.receipt_number}</span>
        </h1>
        <dl class="portal-summary">
          <dt>Paid for</dt>
          <dd>{payment.description}</dd>
          <dt>Amount</dt>
          <dd data-amount-cents={payment.amount_cents}>{formatCents(payment.amount_cents)}</dd>
          <dt>Date</dt>
          <dd>{dateOf(payment.completed_at ?? payment.created_at)}</dd>
          <dt>Card</dt>
          <dd>{payment.card_last4 ? `Card ending ${payment.card_last4}` : 'Card'}</dd>
          {payment.refunded_cents > 0 && (
            <>
              <dt>Refunded</dt>
              <dd data-refunded-cents={payment.refunded_cents}>{formatCents(payment.refunded_cents)}</dd>
            </>
          )}
        </dl>
        <RefundList refunds={refunds} />
        <p>
          Questions about this payment? Call the Licensure Help Desk at <HelpDeskPhone ctx={ctx} />, quoting the receipt
          number.
        </p>
      </div>
      <p class="portal-no-print">
        <a class="usa-button usa-button--outline" href="/elar">
          Back to ELAR
        </a>
      </p>
    </Layout>
  );
}

/** The Department's refund form: how much (all that is left by default) and why. */
export function RefundPage({
  ctx,
  payment,
  refundableCents,
  values = {},
  errors,
}: {
  ctx: ViewContext;
  payment: PaymentRecord;
  refundableCents: number;
  values?: FormValues;
  errors?: FieldErrors;
}) {
  return (
    <FormPage
      ctx={ctx}
      title="Refund a payment"
      caption={CAPTION}
      action={`/elar/payments/${payment.id}/refund`}
      errors={errors}
      submitLabel="Refund"
      intro={
        <p class="usa-intro">
          Receipt {payment.receipt_number}: {formatCents(payment.amount_cents)} for {payment.description}, card ending{' '}
          {payment.card_last4 ?? '----'}. Up to {formatCents(refundableCents)} can be refunded.
        </p>
      }
    >
      <TextField
        name="amount"
        label="Amount to refund, in dollars"
        hint={`For example 25.00. At most ${formatCents(refundableCents)}.`}
        value={values.amount ?? (refundableCents / 100).toFixed(2)}
        inputMode="text"
        width="sm"
        error={errors?.amount}
      />
      <TextAreaField
        name="reason"
        label="Reason for the refund"
        hint="The educator sees this on their receipt."
        value={values.reason}
        error={errors?.reason}
      />
    </FormPage>
  );
}

/** The test provider's hosted card page (CONTRACT.md): it says plainly that it is a test. */
export function TestCheckoutPage({
  ctx,
  checkout,
  values = {},
  errors,
}: {
  ctx: ViewContext;
  checkout: { id: string; amount_cents: number; description: string; return_url: string };
  values?: FormValues;
  errors?: FieldErrors;
}) {
  return (
    <FormPage
      ctx={ctx}
      title="Test checkout"
      caption="Test payment provider"
      action={`/elar/payments/test-checkout/${checkout.id}`}
      errors={errors}
      submitLabel={`Pay ${formatCents(checkout.amount_cents)}`}
      intro={
        <>
          <div class="usa-alert usa-alert--warning" data-test-checkout>
            <div class="usa-alert__body">
              <h2 class="usa-alert__heading">This is a test. No money moves.</h2>
              <p class="usa-alert__text">
                No card is charged here. Use card 4242 4242 4242 4242 to pay, or 4000 0000 0000 0002 to see a decline,
                with any future expiry date and any 3-digit security code.
              </p>
            </div>
          </div>
          <p class="usa-intro">
            {checkout.description}: <strong>{formatCents(checkout.amount_cents)}</strong>
          </p>
        </>
      }
      after={
        <p>
          <a href={checkout.return_url}>Go back without paying</a>
        </p>
      }
    >
      <TextField
        name="cardholderName"
        label="Name on the card"
        value={values.cardholderName}
        autocomplete="cc-name"
        error={errors?.cardholderName}
      />
      <TextField
        name="cardNumber"
        label="Card number"
        value={values.cardNumber}
        autocomplete="cc-number"
        inputMode="numeric"
        maxLength={23}
        error={errors?.cardNumber}
      />
      <TextField
        name="expiry"
        label="Expiry date"
        hint="MM/YY, for example 04/29"
        value={values.expiry}
        autocomplete="cc-exp"
        width="sm"
        maxLength={7}
        error={errors?.expiry}
      />
      <TextField
        name="cvc"
        label="Security code"
        hint="The 3 or 4 digits on the card"
        autocomplete="cc-csc"
        inputMode="numeric"
        width="sm"
        maxLength={4}
        error={errors?.cvc}
      />
    </FormPage>
  );
}

/** A checkout already ended (the back button, a second tab): nothing more to pay here. */
export function CheckoutEndedPage({ ctx, returnUrl }: { ctx: ViewContext; returnUrl: string }) {
  return (
    <Layout ctx={ctx} title="This checkout has ended">
      <span class="portal-caption">Test payment provider</span>
      <h1>This checkout has ended</h1>
      <p class="usa-intro">Nothing more can be paid on this page, and nothing was charged twice.</p>
      <p>
        <a class="usa-button" href={returnUrl}>
          Back to ELAR
        </a>
      </p>
    </Layout>
  );
}
