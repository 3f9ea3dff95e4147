import type { OrganizationTable } from './schema.ts';

/**
 * What makes an organization well formed (SPEC D1), shared by the CSV import and the
 * department console's form: 8-digit codes whose first 4 digits are the district's, a
 * district's own code ending in 0000, and short single-line texts.
 */

export type OrganizationType = OrganizationTable['type'];
export const ORGANIZATION_TYPES: readonly OrganizationType[] = ['district', 'school', 'other'];
export const ORGANIZATION_TEXT_LIMITS = { name: 200, town: 100, phone: 30 } as const;

/** Why this code cannot belong to an organization of this type, or null when it can. */
export function codeProblem(code: string, type: OrganizationType): string | null {
  if (type === 'district' && !code.endsWith('0000')) return `a district's code must end in 0000`;
  if (type === 'school' && code.endsWith('0000'))
    return `a school's code cannot end in 0000 (that is its district's code)`;
  return null;
}

/** The code of the district a school belongs to. */
export function districtCodeOf(code: string): string {
  return `${code.slice(0, 4)}0000`;
}
