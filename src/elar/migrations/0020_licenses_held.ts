import { sql, type Kysely } from 'kysely';

/**
 * The licenses a person holds (src/elar/licenses). A license is one catalog offering at one
 * type; its number comes from a sequence, so it is unique and never reused, even by an
 * insert that was rolled back. Employment years are kept as a number, not inferred from
 * dates: LICENSURE.md counts only the years worked under the license.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SEQUENCE elar.license_number START 500000 MINVALUE 500000 NO CYCLE`.execute(db);
  await sql`
    CREATE TABLE elar.license (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      number text NOT NULL UNIQUE DEFAULT nextval('elar.license_number')::text,
      person_sub text NOT NULL,
      catalog_code text NOT NULL REFERENCES elar.license_offering (code),
      type_code text NOT NULL REFERENCES elar.license_type (code),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'expired', 'inactive', 'suspended', 'revoked')),
      valid_from date NOT NULL,
      valid_until date CHECK (valid_until > valid_from),
      employment_years numeric(4, 1) NOT NULL DEFAULT 0 CHECK (employment_years >= 0),
      application_id uuid REFERENCES elar.application (id),
      issued_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX license_person ON elar.license (person_sub, valid_from DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE elar.license`.execute(db);
  await sql`DROP SEQUENCE elar.license_number`.execute(db);
}
