import { sql, type Kysely } from 'kysely';

/** Organizations, the application catalog, role grants and Directory Administrators. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('organization')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) =>
      c
        .notNull()
        .unique()
        .check(sql`code ~ '^[0-9]{8}$'`),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('district', 'school', 'other')`))
    .addColumn('district_id', 'uuid', (c) => c.references('organization.id'))
    .addColumn('town', 'text')
    .addColumn('phone', 'text')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('active')
        .check(sql`status in ('active', 'inactive')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`CREATE INDEX organization_name ON organization (lower(name) text_pattern_ops)`.execute(db);
  await db.schema.createIndex('organization_district').on('organization').column('district_id').execute();

  await db.schema
    .createTable('application')
    .addColumn('id', 'text', (c) => c.primaryKey().check(sql`id ~ '^[a-z0-9][a-z0-9_-]{1,62}$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('access', 'text', (c) => c.notNull().check(sql`access in ('open', 'restricted')`))
    .addColumn('roles', sql`text[]`, (c) => c.notNull())
    .addColumn('launch_url', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('organization_member')
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id').onDelete('cascade'))
    .addColumn('profile_id', 'uuid', (c) => c.notNull().references('profile.id').onDelete('cascade'))
    .addColumn('added_by', 'uuid')
    .addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('organization_member_pk', ['organization_id', 'profile_id'])
    .execute();
  await db.schema.createIndex('organization_member_profile').on('organization_member').column('profile_id').execute();

  await db.schema
    .createTable('role_grant')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('profile_id', 'uuid', (c) => c.notNull().references('profile.id').onDelete('cascade'))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id').onDelete('cascade'))
    .addColumn('application_id', 'text', (c) => c.notNull().references('application.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('granted_by', 'uuid')
    .addColumn('granted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('role_grant_unique', ['profile_id', 'organization_id', 'application_id', 'role'])
    .execute();
  await db.schema
    .createIndex('role_grant_org')
    .on('role_grant')
    .columns(['organization_id', 'application_id'])
    .execute();

  await db.schema
    .createTable('directory_administrator')
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id').onDelete('cascade'))
    .addColumn('profile_id', 'uuid', (c) => c.notNull().references('profile.id').onDelete('cascade'))
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('designated_by', 'uuid')
    .addColumn('designated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('directory_administrator_pk', ['organization_id', 'profile_id'])
    .execute();
  await db.schema
    .createIndex('directory_administrator_profile')
    .on('directory_administrator')
    .column('profile_id')
    .execute();

  // People search: by last name prefix, User Name, MEPID.
  await sql`CREATE INDEX profile_last_name_search ON profile (last_name_key text_pattern_ops, first_name_key)`.execute(
    db,
  );
  await db.schema.createIndex('match_conflict_open').on('match_conflict').columns(['status', 'id']).execute();
}
