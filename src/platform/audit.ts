import type { Db } from './db.ts';

/** Security events, in the agency's words; the audit log's filter lists come from here. */
export type AuditEventType =
  | 'login.succeeded'
  | 'login.failed'
  | 'login.locked'
  | 'account.locked'
  | 'account.unlocked'
  | 'logout'
  | 'sessions.ended'
  | 'profile.created'
  | 'profile.completed'
  | 'profile.bootstrapped'
  | 'match.exact'
  | 'match.partial'
  | 'match.precreated'
  | 'match.none'
  | 'hint.failed'
  | 'hint.locked'
  | 'hint.answered'
  | 'password.changed'
  | 'password.reset'
  | 'staff.added'
  | 'staff.removed'
  | 'staff.confirmed'
  | 'staff.declined'
  | 'role.granted'
  | 'role.revoked'
  | 'diradmin.designated'
  | 'diradmin.revoked'
  | 'diradmin.contactsChanged'
  | 'profile.fixed'
  | 'conflict.resolved'
  | 'organizations.imported'
  | 'organization.added'
  | 'organization.updated'
  | 'application.added'
  | 'application.updated'
  | 'application.secretIssued'
  | 'departmentRole.granted'
  | 'departmentRole.revoked';

export const AUDIT_EVENT_TYPES: AuditEventType[] = [
  'login.succeeded', 'login.failed', 'login.locked', 'account.locked', 'account.unlocked', 'logout',
  'sessions.ended', 'profile.created', 'profile.completed', 'profile.bootstrapped', 'match.exact',
  'match.partial', 'match.precreated', 'match.none', 'hint.failed', 'hint.locked', 'hint.answered',
  'password.changed', 'password.reset', 'staff.added', 'staff.removed', 'staff.confirmed', 'staff.declined', 'role.granted', 'role.revoked',
  'diradmin.designated', 'diradmin.revoked', 'diradmin.contactsChanged', 'profile.fixed', 'conflict.resolved',
  'organizations.imported', 'organization.added', 'organization.updated', 'application.added',
  'application.updated', 'application.secretIssued', 'departmentRole.granted', 'departmentRole.revoked',
];

export interface AuditEvent {
  type: AuditEventType;
  actorId?: string | null;
  subjectId?: string | null;
  ip?: string | null;
  /** Never identifiers such as SSN, passwords or hint answers: this table is read by staff. */
  detail?: Record<string, string | number | boolean | null>;
}

/** The one audit writer. Pass the transaction when the event belongs to a change. */
export async function audit(db: Db, event: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_event')
    .values({
      type: event.type,
      actor_id: event.actorId ?? null,
      subject_id: event.subjectId ?? null,
      ip: event.ip ?? null,
      detail: JSON.stringify(event.detail ?? {}),
    })
    .execute();
}
