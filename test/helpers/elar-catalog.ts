import { elarTables, type ElarDb } from '../../src/elar/index.ts';
import { freshDatabase } from './database.ts';

/** A migrated, empty database and ELAR's handle on it (its tables in the schema elar). */
export async function freshElarDatabase(prefix: string): Promise<{ db: ElarDb; close(): Promise<void> }> {
  const { db, close } = await freshDatabase(prefix);
  return { db: elarTables(db), close };
}
