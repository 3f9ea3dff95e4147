import type { Kysely } from 'kysely';
import type { ElarDatabase } from '../schema.ts';
import { EVERY_APPLICATION, type OfferingKind } from './catalog-file.ts';
import * as repo from './repository.ts';

/**
 * What the rest of ELAR asks the license catalog: the choices a person makes (category →
 * license → type → route), one license by its code, what a type and route require, and the
 * type a license advances to. Only active rows are offered; a code an application already
 * holds is still found, with `active: false`.
 */

type Q = Kysely<ElarDatabase>;

export interface LicenseCategory {
  code: string;
  name: string;
}

export interface LicenseType {
  code: string;
  name: string;
  /** The type a holder of this one may advance to, if any. */
  advancesTo: string | null;
  /** How long it lasts, in plain words. */
  lasts: string | null;
  active: boolean;
}

/** A license (category × field × grade level) or an endorsement, as offered. */
export interface LicenseOffering {
  code: string;
  kind: OfferingKind;
  /** The field ("Biology") or the endorsement's name. */
  field: string;
  gradeLevel: string | null;
  category: LicenseCategory;
  /** The active types it is issued as, in catalog order. */
  types: LicenseType[];
  active: boolean;
}

export interface RequirementItem {
  code: string;
  name: string;
  detail: string | null;
  /** Evaluation starts only when every gate item is on file. */
  gate: boolean;
  /** An item of every application (the application itself, the fee), not of this route only. */
  everyApplication: boolean;
}

/** One route ("pathway") to a license type, and everything it asks for. */
export interface RequirementRoute {
  code: string;
  name: string;
  /** The items of every application first, then the route's own, in catalog order. */
  items: RequirementItem[];
}

export interface RequirementTemplate {
  offering: LicenseOffering;
  type: LicenseType;
  routes: RequirementRoute[];
}

/**
 * "Biology (8-12)", "Sheltered English Immersion (SEI) Teacher": how a license is named on
 * every page (requirements, chooser, dashboard, licenses held, staff pages), whatever its type.
 */
export function offeringTitle(offering: Pick<LicenseOffering, 'field' | 'gradeLevel'>): string {
  return offering.gradeLevel ? `${offering.field} (${offering.gradeLevel})` : offering.field;
}

export async function listCategories(db: Q): Promise<LicenseCategory[]> {
  return repo.activeCategories(db);
}

export async function findCategory(db: Q, code: string): Promise<(LicenseCategory & { active: boolean }) | null> {
  const row = await repo.findCategoryRow(db, code);
  return row ? { code: row.code, name: row.name, active: row.active } : null;
}

export async function findLicenseType(db: Q, code: string): Promise<LicenseType | null> {
  const row = await repo.findTypeRow(db, code);
  return row ? typeOf(row) : null;
}

/** The active licenses and endorsements of a category, with the fields, levels and types each offers. */
export async function offeringsInCategory(db: Q, categoryCode: string): Promise<LicenseOffering[]> {
  const category = await repo.findCategoryRow(db, categoryCode);
  if (!category?.active) return [];
  const [rows, types] = await Promise.all([repo.activeOfferingsIn(db, categoryCode), activeTypeMap(db)]);
  return rows.map((row) => offeringOf(row, category, types));
}

/** One license or endorsement by its code, active or not (an application may hold an inactive one). */
export async function findOffering(db: Q, code: string): Promise<LicenseOffering | null> {
  const row = await repo.findOfferingRow(db, code);
  if (!row) return null;
  const [category, types] = await Promise.all([repo.findCategoryRow(db, row.category_code), activeTypeMap(db)]);
  return offeringOf(row, category!, types);
}

/**
 * What a license of this type asks for, route by route: the items of the routes that apply to
 * the license (or its category). Null when the license is not issued as that type.
 */
export async function requirementTemplate(
  db: Q,
  offeringCode: string,
  typeCode: string,
): Promise<RequirementTemplate | null> {
  const offering = await findOffering(db, offeringCode);
  const type = offering?.types.find((t) => t.code === typeCode);
  if (!offering?.active || !type) return null;
  const rows = await repo.activeRequirementsFor(db, typeCode, EVERY_APPLICATION);
  const applies = (appliesTo: string[]) =>
    appliesTo.length === 0 || appliesTo.includes(offering.code) || appliesTo.includes(offering.category.code);
  const common = rows.filter((r) => r.type_code === EVERY_APPLICATION).map((r) => itemOf(r, true));
  const routes = new Map<string, RequirementRoute>();
  for (const row of rows) {
    if (row.type_code === EVERY_APPLICATION || !applies(row.applies_to)) continue;
    let route = routes.get(row.route_code);
    if (!route) {
      route = { code: row.route_code, name: row.route_name, items: [...common] };
      routes.set(row.route_code, route);
    }
    route.items.push(itemOf(row, false));
  }
  return { offering, type, routes: [...routes.values()] };
}

/**
 * The type a holder of this license advances to (Initial → Professional), when the license is
 * issued as that type; null when there is none.
 */
export async function nextTypeUp(db: Q, offeringCode: string, typeCode: string): Promise<LicenseType | null> {
  const [offering, held] = await Promise.all([findOffering(db, offeringCode), findLicenseType(db, typeCode)]);
  if (!offering?.active || !held?.advancesTo) return null;
  return offering.types.find((t) => t.code === held.advancesTo) ?? null;
}

async function activeTypeMap(db: Q): Promise<Map<string, LicenseType>> {
  const rows = await repo.activeTypes(db);
  return new Map(rows.map((row) => [row.code, typeOf({ ...row, active: true })]));
}

function typeOf(row: {
  code: string;
  name: string;
  advances_to: string | null;
  lasts: string | null;
  active: boolean;
}): LicenseType {
  return { code: row.code, name: row.name, advancesTo: row.advances_to, lasts: row.lasts, active: row.active };
}

function offeringOf(
  row: Awaited<ReturnType<typeof repo.findOfferingRow>> & {},
  category: { code: string; name: string; active: boolean },
  types: Map<string, LicenseType>,
): LicenseOffering {
  return {
    code: row.code,
    kind: row.kind,
    field: row.name,
    gradeLevel: row.grade_level,
    category: { code: category.code, name: category.name },
    // In the catalog's order of types, whatever order the row lists them in.
    types: [...types.values()].filter((t) => row.types.includes(t.code)),
    active: row.active && category.active,
  };
}

function itemOf(
  row: { item_code: string; item_name: string; detail: string | null; gate: boolean },
  everyApplication: boolean,
): RequirementItem {
  return { code: row.item_code, name: row.item_name, detail: row.detail, gate: row.gate, everyApplication };
}
