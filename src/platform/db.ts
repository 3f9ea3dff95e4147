import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import { Migrator, type Migration } from 'kysely/migration';
import pg from 'pg';

/*
 * The connection, the migration runner and the transaction helpers, for any schema: which
 * tables exist is the modules' business (each has its own schema file; the whole database
 * type is put together outside the platform, in src/database.ts).
 */

export interface Database<DB> {
  db: Kysely<DB>;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

export class DatabaseInUseError extends Error {}

/**
 * The embedded database holds password, hint and SSN hashes: its directory is the owner's
 * alone (0700, files 0600), whatever umask the server was started with. The process umask
 * is narrowed first, so every file created later (WAL segments, new tables, key files) is
 * born private; what is already there (PGlite's unpacked template, which keeps the
 * template's 0666, or an earlier version's files) is closed here, before and after PGlite starts.
 */
export function keepDataDirPrivate(dataDir: string): void {
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const close = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    chmodSync(path, stat.isDirectory() ? 0o700 : 0o600);
    if (stat.isDirectory()) for (const name of readdirSync(path)) close(join(path, name));
  };
  close(dataDir);
}

/**
 * PGlite is single-process: a second process opening the same directory would corrupt it.
 * A pid file makes the server and the CLI refuse politely instead.
 */
function claimDataDir(dataDir: string): () => void {
  keepDataDirPrivate(dataDir);
  const lock = join(dataDir, 'portal.pid');
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(readFileSync(lock, 'utf8'));
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new DatabaseInUseError(
        `The embedded database in ${dataDir} is in use by process ${holder}; stop the server first (or use DATABASE_URL).`,
      );
    }
    writeFileSync(lock, String(process.pid));
  }
  return () => rmSync(lock, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface OpenOptions {
  databaseUrl: string | undefined;
  /** A directory for PGlite, or `memory://` for a throwaway in-memory database. */
  dataDir: string;
  poolSize?: number;
}

// Dates of birth are calendar dates, not instants: keep them as 'YYYY-MM-DD' text on both
// drivers so no time zone can shift a birthday.
const DATE_OID = 1082;
const keepDateText = (value: string) => value;
pg.types.setTypeParser(DATE_OID, keepDateText);

export async function openDatabase<DB>(options: OpenOptions): Promise<Database<DB>> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // When the server goes away (crash, restart, failover) pg reports it as 'error' events on
    // the pool and on connections in use; unheard, they end the process. The requests that
    // needed the database fail on their own; the broken connections are dropped and the next
    // query opens a new one, so the portal serves again as soon as the server is back.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const inMemory = options.dataDir === 'memory://';
  const release = inMemory ? () => undefined : claimDataDir(options.dataDir);
  try {
    const pgliteOptions = { parsers: { [DATE_OID]: keepDateText } };
    const pglite = inMemory ? new PGlite(pgliteOptions) : new PGlite(join(options.dataDir, 'pglite'), pgliteOptions);
    await pglite.waitReady;
    // A new database is unpacked from PGlite's template with the template's modes, not the umask.
    if (!inMemory) keepDataDirPrivate(options.dataDir);
    const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
    return {
      db,
      kind: 'pglite',
      close: async () => {
        await db.destroy();
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}

/** Brings the schema up to date: `migrations` in the order of their names, each once. */
export async function migrate<DB>(db: Kysely<DB>, migrations: Record<string, Migration>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`);
  }
}

/**
 * Runs a whole transaction again when it lost a race on a unique index (SQLSTATE 23505),
 * e.g. two people given the same User Name at the same moment: the next attempt sees the
 * winner's row and chooses accordingly. Anything else, or a tenth loss, is thrown.
 */
export async function retryOnUniqueViolation<T>(transaction: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if ((error as { code?: unknown }).code !== '23505' || attempt >= attempts) throw error;
      // A little jitter, so that losers of the same race do not collide again at once.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}

/**
 * Runs `make` with `schema` as the current schema, inside the caller's transaction (a
 * migration's), then puts the search path back: the platform's table makers create in the
 * current schema, and a module that keeps its own copies of them (ELAR) chooses where.
 * Outside a transaction the setting would not reach the next statement, so that is refused.
 */
export async function inSchema(db: Kysely<unknown>, schema: string, make: () => Promise<void>): Promise<void> {
  const { rows } = await sql<{ path: string }>`SELECT current_setting('search_path') AS path`.execute(db);
  await sql`SELECT set_config('search_path', ${schema}, true)`.execute(db);
  const now = await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(db);
  if (now.rows[0]?.schema !== schema) throw new Error(`inSchema(${schema}) must run inside a transaction`);
  try {
    await make();
  } finally {
    await sql`SELECT set_config('search_path', ${rows[0]!.path}, true)`.execute(db);
  }
}
