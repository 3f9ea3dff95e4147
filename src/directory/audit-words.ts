import type { AuditEventType } from './audit-events.ts';

/** The audit log in the agency's words: what each event means to the staff who read it. */
export const AUDIT_EVENT_WORDS: Record<AuditEventType, string> = {
  'login.succeeded': 'Logged in',
  'login.failed': 'Login failed',
  'login.locked': 'Login refused: locked',
  'account.locked': 'Account locked',
  'account.unlocked': 'Account unlocked',
  logout: 'Logged out',
  'sessions.ended': 'Signed out everywhere',
  'profile.created': 'Profile created',
  'profile.completed': 'Pre-created profile completed',
  'profile.bootstrapped': 'First department administrator created',
  'match.exact': 'Identity check: exact match',
  'match.partial': 'Identity check: partial match',
  'match.precreated': 'Identity check: pre-created profile found',
  'match.none': 'Identity check: no match',
  'hint.failed': 'Wrong hint answer',
  'hint.locked': 'Password reset locked: wrong hint answers',
  'hint.answered': 'Hint answered',
  'password.changed': 'Password changed',
  'password.reset': 'Password reset',
  'staff.added': 'Staff member added',
  'staff.removed': 'Staff member removed',
  'staff.confirmed': 'Staff membership confirmed by the person',
  'staff.declined': 'Staff membership declined by the person: not their employer',
  'role.granted': 'Role granted',
  'role.revoked': 'Role revoked',
  'diradmin.designated': 'Directory Administrator designated',
  'diradmin.revoked': 'Directory Administrator designation revoked',
  'diradmin.contactsChanged': 'Published contact details changed',
  'profile.fixed': 'Identity details corrected',
  'conflict.resolved': 'Partial match closed',
  'organizations.imported': 'Organizations imported',
  'organization.added': 'Organization added',
  'organization.updated': 'Organization changed',
  'application.added': 'Application registered',
  'application.updated': 'Application changed',
  'application.secretIssued': 'New client secret issued',
  'departmentRole.granted': 'Department role granted',
  'departmentRole.revoked': 'Department role revoked',
};

/** The event in words; a type added elsewhere and not yet worded shows as it is stored. */
export function eventWords(type: string): string {
  return (AUDIT_EVENT_WORDS as Record<string, string | undefined>)[type] ?? type;
}

/**
 * Who acted. A signed-in person is their User Name. No one signed in and no address means
 * the event came from no web request: the command line (`npm run cli`), or the portal
 * itself at start for the first department administrator.
 */
export function actorWords(row: { type: string; actor: string | null; ip: string | null }): string {
  if (row.actor) return row.actor;
  if (row.ip) return 'not signed in';
  return row.type === 'profile.bootstrapped' ? 'the portal at start' : 'command line';
}
