import type { ColumnType, Kysely } from 'kysely';
import type { CatalogTables } from './catalog/schema.ts';

/**
 * ELAR's own tables, in its own PostgreSQL schema `elar`: nothing of the portal's is
 * here, and nothing of ELAR's is in the portal's. A separate ELAR process may keep them
 * in a database of its own.
 */

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
} & CatalogTables;

export type ElarDb = Kysely<ElarDatabase>;
