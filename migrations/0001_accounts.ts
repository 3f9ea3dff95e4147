import { sql, type Kysely } from 'kysely';
import { createAuditTable } from '../src/platform/audit.ts';

/** Profiles, credentials, sessions, wizard state, throttling and the audit trail. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('profile')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('mepid', 'text', (c) => c.notNull().unique())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('middle_name', 'text')
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('first_name_key', 'text', (c) => c.notNull())
    .addColumn('last_name_key', 'text', (c) => c.notNull())
    .addColumn('date_of_birth', 'date')
    .addColumn('ssn_hash', 'text')
    .addColumn('ssn_last4', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('address_line1', 'text')
    .addColumn('address_line2', 'text')
    .addColumn('city', 'text')
    .addColumn('state', 'text')
    .addColumn('postal_code', 'text')
    .addColumn('previous_last_name', 'text')
    .addColumn('prior_license_number', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('hint_question', 'text')
    .addColumn('hint_answer_hash', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'precreated')`))
    .addColumn('must_change_password', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('department_role', 'text', (c) => c.check(sql`department_role in ('admin', 'staff')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // User Names are unique regardless of case so that two people never differ only by case,
  // while login still compares them exactly (case-sensitive, as the agency publishes).
  await sql`CREATE UNIQUE INDEX profile_user_name_ci ON profile (lower(user_name))`.execute(db);
  await sql`CREATE UNIQUE INDEX profile_user_name ON profile (user_name)`.execute(db);
  await sql`CREATE UNIQUE INDEX profile_ssn_hash ON profile (ssn_hash) WHERE ssn_hash IS NOT NULL`.execute(db);
  await sql`CREATE INDEX profile_identity ON profile (last_name_key, first_name_key, date_of_birth)`.execute(db);

  // Every MEPID ever issued, so a number is never handed out twice even if a profile goes.
  await db.schema
    .createTable('issued_mepid')
    .addColumn('mepid', 'text', (c) => c.primaryKey())
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('password_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('profile_id', 'uuid', (c) => c.notNull().references('profile.id').onDelete('cascade'))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('password_history_profile')
    .on('password_history')
    .columns(['profile_id', 'id'])
    .execute();

  await db.schema
    .createTable('session')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('profile_id', 'uuid', (c) => c.notNull().references('profile.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('session_profile').on('session').column('profile_id').execute();

  await db.schema
    .createTable('flow_state')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('hint_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('result_profile_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('flow_state_expires').on('flow_state').column('expires_at').execute();

  await db.schema
    .createTable('login_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('locked_until', 'timestamptz')
    .execute();

  await db.schema
    .createTable('match_conflict')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('profile_id', 'uuid', (c) => c.notNull().references('profile.id').onDelete('cascade'))
    .addColumn('conflicting_fields', sql`text[]`, (c) => c.notNull())
    .addColumn('submitted', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`status in ('open', 'resolved')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('resolved_by', 'uuid')
    .execute();

  await createAuditTable(db);
}
