import { sql, type Kysely } from 'kysely';

/** OpenID Connect: the provider's stored models, its signing keys, and client registrations. */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One table for every oidc-provider model (sessions, grants, codes, tokens…), keyed by
  // model and id, as Logto does; the secondary columns serve the adapter's lookups.
  await db.schema
    .createTable('oidc_model')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('user_code', 'text')
    .addColumn('uid', 'text')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('consumed_at', 'timestamptz')
    .addPrimaryKeyConstraint('oidc_model_pk', ['model', 'id'])
    .execute();
  await db.schema
    .createIndex('oidc_model_grant')
    .on('oidc_model')
    .column('grant_id')
    .where(sql.ref('grant_id'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('oidc_model_uid')
    .on('oidc_model')
    .columns(['model', 'uid'])
    .where(sql.ref('uid'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('oidc_model_user_code')
    .on('oidc_model')
    .columns(['model', 'user_code'])
    .where(sql.ref('user_code'), 'is not', null)
    .execute();
  await db.schema.createIndex('oidc_model_expires').on('oidc_model').column('expires_at').execute();

  // Signing keys, private parts encrypted with a key from configuration.
  await db.schema
    .createTable('oidc_signing_key')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('private_jwk_encrypted', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .execute();

  await db.schema
    .alterTable('application')
    .addColumn('client_secret_encrypted', 'text')
    .addColumn('redirect_uris', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('post_logout_redirect_uris', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('backchannel_logout_uri', 'text')
    .execute();

  // The relying party side of ELAR: its own server-side sessions, ended by back-channel logout.
  await db.schema
    .createTable('elar_session')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('sub', 'text', (c) => c.notNull())
    .addColumn('sid', 'text')
    .addColumn('claims', 'jsonb', (c) => c.notNull())
    .addColumn('id_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('elar_session_sid').on('elar_session').column('sid').execute();
  await db.schema.createIndex('elar_session_sub').on('elar_session').column('sub').execute();
}
