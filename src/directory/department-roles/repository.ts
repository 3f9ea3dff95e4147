import type { Db } from '../../database.ts';
import type { DepartmentRole } from './schema.ts';

/** SQL for department roles (migrations/0010_department_roles.ts). */

export async function rolesOf(db: Db, profileId: string): Promise<DepartmentRole[]> {
  const rows = await db
    .selectFrom('department_role')
    .select('role')
    .where('profile_id', '=', profileId)
    .orderBy('role')
    .execute();
  return rows.map((r) => r.role);
}

/** False when the person already holds the role: the primary key makes a repeated grant one row. */
export async function insertDepartmentRole(
  db: Db,
  grant: { profileId: string; role: DepartmentRole; grantedBy: string | null },
): Promise<boolean> {
  const row = await db
    .insertInto('department_role')
    .values({ profile_id: grant.profileId, role: grant.role, granted_by: grant.grantedBy })
    .onConflict((oc) => oc.columns(['profile_id', 'role']).doNothing())
    .returning('profile_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** False when the person did not hold the role. */
export async function deleteDepartmentRole(db: Db, profileId: string, role: DepartmentRole): Promise<boolean> {
  const row = await db
    .deleteFrom('department_role')
    .where('profile_id', '=', profileId)
    .where('role', '=', role)
    .returning('profile_id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Who holds console-admin, with their rows locked until the transaction ends: two console
 * administrators revoking each other at once must not leave the system with none.
 */
export async function lockConsoleAdministrators(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('department_role')
    .select('profile_id')
    .where('role', '=', 'console-admin')
    .forUpdate()
    .execute();
  return rows.map((r) => r.profile_id);
}

export async function hasConsoleAdministrator(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('department_role')
    .select('profile_id')
    .where('role', '=', 'console-admin')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export interface DepartmentRoleHolder {
  profile_id: string;
  user_name: string;
  first_name: string;
  last_name: string;
  role: DepartmentRole;
  granted_at: Date;
  granted_by: string | null;
}

/** Every grant, by person then role, with who granted it (the console page). */
export function departmentRoleHolders(db: Db): Promise<DepartmentRoleHolder[]> {
  return db
    .selectFrom('department_role')
    .innerJoin('profile', 'profile.id', 'department_role.profile_id')
    .leftJoin('profile as granter', 'granter.id', 'department_role.granted_by')
    .select([
      'department_role.profile_id',
      'profile.user_name',
      'profile.first_name',
      'profile.last_name',
      'department_role.role',
      'department_role.granted_at',
      'granter.user_name as granted_by',
    ])
    .orderBy('profile.last_name')
    .orderBy('profile.first_name')
    .orderBy('profile.user_name')
    .orderBy('department_role.role')
    .execute();
}
