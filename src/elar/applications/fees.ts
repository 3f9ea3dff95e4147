import { elarErrors } from '../errors.ts';

/**
 * The application fee schedule (LICENSURE.md, "Money"): the one place a fee is worked out.
 * The amounts are versioned rows (`elar.fee_schedule`, seeded by migration 0016 with $100 for
 * the first license and $25 for each additional one): a new row with an effective date is
 * a fee change, and an application keeps the version and amount it was quoted at submission.
 * Amounts are whole cents, and never come from the browser.
 */

export interface FeeSchedule {
  version: number;
  firstLicenseCents: number;
  additionalLicenseCents: number;
  effectiveFrom: Date;
  effectiveTo: Date | null;
}

export interface FeeQuote {
  cents: number;
  scheduleVersion: number;
}

export function quoteFee(schedule: FeeSchedule, licenseCount: number): FeeQuote {
  if (!Number.isInteger(licenseCount) || licenseCount < 1) throw new Error('a fee is quoted for one license or more');
  return {
    cents: schedule.firstLicenseCents + (licenseCount - 1) * schedule.additionalLicenseCents,
    scheduleVersion: schedule.version,
  };
}

/** The schedule in force at `at`: the latest to start at or before it that has not ended. */
export function scheduleInForce(schedules: readonly FeeSchedule[], at: Date): FeeSchedule {
  const inForce = schedules
    .filter((s) => s.effectiveFrom <= at && (s.effectiveTo === null || at < s.effectiveTo))
    .sort((a, b) => b.effectiveFrom.getTime() - a.effectiveFrom.getTime())[0];
  if (!inForce) {
    throw elarErrors.noFeeSchedule();
  }
  return inForce;
}

// Made once: `toLocaleString('en-US')` builds a formatter a call (10 µs against 0.5), fifty on the dashboard.
const WHOLE_DOLLARS = new Intl.NumberFormat('en-US');

/** "$125.00": how a fee is shown. */
export function formatDollars(cents: number): string {
  return `$${WHOLE_DOLLARS.format(Math.floor(cents / 100))}.${String(cents % 100).padStart(2, '0')}`;
}
