import { Migrator } from 'kysely/migration';
import { elarMigrations } from '../../migrations/index.ts';
import type { ElarDb } from './schema.ts';

/**
 * A separate ELAR process makes only its own tables, recorded in its own schema: on a
 * database of its own, or beside the portal's on a shared server without touching the
 * portal's migration record. Co-hosted, the portal's migration list makes them.
 */
export async function migrateElar(db: ElarDb): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => elarMigrations },
    migrationTableSchema: 'elar',
    migrationTableName: 'elar_migration',
    migrationLockTableName: 'elar_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`ELAR migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`);
  }
}
