import type { Profile } from '../platform/db.ts';

/**
 * The one authorization rule of directory administration (SPEC D3, D5). Every
 * administrative route asks `can(actor, action, resource)`; nothing else decides.
 *
 * - Department staff (department_role admin or staff) may do everything.
 * - A Directory Administrator of an organization acts on that organization and its people;
 *   a district's Directory Administrator also acts for the district's schools, and may
 *   designate Directory Administrators for those schools (not for the district itself).
 * - Everyone else may do none of it.
 */
export interface OrgRef {
  id: string;
  district_id: string | null;
}

export interface Actor {
  profile: Profile;
  /** Organizations where this person is a Directory Administrator. */
  administers: ReadonlySet<string>;
}

export type Action =
  | 'console.use'
  | 'organization.manage'
  | 'application.manage'
  | 'person.search'
  | 'audit.read'
  | 'conflict.resolve'
  | 'organization.view'
  | 'staff.add'
  | 'role.grant'
  | 'diradmin.designate'
  | 'diradmin.publishContacts'
  | 'person.view'
  | 'person.resetPassword'
  | 'person.endSessions'
  | 'person.unlock'
  | 'person.fixData';

export type Resource =
  | { kind: 'system' }
  | { kind: 'organization'; org: OrgRef }
  | { kind: 'person'; orgs: OrgRef[] };

const DEPARTMENT_ONLY: ReadonlySet<Action> = new Set([
  'console.use',
  'organization.manage',
  'application.manage',
  'person.search',
  'audit.read',
  'conflict.resolve',
]);

export function isDepartment(actor: Actor | null): boolean {
  return actor?.profile.department_role === 'admin' || actor?.profile.department_role === 'staff';
}

function administersOrg(actor: Actor, org: OrgRef): boolean {
  return actor.administers.has(org.id) || (org.district_id !== null && actor.administers.has(org.district_id));
}

export function can(actor: Actor | null, action: Action, resource: Resource): boolean {
  if (!actor) return false;
  if (isDepartment(actor)) return true;
  if (DEPARTMENT_ONLY.has(action)) return false;
  switch (resource.kind) {
    case 'system':
      return false;
    case 'organization':
      if (action === 'diradmin.designate') {
        return resource.org.district_id !== null && actor.administers.has(resource.org.district_id);
      }
      // What a Directory Administrator publishes is theirs: only where they are designated.
      if (action === 'diradmin.publishContacts') return actor.administers.has(resource.org.id);
      return administersOrg(actor, resource.org);
    case 'person':
      return resource.orgs.some((org) => administersOrg(actor, org));
  }
}

/** Whether the person has any administrative workspace at all (for the navigation). */
export function hasDirectoryAccess(actor: Actor | null): boolean {
  return isDepartment(actor) || (actor?.administers.size ?? 0) > 0;
}
