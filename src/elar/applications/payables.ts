import { elarErrors } from '../errors.ts';
import { formatCents, onPaid, onRefund, quotePayable } from '../payments/index.ts';
import { findOwnedApplication, keptFirstLicenseCents, licensesOf, lockApplication } from './repository.ts';
import { markPaid } from './service.ts';
import type { ApplicationSettings } from './settings.ts';
import { licenseRowTitle } from './task-list/license-names.ts';
import { isOpen, mayBeReconsidered } from './transitions.ts';

/** An application's fee, as payments knows it: a payable of this kind, for this purpose. */
export const APPLICATION_PAYABLE = 'application';
export const APPLICATION_FEE = 'application-fee';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The description is the product name on Stripe's checkout page: kept under Stripe's 500 characters. */
const DESCRIPTION_LIMIT = 500;

/**
 * What the checkout and the receipt say was paid for: "Application 1234567: Biology (8-12),
 * Initial license; Chemistry (8-12), Initial license". Names that would not fit in the
 * provider's limit are counted instead ("; and 2 more"); the first always fits (catalog
 * names are at most 120 characters).
 */
function feeDescription(reference: string, licenses: readonly string[]): string {
  const said = (shown: number) => {
    const more = licenses.length - shown;
    return `Application ${reference}: ${[...licenses.slice(0, shown), ...(more > 0 ? [`and ${more} more`] : [])].join('; ')}`;
  };
  let shown = licenses.length;
  while (shown > 1 && said(shown).length >= DESCRIPTION_LIMIT) shown--;
  return said(shown);
}

/**
 * How an application is paid for. The amount is the fee the application was quoted when it
 * was submitted (kept on the row), never a figure from the browser; only its owner may pay,
 * and only while it awaits payment ("pay later" is simply coming back to this). The payment's
 * success moves the application on in the payment's own transaction (SPEC E2).
 */
export function registerApplicationPayments(settings: ApplicationSettings): void {
  quotePayable(APPLICATION_PAYABLE, async (db, { id, purpose, ownerSub }) => {
    if (purpose !== APPLICATION_FEE || !UUID.test(id)) return null;
    const application = await findOwnedApplication(db, id, ownerSub);
    if (!application || application.state !== 'awaiting-payment' || application.fee_cents === null) return null;
    const licenses = await licensesOf(db, [application.id]);
    return {
      amountCents: application.fee_cents,
      description: feeDescription(application.reference, licenses.map(licenseRowTitle)),
    };
  });
  onPaid(APPLICATION_PAYABLE, async (trx, payment) =>
    (await markPaid(trx, settings, payment.payable_id, payment.id)).payable ? 'completed' : 'not-payable',
  );
  // A fee returned while the application is still open would have it evaluated for free: the
  // Department withdraws it first (or it is decided), and then the fee goes back. Until then
  // only licenses dropped from it are refunded; the first license's fee pays for the evaluation,
  // so refunds together never reach it (all but one cent is a full refund in all but name).
  onRefund(APPLICATION_PAYABLE, async (trx, payment, { cents, refundedCents, inFull }) => {
    // Locked after the payment (settle's order too): a withdrawal or a reopening waits for the
    // refund. The payment's lock makes its refunds decided one at a time, each counting the last.
    const application = await lockApplication(trx, payment.payable_id);
    if (!application) return null;
    // A denial may still be reconsidered and reviewed again on this fee (attack review s18, S2):
    // until its window has passed it counts as open.
    const reconsiderable =
      application.state === 'denied' &&
      mayBeReconsidered(application.decided_at, settings.reconsiderationDays, new Date());
    if (!isOpen(application.state) && !reconsiderable) return null;
    if (inFull) return elarErrors.refundWhileOpen();
    // The licenses beyond the first, priced by the schedule the application kept, not today's.
    const firstLicense = (await keptFirstLicenseCents(trx, application.id)) ?? payment.amount_cents;
    const most = Math.max(0, payment.amount_cents - firstLicense - refundedCents);
    return cents > most ? elarErrors.refundBeyondDroppedLicenses(formatCents(most)) : null;
  });
}
