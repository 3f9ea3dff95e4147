import { sql, type Kysely } from 'kysely';

/**
 * An application's licenses speak the catalog's language (src/elar/catalog): the type is a
 * catalog type code (TMP, PRV, INI, PRO, MIL, END) instead of a word of its own, and both the
 * license and the type are foreign keys into the catalog, whose rows are never deleted (an
 * import only makes them inactive), so an application always names a license that exists.
 *
 * Rows written before this migration are converted: the type words become their codes. A
 * license code the catalog never had (nothing checked codes before) is kept, as an inactive
 * catalog row of its own under an inactive "no longer in the catalog" category, rather than
 * deleting a person's application or failing the upgrade.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE elar.application_license RENAME COLUMN license_type TO type_code`.execute(db);
  await sql`
    UPDATE elar.application_license SET type_code = CASE type_code
      WHEN 'temporary' THEN 'TMP'
      WHEN 'provisional' THEN 'PRV'
      WHEN 'initial' THEN 'INI'
      WHEN 'professional' THEN 'PRO'
      WHEN 'military-spouse' THEN 'MIL'
      ELSE type_code END`.execute(db);

  await sql`
    INSERT INTO elar.license_type (code, name, position, active)
    SELECT DISTINCT al.type_code, al.type_code, 1000, false
    FROM elar.application_license al
    WHERE NOT EXISTS (SELECT 1 FROM elar.license_type t WHERE t.code = al.type_code)`.execute(db);

  await sql`
    INSERT INTO elar.license_category (code, name, position, active)
    SELECT 'UNLISTED', 'Licenses no longer in the catalog', 1000, false
    WHERE EXISTS (
      SELECT 1 FROM elar.application_license al
      WHERE NOT EXISTS (SELECT 1 FROM elar.license_offering o WHERE o.code = al.catalog_code))
    ON CONFLICT (code) DO NOTHING`.execute(db);
  await sql`
    INSERT INTO elar.license_offering (code, kind, name, category_code, grade_level, types, position, active)
    SELECT al.catalog_code, 'license', al.catalog_code, 'UNLISTED', NULL, array_agg(DISTINCT al.type_code), 1000, false
    FROM elar.application_license al
    WHERE NOT EXISTS (SELECT 1 FROM elar.license_offering o WHERE o.code = al.catalog_code)
    GROUP BY al.catalog_code`.execute(db);

  await sql`
    ALTER TABLE elar.application_license
      ADD CONSTRAINT application_license_catalog_code_fkey
        FOREIGN KEY (catalog_code) REFERENCES elar.license_offering (code),
      ADD CONSTRAINT application_license_type_code_fkey
        FOREIGN KEY (type_code) REFERENCES elar.license_type (code)`.execute(db);
}
