import { sql, type Kysely } from 'kysely';
import type { ElarDatabase } from '../schema.ts';
import type { CategoryRow, LicenseTypeRow, OfferingRow, RequirementRow } from './catalog-file.ts';
import type { CatalogLoadTable } from './schema.ts';

/** The catalog's SQL, on ELAR's handle or a transaction on it. */
type Q = Kysely<ElarDatabase>;

export interface Stored<R> {
  row: R;
  position: number;
  active: boolean;
}

/** Serializes catalog writes: two instances starting at once load the shipped files one after the other. */
export async function lockCatalog(tx: Q): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('elar.catalog'))`.execute(tx);
}

export async function lastLoad(db: Q, part: CatalogLoadTable['part']) {
  return db.selectFrom('catalog_load').selectAll().where('part', '=', part).executeTakeFirst();
}

export async function recordLoad(tx: Q, load: Omit<CatalogLoadTable, 'loaded_at'>): Promise<void> {
  await tx
    .insertInto('catalog_load')
    .values(load)
    .onConflict((oc) =>
      oc.column('part').doUpdateSet({ origin: load.origin, sha256: load.sha256, loaded_at: sql`now()` }),
    )
    .execute();
}

// ---------------------------------------------------------------------------------------
// Reading, as stored (the import compares against these)

export async function storedCategories(db: Q): Promise<Map<string, Stored<CategoryRow>>> {
  const rows = await db.selectFrom('license_category').selectAll().execute();
  return new Map(
    rows.map((r) => [r.code, { row: { code: r.code, name: r.name }, position: r.position, active: r.active }]),
  );
}

export async function storedTypes(db: Q): Promise<Map<string, Stored<LicenseTypeRow>>> {
  const rows = await db.selectFrom('license_type').selectAll().execute();
  return new Map(
    rows.map((r) => [
      r.code,
      {
        row: { code: r.code, name: r.name, advancesTo: r.advances_to, lasts: r.lasts },
        position: r.position,
        active: r.active,
      },
    ]),
  );
}

export async function storedOfferings(db: Q): Promise<Map<string, Stored<OfferingRow>>> {
  const rows = await db.selectFrom('license_offering').selectAll().execute();
  return new Map(rows.map((r) => [r.code, { row: offeringOf(r), position: r.position, active: r.active }]));
}

export async function storedRequirements(db: Q): Promise<Map<string, Stored<RequirementRow>>> {
  const rows = await db.selectFrom('requirement').selectAll().execute();
  return new Map(
    rows.map((r) => [
      requirementKey(r.type_code, r.route_code, r.item_code),
      { row: requirementOf(r), position: r.position, active: r.active },
    ]),
  );
}

export function requirementKey(type: string, route: string, item: string): string {
  return `${type}/${route}/${item}`;
}

// ---------------------------------------------------------------------------------------
// Writing: one statement per table for the rows that changed

/** A row to write and its place in the file. */
export type Placed<R> = { row: R; position: number };

export async function putCategories(tx: Q, rows: Array<Placed<CategoryRow>>): Promise<void> {
  if (rows.length === 0) return;
  await tx
    .insertInto('license_category')
    .values(rows.map(({ row, position }) => ({ code: row.code, name: row.name, position, active: true })))
    .onConflict((oc) =>
      oc.column('code').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        position: eb.ref('excluded.position'),
        active: true,
      })),
    )
    .execute();
}

export async function putTypes(tx: Q, rows: Array<Placed<LicenseTypeRow>>): Promise<void> {
  if (rows.length === 0) return;
  await tx
    .insertInto('license_type')
    .values(
      rows.map(({ row, position }) => ({
        code: row.code,
        name: row.name,
        advances_to: row.advancesTo,
        lasts: row.lasts,
        position,
        active: true,
      })),
    )
    .onConflict((oc) =>
      oc.column('code').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        advances_to: eb.ref('excluded.advances_to'),
        lasts: eb.ref('excluded.lasts'),
        position: eb.ref('excluded.position'),
        active: true,
      })),
    )
    .execute();
}

export async function putOfferings(tx: Q, rows: Array<Placed<OfferingRow>>): Promise<void> {
  if (rows.length === 0) return;
  await tx
    .insertInto('license_offering')
    .values(
      rows.map(({ row, position }) => ({
        code: row.code,
        kind: row.kind,
        name: row.name,
        category_code: row.category,
        grade_level: row.gradeLevel,
        types: row.types,
        position,
        active: true,
      })),
    )
    .onConflict((oc) =>
      oc.column('code').doUpdateSet((eb) => ({
        kind: eb.ref('excluded.kind'),
        name: eb.ref('excluded.name'),
        category_code: eb.ref('excluded.category_code'),
        grade_level: eb.ref('excluded.grade_level'),
        types: eb.ref('excluded.types'),
        position: eb.ref('excluded.position'),
        active: true,
      })),
    )
    .execute();
}

export async function putRequirements(tx: Q, rows: Array<Placed<RequirementRow>>): Promise<void> {
  if (rows.length === 0) return;
  await tx
    .insertInto('requirement')
    .values(
      rows.map(({ row, position }) => ({
        type_code: row.type,
        route_code: row.route,
        item_code: row.item,
        route_name: row.routeName,
        applies_to: row.appliesTo,
        item_name: row.itemName,
        gate: row.gate,
        detail: row.detail,
        position,
        active: true,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['type_code', 'route_code', 'item_code']).doUpdateSet((eb) => ({
        route_name: eb.ref('excluded.route_name'),
        applies_to: eb.ref('excluded.applies_to'),
        item_name: eb.ref('excluded.item_name'),
        gate: eb.ref('excluded.gate'),
        detail: eb.ref('excluded.detail'),
        position: eb.ref('excluded.position'),
        active: true,
      })),
    )
    .execute();
}

type CodedTable = 'license_category' | 'license_type' | 'license_offering';

export async function deactivate(tx: Q, table: CodedTable, codes: string[]): Promise<void> {
  if (codes.length === 0) return;
  await tx.updateTable(table).set({ active: false }).where('code', 'in', codes).execute();
}

export async function deactivateRequirements(tx: Q, keys: Array<[string, string, string]>): Promise<void> {
  for (const [type, route, item] of keys) {
    await tx
      .updateTable('requirement')
      .set({ active: false })
      .where('type_code', '=', type)
      .where('route_code', '=', route)
      .where('item_code', '=', item)
      .execute();
  }
}

// ---------------------------------------------------------------------------------------
// What the pages and other parts read: active rows, in the file's order

export async function activeCategories(db: Q) {
  return db
    .selectFrom('license_category')
    .select(['code', 'name'])
    .where('active', '=', true)
    .orderBy('position')
    .execute();
}

export async function activeTypes(db: Q) {
  return db
    .selectFrom('license_type')
    .select(['code', 'name', 'advances_to', 'lasts'])
    .where('active', '=', true)
    .orderBy('position')
    .execute();
}

export async function findCategoryRow(db: Q, code: string) {
  return db.selectFrom('license_category').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function findTypeRow(db: Q, code: string) {
  return db.selectFrom('license_type').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function findOfferingRow(db: Q, code: string) {
  return db.selectFrom('license_offering').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function activeOfferingsIn(db: Q, categoryCode: string) {
  return db
    .selectFrom('license_offering')
    .selectAll()
    .where('category_code', '=', categoryCode)
    .where('active', '=', true)
    .orderBy('position')
    .execute();
}

/** The active items for a type (and those of every application), in the file's order. */
export async function activeRequirementsFor(db: Q, typeCode: string, everyApplication: string) {
  return db
    .selectFrom('requirement')
    .selectAll()
    .where('active', '=', true)
    .where('type_code', 'in', [typeCode, everyApplication])
    .orderBy('position')
    .execute();
}

function offeringOf(r: {
  code: string;
  kind: 'license' | 'endorsement';
  name: string;
  category_code: string;
  grade_level: string | null;
  types: string[];
}): OfferingRow {
  return {
    code: r.code,
    kind: r.kind,
    name: r.name,
    category: r.category_code,
    gradeLevel: r.grade_level,
    types: r.types,
  };
}

function requirementOf(r: {
  type_code: string;
  route_code: string;
  route_name: string;
  applies_to: string[];
  item_code: string;
  item_name: string;
  gate: boolean;
  detail: string | null;
}): RequirementRow {
  return {
    type: r.type_code,
    route: r.route_code,
    routeName: r.route_name,
    appliesTo: r.applies_to,
    item: r.item_code,
    itemName: r.item_name,
    gate: r.gate,
    detail: r.detail,
  };
}
