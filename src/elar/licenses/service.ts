import type { Kysely } from 'kysely';
import { audit } from '../audit-events.ts';
import { offeringTitle } from '../catalog/index.ts';
import type { ElarDatabase } from '../schema.ts';
import * as repo from './repository.ts';
import type { LicenseStatus } from './schema.ts';

/**
 * The licenses a person holds. Issuing one on approval, its PDF, hard copies and status
 * changes belong to the licenses issue; what is here is what the dashboard, "advance" and
 * the demo need: read a person's licenses, and record one.
 */

export interface LicenseHeld {
  id: string;
  number: string;
  catalogCode: string;
  typeCode: string;
  /** "Biology (8-12)". */
  title: string;
  categoryName: string;
  /** "Initial". */
  typeName: string;
  status: LicenseStatus;
  /** YYYY-MM-DD. */
  validFrom: string;
  validUntil: string | null;
  employmentYears: number;
}

export async function licensesHeldBy(db: Kysely<ElarDatabase>, personSub: string): Promise<LicenseHeld[]> {
  const rows = await repo.licensesOf(db, personSub);
  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    catalogCode: row.catalog_code,
    typeCode: row.type_code,
    // As an application names it ("Biology (8-12)"), so the dashboard reads one way throughout.
    title: offeringTitle({ field: row.field, gradeLevel: row.grade_level }),
    categoryName: row.category_name,
    typeName: row.type_name,
    status: row.status,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    employmentYears: Number(row.employment_years),
  }));
}

export interface LicenseRecord {
  personSub: string;
  catalogCode: string;
  typeCode: string;
  status?: LicenseStatus;
  /** YYYY-MM-DD. */
  validFrom: string;
  validUntil?: string | null;
  employmentYears?: number;
  applicationId?: string | null;
}

/** Records a license, with its audit row, in the caller's transaction; the number comes from the sequence. */
export async function issueLicense(trx: Kysely<ElarDatabase>, record: LicenseRecord, actorId: string) {
  const issued = await repo.insertLicense(trx, {
    personSub: record.personSub,
    catalogCode: record.catalogCode,
    typeCode: record.typeCode,
    status: record.status ?? 'active',
    validFrom: record.validFrom,
    validUntil: record.validUntil ?? null,
    employmentYears: record.employmentYears ?? 0,
    applicationId: record.applicationId ?? null,
  });
  await audit(trx, {
    type: 'elar.license.issued',
    actorId,
    subjectId: issued.id,
    detail: { number: issued.number, catalogCode: record.catalogCode, typeCode: record.typeCode },
  });
  return issued;
}
