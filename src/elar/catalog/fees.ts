/**
 * The application fee (LICENSURE.md, a setting): $100 for the first license in an
 * application, $25 for each additional one. One place for every page that states or
 * charges it; the versioned fee schedule (effective from/to, kept with each application)
 * replaces this constant as its default.
 */
export const APPLICATION_FEES = { firstLicenseCents: 10_000, additionalLicenseCents: 2_500 } as const;

export type ApplicationFees = { readonly firstLicenseCents: number; readonly additionalLicenseCents: number };

/** The fee for an application asking for `licenses` licenses. */
export function applicationFeeCents(licenses: number, fees: ApplicationFees = APPLICATION_FEES): number {
  if (!Number.isInteger(licenses) || licenses < 1) return 0;
  return fees.firstLicenseCents + (licenses - 1) * fees.additionalLicenseCents;
}

/** "$100", "$12.50": how the agency writes amounts. */
export function dollars(cents: number): string {
  const whole = Math.floor(cents / 100);
  const rest = cents % 100;
  return `$${whole.toLocaleString('en-US')}${rest ? `.${String(rest).padStart(2, '0')}` : ''}`;
}
