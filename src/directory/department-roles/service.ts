import { audit } from '../audit-events.ts';
import type { Db } from '../../database.ts';
import type { Profile } from '../../portal/index.ts';
import type { Actor } from '../policy.ts';
import { directoryErrors } from '../errors.ts';
import { signOutOfApplication } from '../../sso/index.ts';
import * as repo from './repository.ts';
import {
  DEPARTMENT_ROLES,
  isDepartmentRole,
  LICENSURE_APPLICATION,
  LICENSURE_ROLES,
  type DepartmentRole,
} from './schema.ts';

/**
 * Granting and revoking department roles (issue 12): by a console administrator on the
 * console, or from the command line (no actor). Callers have asked `can(…,
 * 'departmentRole.manage')`. Each change and its audit row are one transaction. The console's
 * roles need nothing more: the policy reads them on every request, so a revoked console-admin
 * can do nothing more from their next request on. ELAR, though, learns the licensure roles
 * once, at sign-in: revoking one also ends the person's ELAR sessions (attack review, issue 12).
 */

export interface DepartmentRoleChange {
  person: Profile;
  /** As typed: checked here against the named roles. */
  role: string;
}

function checked(change: DepartmentRoleChange): DepartmentRole {
  if (!isDepartmentRole(change.role)) {
    throw directoryErrors.notADepartmentRole(change.role, DEPARTMENT_ROLES).at('role');
  }
  // A pre-created profile has no owner yet: a role would wait there for whoever completes it.
  if (change.person.status !== 'active') {
    throw directoryErrors.departmentRoleNeedsCompletedProfile(change.person.user_name).at('username');
  }
  return change.role;
}

/** False when the person already held the role (nothing written, nothing audited). */
export async function grantDepartmentRole(
  db: Db,
  actor: Actor | null,
  change: DepartmentRoleChange,
  ip: string | null,
): Promise<boolean> {
  const role = checked(change);
  return db.transaction().execute(async (tx) => {
    const granted = await repo.insertDepartmentRole(tx, {
      profileId: change.person.id,
      role,
      grantedBy: actor?.profile.id ?? null,
    });
    if (granted)
      await audit(tx, {
        type: 'departmentRole.granted',
        actorId: actor?.profile.id ?? null,
        subjectId: change.person.id,
        ip,
        detail: { role },
      });
    return granted;
  });
}

/** False when the person did not hold the role. The last console administrator keeps theirs. */
export async function revokeDepartmentRole(
  db: Db,
  actor: Actor | null,
  change: DepartmentRoleChange,
  ip: string | null,
): Promise<boolean> {
  const role = checked(change);
  return db.transaction().execute(async (tx) => {
    if (role === 'console-admin') {
      const holders = await repo.lockConsoleAdministrators(tx);
      if (holders.length === 1 && holders[0] === change.person.id) {
        throw directoryErrors.lastConsoleAdministrator(change.person.user_name).at('role');
      }
    }
    const revoked = await repo.deleteDepartmentRole(tx, change.person.id, role);
    if (revoked) {
      await audit(tx, {
        type: 'departmentRole.revoked',
        actorId: actor?.profile.id ?? null,
        subjectId: change.person.id,
        ip,
        detail: { role },
      });
      // Otherwise the role would work in an ELAR session for up to SESSION_ABSOLUTE_HOURS.
      if (LICENSURE_ROLES.includes(role)) await signOutOfApplication(tx, change.person.id, LICENSURE_APPLICATION);
    }
    return revoked;
  });
}
