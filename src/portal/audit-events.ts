import type { DB } from '../database.ts';
import { auditWriter } from '../platform/audit.ts';

/** What the portal records in the audit log: signing in, profiles, identity checks, passwords. */
export const PORTAL_AUDIT_EVENTS = [
  'login.succeeded',
  'login.failed',
  'login.locked',
  'account.locked',
  'account.unlocked',
  'logout',
  'sessions.ended',
  'profile.created',
  'profile.completed',
  'profile.bootstrapped',
  'match.exact',
  'match.partial',
  'match.precreated',
  'match.none',
  'hint.failed',
  'hint.locked',
  'hint.answered',
  'password.changed',
  'password.reset',
] as const;

export type PortalAuditEventType = (typeof PORTAL_AUDIT_EVENTS)[number];

export const audit = auditWriter<DB, PortalAuditEventType>();
