import { sql, type Kysely } from 'kysely';

/**
 * Department roles with least privilege (issue 12): `profile.department_role` (admin or
 * staff, each allowed everything) becomes rows of `department_role`, one per person and
 * role. Today's admins and staff become `console-admin`, which is allowed what they were,
 * so no department loses anything by this migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('department_role')
    .addColumn('profile_id', 'uuid', (c) => c.notNull().references('profile.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) =>
      c
        .notNull()
        .check(sql`role in ('console-admin', 'licensure-evaluator', 'licensure-supervisor', 'payments', 'help-desk')`),
    )
    .addColumn('granted_by', 'uuid', (c) => c.references('profile.id').onDelete('set null'))
    .addColumn('granted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // The same grant asked for twice at once is one row (ON CONFLICT DO NOTHING).
    .addPrimaryKeyConstraint('department_role_pk', ['profile_id', 'role'])
    .execute();
  await db.schema.createIndex('department_role_role').on('department_role').column('role').execute();
  await sql`INSERT INTO department_role (profile_id, role) SELECT id, 'console-admin' FROM profile WHERE department_role IN ('admin', 'staff')`.execute(
    db,
  );
  await db.schema.alterTable('profile').dropColumn('department_role').execute();
}

/** Back to one column: a console-admin becomes 'admin'; the other roles did not exist before. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('profile')
    .addColumn('department_role', 'text', (c) => c.check(sql`department_role in ('admin', 'staff')`))
    .execute();
  await sql`UPDATE profile SET department_role = 'admin' WHERE id IN (SELECT profile_id FROM department_role WHERE role = 'console-admin')`.execute(
    db,
  );
  await db.schema.dropTable('department_role').execute();
}
