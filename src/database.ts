import type { Kysely } from 'kysely';
import { migrations } from '../migrations/index.ts';
import type { AuditTables } from './platform/audit.ts';
import * as platform from './platform/db.ts';
import type { DirectoryTables } from './directory/schema.ts';
import type { PortalTables } from './portal/schema.ts';
import type { SsoTables } from './sso/schema.ts';
import type { StorageTables } from './platform/storage/schema.ts';
import type { JobTables } from './platform/jobs/schema.ts';
import type { MailTables } from './platform/mail/schema.ts';

/**
 * The whole database, put together from the tables each module owns. Modules name it only
 * as a type (`Db`); the platform's connection and migration code is generic over it.
 */
export interface DB
  extends PortalTables, DirectoryTables, SsoTables, AuditTables, StorageTables, JobTables, MailTables {}

export type Db = Kysely<DB>;
export type Database = platform.Database<DB>;

export { DatabaseInUseError, type OpenOptions } from './platform/db.ts';

export function openDatabase(options: platform.OpenOptions): Promise<Database> {
  return platform.openDatabase<DB>(options);
}

/** Every module's migrations, as the one ordered list in migrations/. */
export function migrate(db: Db): Promise<void> {
  return platform.migrate(db, migrations);
}
