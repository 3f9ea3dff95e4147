import type { Db } from '../database.ts';
import { LICENSURE_APPLICATION, LICENSURE_ROLES } from './department-roles/schema.ts';

/*
 * Who may sign in to which application, and with which roles: the directory's grants, read
 * by the OpenID provider (through the directory's index.ts).
 */

/**
 * SPEC S2: open applications for every profile; restricted ones need a role in some
 * active organization (an inactive one keeps its grants, but they give no access).
 */
export async function mayUseApplication(db: Db, profileId: string, applicationId: string): Promise<boolean> {
  const app = await db.selectFrom('application').select('access').where('id', '=', applicationId).executeTakeFirst();
  if (!app) return false;
  if (app.access === 'open') return true;
  const grant = await db
    .selectFrom('role_grant')
    .innerJoin('organization', 'organization.id', 'role_grant.organization_id')
    .select('role_grant.id')
    .where('role_grant.profile_id', '=', profileId)
    .where('role_grant.application_id', '=', applicationId)
    .where('organization.status', '=', 'active')
    .executeTakeFirst();
  return grant !== undefined;
}

/** SPEC S3: the requesting application's roles, per organization, for the `roles` claim. */
export async function rolesFor(
  db: Db,
  profileId: string,
  applicationId: string,
): Promise<Array<{ org: string; role: string }>> {
  const rows = await db
    .selectFrom('role_grant')
    .innerJoin('organization', 'organization.id', 'role_grant.organization_id')
    .select(['organization.code as org', 'role_grant.role'])
    .where('role_grant.profile_id', '=', profileId)
    .where('role_grant.application_id', '=', applicationId)
    .where('organization.status', '=', 'active')
    .orderBy('organization.code')
    .orderBy('role_grant.role')
    .execute();
  return rows.map((r) => ({ org: r.org, role: r.role }));
}

/**
 * Issue 12: the Department's licensure roles (licensure-evaluator, licensure-supervisor,
 * payments) reach ELAR in its `roles` claim, under the Department's organization code
 * (DEPARTMENT_ORG_CODE). No other application learns of them, and console-admin and
 * help-desk stay in the portal.
 */
export async function departmentRolesFor(
  db: Db,
  profileId: string,
  applicationId: string,
  departmentOrgCode: string,
): Promise<Array<{ org: string; role: string }>> {
  if (applicationId !== LICENSURE_APPLICATION) return [];
  const rows = await db
    .selectFrom('department_role')
    .select('role')
    .where('profile_id', '=', profileId)
    .where('role', 'in', LICENSURE_ROLES)
    .orderBy('role')
    .execute();
  return rows.map((r) => ({ org: departmentOrgCode, role: r.role }));
}
