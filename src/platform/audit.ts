import type { ColumnType, Generated, Kysely } from 'kysely';

/**
 * The audit log's writer. The log is one table for the whole system; what happened is named
 * by the module it happened in (each lists its own event types and words), so the writer
 * takes any event type and each module hands out a writer typed to its own list.
 */

// A type, not an interface: Kysely's table maps need the implicit index signature.
export type AuditTables = {
  audit_event: {
    id: Generated<string>;
    at: ColumnType<Date, Date | string | undefined, Date | string>;
    type: string;
    actor_id: string | null;
    subject_id: string | null;
    ip: string | null;
    detail: ColumnType<unknown, string | undefined, never>;
  };
};

export interface AuditEvent<Type extends string = string> {
  type: Type;
  actorId?: string | null;
  subjectId?: string | null;
  ip?: string | null;
  /** Never identifiers such as SSN, passwords or hint answers: this table is read by staff. */
  detail?: Record<string, string | number | boolean | null>;
}

/** Writes one event. Pass the transaction when the event belongs to a change. */
export type AuditWriter<DB extends AuditTables, Type extends string> = (
  db: Kysely<DB>,
  event: AuditEvent<Type>,
) => Promise<void>;

/**
 * The one audit writer, for a database that has the audit table and a module's list of
 * event types: `export const audit = auditWriter<DB, PortalAuditEventType>()`.
 */
export function auditWriter<DB extends AuditTables, Type extends string>(): AuditWriter<DB, Type> {
  return async (db, event) => {
    // Safe: DB has the audit table (the constraint says so); Kysely's types cannot narrow a
    // generic database to one of its tables by themselves.
    await (db as unknown as Kysely<AuditTables>)
      .insertInto('audit_event')
      .values({
        type: event.type,
        actor_id: event.actorId ?? null,
        subject_id: event.subjectId ?? null,
        ip: event.ip ?? null,
        detail: JSON.stringify(event.detail ?? {}),
      })
      .execute();
  };
}
