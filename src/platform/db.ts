import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import {
  Kysely,
  PGliteDialect,
  PostgresDialect,
  type ColumnType,
  type Generated,
  type Insertable,
  type Selectable,
} from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { migrations } from '../../migrations/index.ts';
import type { DepartmentRoleTable } from '../directory/department-roles/schema.ts';
import type { StorageTables } from './storage/schema.ts';
import type { JobTables } from './jobs/schema.ts';
import type { MailTables } from './mail/schema.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ProfileTable {
  id: string;
  user_name: string;
  mepid: string;
  first_name: string;
  middle_name: string | null;
  last_name: string;
  first_name_key: string;
  last_name_key: string;
  date_of_birth: string | null;
  ssn_hash: string | null;
  ssn_last4: string | null;
  email: string | null;
  phone: string | null;
  address_line1: string | null;
  address_line2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  previous_last_name: string | null;
  prior_license_number: string | null;
  password_hash: string | null;
  hint_question: string | null;
  hint_answer_hash: string | null;
  status: 'active' | 'precreated';
  must_change_password: Generated<boolean>;
  /** Set only for a temporary password (an administrator's reset); null otherwise. */
  password_expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrganizationTable {
  id: string;
  code: string;
  name: string;
  type: 'district' | 'school' | 'other';
  district_id: string | null;
  town: string | null;
  phone: string | null;
  status: Generated<'active' | 'inactive'>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApplicationTable {
  id: string;
  name: string;
  description: string | null;
  access: 'open' | 'restricted';
  roles: string[];
  launch_url: string | null;
  client_secret_encrypted: string | null;
  redirect_uris: ColumnType<string[], string[] | undefined, string[]>;
  post_logout_redirect_uris: ColumnType<string[], string[] | undefined, string[]>;
  backchannel_logout_uri: string | null;
  created_at: Timestamp;
}

export interface DB extends StorageTables, JobTables, MailTables {
  profile: ProfileTable;
  organization: OrganizationTable;
  application: ApplicationTable;
  organization_member: { organization_id: string; profile_id: string; added_by: string | null; added_at: Timestamp; work_email: string | null; confirmed_at: ColumnType<Date | null, Date | null | undefined, Date | null> };
  role_grant: {
    id: Generated<string>;
    profile_id: string;
    organization_id: string;
    application_id: string;
    role: string;
    granted_by: string | null;
    granted_at: Timestamp;
  };
  directory_administrator: {
    organization_id: string;
    profile_id: string;
    email: string | null;
    phone: string | null;
    designated_by: string | null;
    designated_at: Timestamp;
  };
  department_role: DepartmentRoleTable;
  issued_mepid: { mepid: string; issued_at: Timestamp };
  password_history: { id: Generated<string>; profile_id: string; password_hash: string; created_at: Timestamp };
  session: {
    id_hash: string;
    profile_id: string;
    created_at: Date;
    last_seen_at: Date;
    expires_at: Date;
    ip: string | null;
    user_agent: string | null;
  };
  flow_state: {
    id_hash: string;
    data: ColumnType<unknown, string, string>;
    hint_failures: Generated<number>;
    result_profile_id: string | null;
    created_at: Timestamp;
    expires_at: Date;
  };
  login_throttle: { key: string; failures: number; window_started_at: Date; locked_until: Date | null };
  match_conflict: {
    id: Generated<string>;
    profile_id: string;
    conflicting_fields: string[];
    submitted: ColumnType<unknown, string, string>;
    status: Generated<'open' | 'resolved'>;
    created_at: Timestamp;
    resolved_at: Date | null;
    resolved_by: string | null;
    attempts: Generated<number>;
    last_attempt_at: Generated<Date>;
    resolution_note: string | null;
  };
  oidc_model: {
    model: string;
    id: string;
    payload: ColumnType<unknown, string, string>;
    grant_id: string | null;
    user_code: string | null;
    uid: string | null;
    expires_at: Date | null;
    consumed_at: Date | null;
  };
  oidc_signing_key: { kid: string; private_jwk_encrypted: string; created_at: Timestamp; retired_at: Date | null };
  audit_event: {
    id: Generated<string>;
    at: Timestamp;
    type: string;
    actor_id: string | null;
    subject_id: string | null;
    ip: string | null;
    detail: ColumnType<unknown, string | undefined, never>;
  };
}

export type Profile = Selectable<ProfileTable>;
export type Organization = Selectable<OrganizationTable>;
export type Application = Selectable<ApplicationTable>;
export type NewProfile = Insertable<ProfileTable>;
export type Db = Kysely<DB>;

export interface Database {
  db: Db;
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

export async function openDatabase(options: OpenOptions): Promise<Database> {
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
    const pglite = inMemory
      ? new PGlite(pgliteOptions)
      : new PGlite(join(options.dataDir, 'pglite'), pgliteOptions);
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

export async function migrate(db: Db): Promise<void> {
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
