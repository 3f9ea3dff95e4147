/**
 * The directory's public face: what other modules may use. The rest of src/directory is
 * the directory's own (the import rules in .dependency-cruiser.cjs keep it so).
 */
export type { Application, DirectoryTables, Organization } from './schema.ts';
export { mayUseApplication, rolesFor } from './access-repository.ts';
export { hasDirectoryAccess } from './policy.ts';
export { loadActor } from './service.ts';
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
