/**
 * Payments' public face, for the rest of ELAR: how a kind of thing is priced and completed
 * (applications, renewals, hard copies register here), and the plugin. Everything else in
 * this folder is payments' own.
 */
export {
  onPaid,
  onRefund,
  quotePayable,
  type PaidHook,
  type Quote,
  type QuoteFn,
  type RefundCheck,
} from './payables.ts';
export type { PaymentRecord } from './repository.ts';
export { formatCents } from './service.ts';
export { paymentsPlugin } from './plugin.ts';
export { payWithTestCard } from './test-card-payment.ts';
export { PAYING_CARD } from './test-cards.ts';
