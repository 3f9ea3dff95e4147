import { sql, type ColumnType, type Generated, type Kysely } from 'kysely';

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

/**
 * The audit table, created by the portal's migration 0001 and by ELAR's 0014 in its own
 * schema, in the current schema. `ids`: what actors and subjects are named by — the portal's
 * profile ids are uuids; ELAR knows people only by the issuer's `sub`, whatever its form.
 */
export async function createAuditTable(db: Kysely<unknown>, ids: 'uuid' | 'text' = 'uuid'): Promise<void> {
  await db.schema
    .createTable('audit_event')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor_id', ids)
    .addColumn('subject_id', ids)
    .addColumn('ip', 'text')
    .addColumn('detail', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.createIndex('audit_event_subject').on('audit_event').columns(['subject_id', 'id']).execute();
  await db.schema.createIndex('audit_event_type').on('audit_event').columns(['type', 'id']).execute();
  // Append-only: the database itself refuses to rewrite history, whatever the code does.
  await sql`
    CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_event is append-only';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()`.execute(db);
  await sql`
    CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()`.execute(db);
}
