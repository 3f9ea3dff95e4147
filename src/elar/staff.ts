/**
 * ELAR's own notion of staff. The portal says who holds which role, as the `roles` claim
 * it issues for ELAR's client (`[{ org, role }]`); ELAR decides what each role may do.
 * Only roles held in the Department's organization count.
 */

export const STAFF_ROLES = ['licensure-evaluator', 'licensure-supervisor', 'payments'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export type ElarPermission = 'application.evaluate' | 'application.assign' | 'application.decide' | 'payment.manage';

/** What each role may do. A supervisor does an evaluator's work too, and assigns and decides. */
const PERMISSIONS: Record<StaffRole, readonly ElarPermission[]> = {
  'licensure-evaluator': ['application.evaluate'],
  'licensure-supervisor': ['application.evaluate', 'application.assign', 'application.decide'],
  payments: ['payment.manage'],
};

/** How a role is named on a page. */
export const STAFF_ROLE_NAMES: Record<StaffRole, string> = {
  'licensure-evaluator': 'licensure evaluator',
  'licensure-supervisor': 'licensure supervisor',
  payments: 'payments officer',
};

export interface ElarActor {
  staffRoles: readonly StaffRole[];
}

export function can(actor: ElarActor, permission: ElarPermission): boolean {
  return actor.staffRoles.some((role) => PERMISSIONS[role].includes(permission));
}

/** The staff roles in ID token claims; anything of another shape is no role (the claim is the portal's, read defensively). */
export function staffRolesFrom(claims: Record<string, unknown>, departmentOrg: string): StaffRole[] {
  const roles = Array.isArray(claims.roles) ? (claims.roles as unknown[]) : [];
  const held = new Set<string>();
  for (const entry of roles) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { org, role } = entry as Record<string, unknown>;
    if (org === departmentOrg && typeof role === 'string') held.add(role);
  }
  return STAFF_ROLES.filter((role) => held.has(role));
}

export function isStaffRole(value: string): value is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(value);
}
