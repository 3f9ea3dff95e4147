/**
 * The OpenID provider's public face: what other modules may use. The rest of src/sso is
 * its own (the import rules in .dependency-cruiser.cjs keep it so).
 */
export type { SsoTables } from './schema.ts';
export { revokeApplicationGrants, revokeWhereNoAccess, signOutOfApplication } from './logout.ts';
