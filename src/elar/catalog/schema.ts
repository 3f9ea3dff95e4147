import type { ColumnType, Generated } from 'kysely';

/**
 * The license catalog's tables in ELAR's schema (migration 0015). Rows are never deleted:
 * applications and licenses refer to them by code, so a row left out of an imported file
 * becomes inactive instead.
 */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface LicenseCategoryTable {
  code: string;
  name: string;
  position: number;
  active: Generated<boolean>;
}

export interface LicenseTypeTable {
  code: string;
  name: string;
  advances_to: string | null;
  lasts: string | null;
  position: number;
  active: Generated<boolean>;
}

export interface LicenseOfferingTable {
  code: string;
  kind: 'license' | 'endorsement';
  name: string;
  category_code: string;
  grade_level: string | null;
  types: ColumnType<string[], string[], string[]>;
  position: number;
  active: Generated<boolean>;
}

export interface RequirementTable {
  /** A type code, or ALL with route ALL for the items of every application. */
  type_code: string;
  route_code: string;
  route_name: string;
  applies_to: ColumnType<string[], string[], string[]>;
  item_code: string;
  item_name: string;
  gate: boolean;
  detail: string | null;
  position: number;
  active: Generated<boolean>;
}

/** Which file each part of the catalog was last loaded from: so a restart changes nothing. */
export interface CatalogLoadTable {
  part: 'licenses' | 'requirements';
  origin: 'shipped' | 'import';
  sha256: string;
  loaded_at: Timestamp;
}

export type CatalogTables = {
  license_category: LicenseCategoryTable;
  license_type: LicenseTypeTable;
  license_offering: LicenseOfferingTable;
  requirement: RequirementTable;
  catalog_load: CatalogLoadTable;
};
