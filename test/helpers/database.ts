import { migrate, openDatabase, type Db } from '../../src/database.ts';
import { throwawayDatabase } from './throwaway-database.ts';

/**
 * A migrated, empty database for tests of platform pieces that need no app: in-memory
 * PGlite, or a throwaway database on the server named by DATABASE_URL.
 */
export async function freshDatabase(prefix: string): Promise<{ db: Db; close(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  const throwaway = serverUrl ? await throwawayDatabase(serverUrl, prefix) : undefined;
  const database = await openDatabase({ databaseUrl: throwaway?.url, dataDir: 'memory://', poolSize: 4 });
  await migrate(database.db);
  return {
    db: database.db,
    close: async () => {
      await database.close();
      await throwaway?.drop();
    },
  };
}

/** Waits until `check` holds (polling), or fails naming what was awaited. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
