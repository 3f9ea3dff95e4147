import { offeringTitle } from '../../catalog/index.ts';

/**
 * How a license asked for in an application is named on a page: always in the catalog's
 * words ("Biology (8-12), Initial license"), never by its codes. One place for every page of
 * the application (task list, sections, check your answers, dashboard) and of staff (the queue).
 */

export interface LicenseNaming {
  kind: 'license' | 'endorsement';
  /** The field ("Biology") or the endorsement's name. */
  field: string;
  gradeLevel: string | null;
  typeName: string;
}

/** "Biology (8-12)"; "Sheltered English Immersion (SEI) Teacher endorsement": the license whatever its type. */
export function offeringName(offering: Pick<LicenseNaming, 'kind' | 'field' | 'gradeLevel'>): string {
  if (offering.kind === 'endorsement') return `${offering.field} endorsement`;
  return offeringTitle(offering);
}

/** "Biology (8-12), Initial license"; "Sheltered English Immersion (SEI) Teacher endorsement". */
export function licenseTitle(license: LicenseNaming): string {
  const name = offeringName(license);
  return license.kind === 'endorsement' ? name : `${name}, ${license.typeName} license`;
}

/** A license as the repository reads it beside its application (`licensesOf`), named. */
export function licenseRowTitle(row: {
  kind: LicenseNaming['kind'];
  field: string;
  grade_level: string | null;
  type_name: string;
}): string {
  return licenseTitle({ kind: row.kind, field: row.field, gradeLevel: row.grade_level, typeName: row.type_name });
}

/** The route as the requirement template names it; a route the template no longer has is shown as its code, tidied. */
export function routeTitle(routeName: string | null, route: string): string {
  if (routeName) return routeName;
  const words = route.replace(/-/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
