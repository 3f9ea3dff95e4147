import type { ColumnType, Generated } from 'kysely';

/** The licenses a person holds (migration 0020), in ELAR's schema. */

export const LICENSE_STATUSES = ['active', 'expired', 'inactive', 'suspended', 'revoked'] as const;
export type LicenseStatus = (typeof LICENSE_STATUSES)[number];

/** A calendar date, written and read as YYYY-MM-DD. */
type DateColumn = ColumnType<string, string, string>;

export interface LicenseTable {
  id: Generated<string>;
  /** Printed on the license and searched in the public lookup (CONTRACT.md: `data-license-number`). */
  number: Generated<string>;
  person_sub: string;
  catalog_code: string;
  type_code: string;
  status: ColumnType<LicenseStatus, LicenseStatus | undefined, LicenseStatus>;
  valid_from: DateColumn;
  valid_until: ColumnType<string | null, string | null | undefined, string | null>;
  /** Years worked under this license: what Provisional, Initial and Military spouse licenses last (LICENSURE.md). */
  employment_years: ColumnType<string, number | string | undefined, number | string>;
  /** The application that led to it, when ELAR issued it. */
  application_id: string | null;
  issued_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface LicenseTables {
  license: LicenseTable;
}
