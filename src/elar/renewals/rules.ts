/**
 * Renewing a Professional license (LICENSURE.md, "Renewal and professional development"):
 * what the renewal page tells a person today. Renewal itself (PDP record, IPDP, attestation,
 * payment) is built on these numbers.
 */

/** A Professional license can be renewed no earlier than this many months before it expires. */
export const RENEWAL_OPENS_MONTHS_BEFORE = 12;

/** Professional Development Points per 5-year cycle for the primary license, and the topics' floors. */
export const PRIMARY_LICENSE_PDPS = 150;
export const PDPS_PER_REQUIRED_TOPIC = 15;
export const PDPS_FOR_A_TOPIC_TO_COUNT = 10;
/** Each additional license renewed with the primary one, at least this many of them in content. */
export const ADDITIONAL_LICENSE_PDPS = 30;

/** The renewal fee: the primary license, and each additional one (LICENSURE.md, assumed). */
export const RENEWAL_FEE_CENTS = { primary: 10_000, additional: 2_500 };

/** How many years a person keeps their professional development records after renewing. */
export const KEEP_RECORDS_YEARS = 5;

export type RenewalWindowState = 'not-yet' | 'open' | 'lapsed';

/**
 * When a license valid until `validUntil` can be renewed, seen on `today` (both YYYY-MM-DD):
 * from the same day a year earlier (28 February for 29 February) to the day it ends.
 */
export function renewalWindow(validUntil: string, today: string): { opens: string; state: RenewalWindowState } {
  const [year, month, day] = validUntil.split('-').map(Number) as [number, number, number];
  const monthsBack = year * 12 + (month - 1) - RENEWAL_OPENS_MONTHS_BEFORE;
  const opensYear = Math.floor(monthsBack / 12);
  const opensMonth = (monthsBack % 12) + 1;
  const lastDay = new Date(Date.UTC(opensYear, opensMonth, 0)).getUTCDate();
  const opens = `${opensYear}-${pad(opensMonth)}-${pad(Math.min(day, lastDay))}`;
  const state = today < opens ? 'not-yet' : today <= validUntil ? 'open' : 'lapsed';
  return { opens, state };
}

const pad = (n: number) => String(n).padStart(2, '0');
