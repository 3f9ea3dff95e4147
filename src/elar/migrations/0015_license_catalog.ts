import { sql, type Kysely } from 'kysely';

/**
 * The license catalog (src/elar/catalog): categories, license types, licenses and
 * endorsements, and requirement templates, loaded from the CSV files shipped with ELAR or
 * imported by an operator. `active` instead of deletion: applications refer to the codes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const elar = db.schema.withSchema('elar');
  await elar
    .createTable('license_category')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();
  await elar
    .createTable('license_type')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('advances_to', 'text')
    .addColumn('lasts', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();
  await elar
    .createTable('license_offering')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('license', 'endorsement')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('category_code', 'text', (c) => c.notNull().references('elar.license_category.code'))
    .addColumn('grade_level', 'text')
    .addColumn('types', sql`text[]`, (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();
  await elar
    .createIndex('license_offering_category')
    .on('license_offering')
    .columns(['category_code', 'position'])
    .execute();
  await elar
    .createTable('requirement')
    .addColumn('type_code', 'text', (c) => c.notNull())
    .addColumn('route_code', 'text', (c) => c.notNull())
    .addColumn('item_code', 'text', (c) => c.notNull())
    .addColumn('route_name', 'text', (c) => c.notNull())
    .addColumn('applies_to', sql`text[]`, (c) => c.notNull())
    .addColumn('item_name', 'text', (c) => c.notNull())
    .addColumn('gate', 'boolean', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addPrimaryKeyConstraint('requirement_pkey', ['type_code', 'route_code', 'item_code'])
    .execute();
  await elar
    .createTable('catalog_load')
    .addColumn('part', 'text', (c) => c.primaryKey().check(sql`part IN ('licenses', 'requirements')`))
    .addColumn('origin', 'text', (c) => c.notNull().check(sql`origin IN ('shipped', 'import')`))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('loaded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}
