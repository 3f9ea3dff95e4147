import { Migrator, type Migration } from 'kysely/migration';
import type { Kysely } from 'kysely';
import * as elarSession from './migrations/0013_elar_session.ts';
import * as elarPlatformTables from './migrations/0014_elar_platform_tables.ts';
import * as licenseCatalog from './migrations/0015_license_catalog.ts';
import * as applications from './migrations/0016_applications.ts';
import * as payments from './migrations/0017_payments.ts';
import * as applicationCatalog from './migrations/0018_application_catalog.ts';
import * as licensesHeld from './migrations/0020_licenses_held.ts';
import * as applicationQueue from './migrations/0021_application_queue.ts';

/** ELAR's migrations. Each also stands in the portal's list (migrations/index.ts), which makes a co-hosted ELAR's tables. */
const ELAR_MIGRATIONS: Record<string, Migration> = {
  '0013_elar_session': elarSession,
  '0014_elar_platform_tables': elarPlatformTables,
  '0015_license_catalog': licenseCatalog,
  '0016_applications': applications,
  '0017_payments': payments,
  '0018_application_catalog': applicationCatalog,
  '0020_licenses_held': licensesHeld,
  '0021_application_queue': applicationQueue,
};

/**
 * A separate ELAR process makes only its own tables, recorded in its own schema: on a
 * database of its own, or beside the portal's on a shared server without touching the
 * portal's migration record.
 */
export async function migrateElar(db: Kysely<unknown>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ELAR_MIGRATIONS },
    migrationTableSchema: 'elar',
    migrationTableName: 'elar_migration',
    migrationLockTableName: 'elar_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(
      `ELAR migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`,
    );
  }
}
