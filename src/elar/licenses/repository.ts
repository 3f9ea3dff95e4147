import { sql, type Kysely } from 'kysely';
import type { ElarDatabase } from '../schema.ts';
import type { LicenseStatus } from './schema.ts';

type Q = Kysely<ElarDatabase>;

/** A person's licenses with their catalog names, newest first: one query, whatever the count. */
export function licensesOf(db: Q, personSub: string) {
  return db
    .selectFrom('license as l')
    .innerJoin('license_offering as o', 'o.code', 'l.catalog_code')
    .innerJoin('license_category as c', 'c.code', 'o.category_code')
    .innerJoin('license_type as t', 't.code', 'l.type_code')
    .select([
      'l.id',
      'l.number',
      'l.catalog_code',
      'l.type_code',
      'l.status',
      // Calendar dates, as written: no time zone to shift them a day.
      sql<string>`l.valid_from::text`.as('valid_from'),
      sql<string | null>`l.valid_until::text`.as('valid_until'),
      'l.employment_years',
      'o.name as field',
      'o.grade_level',
      'c.name as category_name',
      't.name as type_name',
    ])
    .where('l.person_sub', '=', personSub)
    .orderBy('l.valid_from', 'desc')
    .orderBy('l.number', 'desc')
    .execute();
}

export function insertLicense(
  trx: Q,
  row: {
    personSub: string;
    catalogCode: string;
    typeCode: string;
    status: LicenseStatus;
    validFrom: string;
    validUntil: string | null;
    employmentYears: number;
    applicationId: string | null;
  },
) {
  return trx
    .insertInto('license')
    .values({
      person_sub: row.personSub,
      catalog_code: row.catalogCode,
      type_code: row.typeCode,
      status: row.status,
      valid_from: row.validFrom,
      valid_until: row.validUntil,
      employment_years: row.employmentYears,
      application_id: row.applicationId,
    })
    .returning(['id', 'number'])
    .executeTakeFirstOrThrow();
}
