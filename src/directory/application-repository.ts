import type { Application } from './schema.ts';
import type { Db } from '../database.ts';

/** SQL for replacing an application's registration: what it was, and the grants it leaves behind. */

/** The registration as it stands, locked until the transaction ends so that nothing changes it meanwhile. */
export function lockApplication(tx: Db, id: string): Promise<Application | undefined> {
  return tx.selectFrom('application').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Deletes the grants of roles the application no longer has; returns them, for the audit. */
export function deleteGrantsOutsideRoles(
  tx: Db,
  applicationId: string,
  roles: string[],
): Promise<Array<{ profile_id: string; organization_code: string; role: string }>> {
  return tx
    .deleteFrom('role_grant')
    .using('organization')
    .whereRef('organization.id', '=', 'role_grant.organization_id')
    .where('role_grant.application_id', '=', applicationId)
    .where('role_grant.role', 'not in', roles)
    .returning(['role_grant.profile_id', 'organization.code as organization_code', 'role_grant.role'])
    .execute();
}

export async function countGrants(tx: Db, applicationId: string): Promise<number> {
  const row = await tx
    .selectFrom('role_grant')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('application_id', '=', applicationId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
