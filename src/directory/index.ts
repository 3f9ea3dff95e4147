/**
 * The directory's public face: what other modules may use. The rest of src/directory is
 * the directory's own (the import rules in .dependency-cruiser.cjs keep it so).
 */
export type { Application, DirectoryTables, Organization } from './schema.ts';
export { departmentRolesFor, mayUseApplication, rolesFor } from './access-repository.ts';
export { hasDirectoryAccess } from './policy.ts';
export { hasConsoleAdministrator, insertDepartmentRole } from './department-roles/repository.ts';
export { ensureApplication, loadActor } from './service.ts';
export type { StaffLookupRules } from './staff-lookup.tsx';
export { confirmStaffMembership, declineStaffMembership } from './staff-confirmation.ts';
export { pendingMembershipsOf, type PendingMembership } from './membership-repository.ts';
export {
  applicationsFor,
  findApplication,
  findOrganizationByCode,
  isMember,
  lastAdministratorReset,
  organizationsOf,
  publicAdministrators,
  type PublicAdministrator,
} from './repository.ts';
