import type { ColumnType, Kysely } from 'kysely';
import type { CatalogTables } from './catalog/schema.ts';
import type { AuditTables } from '../platform/audit.ts';
import type { JobTables } from '../platform/jobs/schema.ts';
import type { MailTables } from '../platform/mail/schema.ts';
import type { StorageTables } from '../platform/storage/schema.ts';
import type { ApplicationTables } from './applications/schema.ts';
import type { PaymentTables } from './payments/schema.ts';
import type { LicenseTables } from './licenses/schema.ts';

/**
 * ELAR's own tables, in its own PostgreSQL schema `elar`: nothing of the portal's is
 * here, and nothing of ELAR's is in the portal's. A separate ELAR process may keep them
 * in a database of its own. ELAR's handle is bound to the schema (`elarTables`), so its
 * tables are named here without it, and the platform's code (jobs, mail, audit, documents)
 * runs on ELAR's copies of the platform's tables (migration 0014) unchanged.
 */

export const ELAR_SCHEMA = 'elar';

/** A signed-in browser: what the ID token said, and the staff roles ELAR read from it. */
export interface ElarSessionTable {
  id_hash: string;
  sub: string;
  sid: string | null;
  claims: ColumnType<unknown, string, string>;
  id_token: string;
  staff_roles: ColumnType<string[], string[] | undefined, string[]>;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  expires_at: Date;
}

// A type alias rather than an interface: Kysely's `withTables` wants an index-signature-compatible record.
export type ElarDatabase = {
  'elar.session': ElarSessionTable;
} & JobTables &
  MailTables &
  AuditTables &
  StorageTables &
  CatalogTables &
  ApplicationTables &
  PaymentTables &
  LicenseTables;

/** A handle on ELAR's tables: always made by `elarTables`, so unqualified names are ELAR's. */
export type ElarDb = Kysely<ElarDatabase>;

/** ELAR's tables in a database opened for the portal, for ELAR alone, or both. */
export function elarTables<DB>(db: Kysely<DB>): ElarDb {
  // Safe: ELAR's migrations made these tables in this schema; the type says what they hold.
  return (db as unknown as ElarDb).withSchema(ELAR_SCHEMA);
}
