import type { DB } from '../database.ts';
import { auditWriter } from '../platform/audit.ts';
import { PORTAL_AUDIT_EVENTS, type PortalAuditEventType } from '../portal/index.ts';

/** What the directory records in the audit log: staff, roles, administrators, organizations, applications. */
export const DIRECTORY_AUDIT_EVENTS = [
  'staff.added',
  'staff.removed',
  'staff.confirmed',
  'staff.declined',
  'role.granted',
  'role.revoked',
  'diradmin.designated',
  'diradmin.revoked',
  'diradmin.contactsChanged',
  'profile.fixed',
  'conflict.resolved',
  'organizations.imported',
  'organization.added',
  'organization.updated',
  'application.added',
  'application.updated',
  'application.secretIssued',
  'departmentRole.granted',
  'departmentRole.revoked',
] as const;

export type DirectoryAuditEventType = (typeof DIRECTORY_AUDIT_EVENTS)[number];

/**
 * Every event the audit log page can show and filter on: the portal's and the directory's.
 * An administrator acting on an account (a reset, an unlock) records it in the portal's words.
 */
export const AUDIT_EVENT_TYPES = [...PORTAL_AUDIT_EVENTS, ...DIRECTORY_AUDIT_EVENTS];
export type AuditEventType = PortalAuditEventType | DirectoryAuditEventType;

export const audit = auditWriter<DB, AuditEventType>();
