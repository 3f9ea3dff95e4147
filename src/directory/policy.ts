import type { SignedInProfile } from '../portal/index.ts';
import type { DepartmentRole } from './department-roles/schema.ts';

/**
 * The one authorization rule of directory administration (SPEC D3, D5). Every
 * administrative route asks `decide` (or `can`); nothing else decides.
 *
 * - The Department's staff act by their department roles, each only its part
 *   (`DEPARTMENT_ROLE_ACTIONS`, issue 12): `console-admin` may do everything; `help-desk`
 *   serves people who hold no powers at all; the licensure roles work in ELAR and have no
 *   part of the console. A person with several roles may do what any of them allows.
 * - A Directory Administrator of an active organization acts on that organization and its
 *   people; a district's Directory Administrator also acts for the district's active
 *   schools, and may designate Directory Administrators for those schools (not for the
 *   district itself). An inactive organization gives its administrators no power at all.
 * - A person is within an administrator's reach while they are on the staff of, or
 *   designated at, an organization the administrator acts in. Revoking the designation or
 *   removing them from the staff ends that reach: nothing else is remembered. A membership
 *   still waiting for the person's confirmation is not counted (`PersonRef.orgs`, attack F2).
 * - No administrator gains power over someone whose powers are greater than theirs or lie
 *   outside their reach: a department role, or a designation or role grant in an
 *   organization the administrator does not administer. Otherwise a reset password would
 *   hand those powers over (issue 11). Such a person is `beyond-reach`: only a console
 *   administrator acts on them.
 * - Taking power away is not power over the person: an administrator revokes the roles and
 *   ends the staff memberships of the organizations they act in whoever the person is, or
 *   a role granted elsewhere would shield them from their own district (outside review F5, F7).
 * - Everyone else may do none of it.
 */
export interface OrgRef {
  id: string;
  district_id: string | null;
  status: 'active' | 'inactive';
}

export interface Actor {
  profile: SignedInProfile;
  /** The department roles the person holds now (read on every request, so a revocation counts at once). */
  departmentRoles: ReadonlySet<DepartmentRole>;
  /** Active organizations where this person is a Directory Administrator. */
  administers: ReadonlySet<string>;
}

/** What a person could do with their account, as far as the directory knows. */
export interface Powers {
  departmentRoles: DepartmentRole[];
  /** Organizations (active or not) where they are a Directory Administrator. */
  administers: OrgRef[];
  /** Organizations (active or not) where they hold an application role. */
  rolesIn: OrgRef[];
}

/** A person acted on: the organizations that bring them within reach, and their powers. */
export interface PersonRef {
  orgs: OrgRef[];
  powers: Powers;
}

export const ACTIONS = [
  /** Open the directory workspace: its lists show only the organizations one acts in. */
  'directory.use',
  'organization.manage',
  'application.manage',
  'person.search',
  'audit.read',
  'conflict.resolve',
  'departmentRole.manage',
  'organization.view',
  'staff.add',
  'staff.remove',
  'role.grant',
  'role.revoke',
  'diradmin.designate',
  'diradmin.publishContacts',
  'person.view',
  'person.resetPassword',
  'person.endSessions',
  'person.unlock',
  'person.fixData',
] as const;

export type Action = (typeof ACTIONS)[number];

export type Resource =
  | { kind: 'system' }
  /**
   * `target`: the person the action would bring into the organization (designation, added
   * staff) or act on (removal). A designation's target must already be within the
   * administrator's reach, so naming someone reaches no one new.
   */
  | { kind: 'organization'; org: OrgRef; target?: PersonRef }
  /** A person acted on; for `conflict.resolve`, the person whose partial-match case it is. */
  | { kind: 'person'; person: PersonRef };

export type Decision = 'allow' | 'deny' | 'beyond-reach';

const DEPARTMENT_ONLY: ReadonlySet<Action> = new Set([
  'organization.manage',
  'application.manage',
  'person.search',
  'audit.read',
  'conflict.resolve',
  'departmentRole.manage',
]);

/**
 * What each department role may do (docs/security.md has the same table in words).
 * help-desk's person actions reach only people with no powers at all (`powerless`): with a
 * reset, an unlock or corrected identity details, the help desk could otherwise take over a
 * Directory Administrator's or a console administrator's account and with it their powers.
 * Licensure roles work in ELAR (the `roles` claim) and have no part of the console.
 */
export const DEPARTMENT_ROLE_ACTIONS: Record<DepartmentRole, ReadonlySet<Action>> = {
  'console-admin': new Set(ACTIONS),
  'help-desk': new Set<Action>([
    'directory.use',
    'person.search',
    'person.view',
    'person.unlock',
    'person.endSessions',
    'person.resetPassword',
    'person.fixData',
    'conflict.resolve',
  ]),
  'licensure-evaluator': new Set(),
  'licensure-supervisor': new Set(),
  payments: new Set(),
};

