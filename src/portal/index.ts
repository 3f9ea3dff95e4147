/**
 * The portal's public face: what other modules may use. The rest of src/portal is the
 * portal's own (the import rules in .dependency-cruiser.cjs keep it so).
 */
export type { NewProfile, PortalTables, Profile } from './schema.ts';
export { PORTAL_AUDIT_EVENTS, type PortalAuditEventType } from './audit-events.ts';
export type { ActiveSession, SignedInProfile } from './sessions.ts';
export type { Portal } from './context.ts';
export { loadSession } from './sessions.ts';
export { endAllSessions } from './session-repository.ts';
export { accountLockedUntil, minutesUntil, partialMatchCounter, unlockAccount, unlockLogin } from './account-locks.ts';
export { throttled, type Counter, type ThrottleRule } from './throttle.ts';
export { createProfile, identityOnly, ssnFields, type AccountRules } from './accounts.ts';
export { hashSecret } from './hashing.ts';
export { classifyMatch, nameKey } from './identity.ts';
export { isValidMepid } from './identifiers.ts';
export { identityFields, parseDateOfBirth, ssnField } from './person-fields.ts';
export {
  findMatchCandidates,
  findOtherProfileWithSsn,
  findProfileById,
  recordMatchConflict,
  setIdentity,
  setPassword,
} from './profile-repository.ts';