/** Reading the person page is not power over them; it says why nothing can be done. */
const READ_ONLY: ReadonlySet<Action> = new Set(['person.view']);

/** Actions that only take away what the organization gave: the person's powers elsewhere do not matter. */
const TAKES_AWAY: ReadonlySet<Action> = new Set(['staff.remove', 'role.revoke']);

/** Whether the actor runs the whole console (every organization, every person): a console administrator. */
export function isDepartment(actor: Actor | null): boolean {
  return actor?.departmentRoles.has('console-admin') ?? false;
}

/** Whether the organization lies within the actor's designations (whatever its status). */
function covers(actor: Actor, org: OrgRef): boolean {
  return actor.administers.has(org.id) || (org.district_id !== null && actor.administers.has(org.district_id));
}

/** Whether the actor administers the organization now: it must be active to give power. */
function actsIn(actor: Actor, org: OrgRef): boolean {
  return org.status === 'active' && covers(actor, org);
}

function inReach(actor: Actor, person: PersonRef): boolean {
  return person.orgs.some((org) => actsIn(actor, org));
}

/** Whether the person holds powers the actor does not: then no administrator may act on them. */
export function exceeds(actor: Actor, powers: Powers): boolean {
  return (
    powers.departmentRoles.length > 0 ||
    powers.administers.some((org) => !covers(actor, org)) ||
    powers.rolesIn.some((org) => !covers(actor, org))
  );
}

/** No department role, no designation, no application role anywhere: nothing a reset could hand over. */
function powerless(powers: Powers): boolean {
  return powers.departmentRoles.length === 0 && powers.administers.length === 0 && powers.rolesIn.length === 0;
}

/** What one department role allows: its actions, and for help-desk only on people without powers. */
function decideByRole(role: DepartmentRole, action: Action, resource: Resource): Decision {
  if (!DEPARTMENT_ROLE_ACTIONS[role].has(action)) return 'deny';
  if (role === 'console-admin') return 'allow';
  switch (resource.kind) {
    case 'system':
      return 'allow';
    case 'organization':
      return 'deny';
    case 'person':
      if (READ_ONLY.has(action)) return 'allow';
      return powerless(resource.person.powers) ? 'allow' : 'beyond-reach';
  }
}

const RANK: Record<Decision, number> = { deny: 0, 'beyond-reach': 1, allow: 2 };

export function decide(actor: Actor | null, action: Action, resource: Resource): Decision {
  if (!actor) return 'deny';
  // Each role and each designation is weighed alone; the actor may do what any one allows.
  let best = decideAsAdministrator(actor, action, resource);
  for (const role of actor.departmentRoles) {
    const decision = decideByRole(role, action, resource);
    if (RANK[decision] > RANK[best]) best = decision;
  }
  return best;
}

/** What the actor's designations as a Directory Administrator allow. */
function decideAsAdministrator(actor: Actor, action: Action, resource: Resource): Decision {
  if (DEPARTMENT_ONLY.has(action)) return 'deny';
  switch (resource.kind) {
    case 'system':
      return action === 'directory.use' && actor.administers.size > 0 ? 'allow' : 'deny';
    case 'organization': {
      const { org, target } = resource;
      if (org.status !== 'active') return 'deny';
      let allowed: boolean;
      if (action === 'diradmin.designate') {
        allowed = org.district_id !== null && actor.administers.has(org.district_id);
        // A User Name alone must not bring anyone new within reach.
        if (allowed && target && !inReach(actor, target)) return 'deny';
      } else if (action === 'diradmin.publishContacts') {
        // What a Directory Administrator publishes is theirs: only where they are designated.
        allowed = actor.administers.has(org.id);
      } else {
        allowed = actsIn(actor, org);
      }
      if (!allowed) return 'deny';
      if (TAKES_AWAY.has(action)) return 'allow';
      return target && exceeds(actor, target.powers) ? 'beyond-reach' : 'allow';
    }
    case 'person':
      if (!inReach(actor, resource.person)) return 'deny';
      if (READ_ONLY.has(action) || TAKES_AWAY.has(action)) return 'allow';
      return exceeds(actor, resource.person.powers) ? 'beyond-reach' : 'allow';
  }
}

export function can(actor: Actor | null, action: Action, resource: Resource): boolean {
  return decide(actor, action, resource) === 'allow';
}

/** Whether the person has any administrative workspace at all (for the navigation). */
export function hasDirectoryAccess(actor: Actor | null): boolean {
  return can(actor, 'directory.use', { kind: 'system' });
}
