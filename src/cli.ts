import { createReadStream, existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { audit } from './directory/audit-events.ts';
import { ConfigError, loadConfig } from './platform/config.ts';
import { DatabaseInUseError, openDatabase, type Db } from './database.ts';
import type { Application } from './directory/schema.ts';
import { resolveKey, resolveSsnKey, secretBox, type SecretBox } from './platform/secrets.ts';
import { importOrganizations, ImportFileError } from './directory/org-import.ts';
import { findApplication, findOrganizationByCode } from './directory/repository.ts';
import {
  designateAdministrator,
  DirectoryRuleError,
  grantRole,
  registerApplication,
  revokeRole,
  type ReplacedRegistration,
} from './directory/service.ts';
import { grantDepartmentRole, revokeDepartmentRole } from './directory/department-roles/service.ts';
import { DEPARTMENT_ROLES } from './directory/department-roles/schema.ts';
import { rotateSigningKey } from './sso/keys.ts';
import { deadJobs, retryDeadJob } from './platform/jobs/queue.ts';
import { seedDemo } from './demo.ts';
import { POLICIES } from './portal/password-policy.ts';
import { findProfileByUserName } from './portal/profile-repository.ts';
import { prepareDatabase } from './startup.ts';
import { CatalogFileError, elarTables, importCatalogFile } from './elar/index.ts';

/**
 * `npm run cli -- <command>`: administration from the command line, on the same
 * environment as the server. Exit 0 on success, 1 with a one-line reason otherwise.
 * The first line on stderr says which database was opened.
 */
const USAGE = `Usage: npm run cli -- [--create] <command>
  (--create: create the embedded database in DATA_DIR if there is none yet)
  seed-demo
  org import FILE.csv
  catalog import FILE.csv     (the license catalog or the requirement templates: docs/catalog.md)
  diradmin add --org CODE --username USER [--email E] [--phone P]
  role grant --username USER --org CODE --app ID --role ROLE
  role revoke --username USER --org CODE --app ID --role ROLE
  staff grant --username USER --role ROLE     (ROLE: ${DEPARTMENT_ROLES.join(', ')})
  staff revoke --username USER --role ROLE
  app add --client-id ID --name NAME --redirect-uri URI [--redirect-uri URI…] [--restricted] [--roles R1,R2]
          [--post-logout-redirect-uri URI] [--backchannel-logout-uri URI] [--launch-url URI] [--replace]
  keys rotate
  jobs dead
  jobs retry --id ID`;

class UsageError extends Error {}

/** A failure whose reason is followed by the usage, for a command line that names no command. */
class NoCommandError extends UsageError {}

/** The command ran, but not wholly: its output says what was done and what was not. */
class PartlyDoneError extends Error {}

interface Context {
  db: Db;
  ssnKey: string;
  box: SecretBox;
  config: ReturnType<typeof loadConfig>;
}

function options(args: string[], names: string[], required: string[]): Record<string, string> {
  const { values } = parseArgs({
    args,
    options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])),
    strict: true,
  });
  for (const name of required) if (!values[name]) throw new UsageError(`Missing --${name}. ${USAGE.split('\n')[0]}`);
  return values as Record<string, string>;
}

async function person(db: Db, userName: string) {
  const profile = await findProfileByUserName(db, userName);
  if (!profile) throw new UsageError(`No profile with User Name "${userName}" (User Names are case-sensitive)`);
  return profile;
}

async function organization(db: Db, code: string) {
  const org = await findOrganizationByCode(db, code);
  if (!org) throw new UsageError(`No organization with code ${code}`);
  return org;
}

const commands: Record<string, (ctx: Context, args: string[]) => Promise<void>> = {
  async 'seed-demo'(ctx) {
    const rules = {
      policy: POLICIES[ctx.config.passwordPolicy],
      historySize: ctx.config.passwordHistory,
      ssnKey: ctx.ssnKey,
    };
    for (const line of await seedDemo(ctx.db, rules)) console.log(line);
  },

  async 'org import'(ctx, args) {
    const file = args[0];
    if (!file || args.length !== 1) throw new UsageError('Usage: npm run cli -- org import FILE.csv');
    const size = statSync(file).size;
    const tty = process.stderr.isTTY;
    const report = await importOrganizations(ctx.db, createReadStream(file), {
      onProgress: tty
        ? (bytes) =>
            process.stderr.write(
              `\r${progressBar(bytes / Math.max(size, 1))} ${(bytes / 1e6).toFixed(1)} / ${(size / 1e6).toFixed(1)} MB`,
            )
        : undefined,
    });
    if (tty) process.stderr.write('\n');
    // The report lists the first rejected lines only; the count covers them all.
    const rejected = report.rows - report.inserted - report.updated - report.unchanged;
    await audit(ctx.db, {
      type: 'organizations.imported',
      detail: { inserted: report.inserted, updated: report.updated, unchanged: report.unchanged, rejected },
    });
    for (const r of report.rejected) console.log(`line ${r.line}${r.code ? ` (${r.code})` : ''}: ${r.reason}`);
    console.log(
      `${report.rows} rows: ${report.inserted} added, ${report.updated} updated, ${report.unchanged} unchanged, ${rejected} rejected`,
    );
    // A script that imports a file must not take a partial import for a whole one.
    if (rejected > 0) {
      throw new PartlyDoneError(
        `${rejected === 1 ? '1 line was' : `${rejected} lines were`} rejected (listed above); the other rows were imported. Correct ${rejected === 1 ? 'it' : 'them'} and import the file again.`,
      );
    }
  },

  async 'catalog import'(ctx, args) {
    if (args.length !== 1) throw new UsageError('Usage: npm run cli -- catalog import FILE.csv');
    await importCatalogFile(elarTables(ctx.db), args[0]!, (line) => console.log(line));
  },

  async 'diradmin add'(ctx, args) {
    const o = options(args, ['org', 'username', 'email', 'phone'], ['org', 'username']);
    const org = await organization(ctx.db, o.org!);
    const profile = await person(ctx.db, o.username!);
    await designateAdministrator(ctx.db, null, org, profile, { email: o.email ?? null, phone: o.phone ?? null }, null);
    console.log(`${profile.user_name} is a Directory Administrator of ${org.name} (${org.code})`);
  },

  async 'role grant'(ctx, args) {
    const grant = await roleArguments(ctx, args);
    const granted = await grantRole(ctx.db, null, grant, null);
    console.log(
      granted
        ? `Granted ${grant.app.id} ${grant.role} in ${grant.org.code} to ${grant.person.user_name}`
        : 'Already granted',
    );
  },

  async 'staff grant'(ctx, args) {
    const o = options(args, ['username', 'role'], ['username', 'role']);
    const profile = await person(ctx.db, o.username!);
    const granted = await grantDepartmentRole(ctx.db, null, { person: profile, role: o.role! }, null);
    console.log(granted ? `Granted ${o.role} to ${profile.user_name}` : `${profile.user_name} already holds ${o.role}`);
  },

  async 'staff revoke'(ctx, args) {
    const o = options(args, ['username', 'role'], ['username', 'role']);
    const profile = await person(ctx.db, o.username!);
    const revoked = await revokeDepartmentRole(ctx.db, null, { person: profile, role: o.role! }, null);
    console.log(
      revoked ? `Revoked ${o.role} from ${profile.user_name}` : `${profile.user_name} did not hold ${o.role}`,
    );
  },

  async 'app add'(ctx, args) {
    const { values } = parseArgs({
      args,
      strict: true,
      options: {
        'client-id': { type: 'string' },
        name: { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        restricted: { type: 'boolean' },
        roles: { type: 'string' },
        'post-logout-redirect-uri': { type: 'string', multiple: true },
        'backchannel-logout-uri': { type: 'string' },
        'launch-url': { type: 'string' },
        replace: { type: 'boolean' },
      },
    });
    for (const name of ['client-id', 'name', 'redirect-uri'] as const) {
      if (!values[name])
        throw new UsageError(
          `Missing --${name}. Usage: npm run cli -- app add --client-id ID --name NAME --redirect-uri URI`,
        );
    }
    // Re-adding an id once silently made SIMS open to everyone and orphaned its grants:
    // replacing a registration must be asked for.
    const existing = await findApplication(ctx.db, values['client-id']!);
    if (existing && !values.replace) {
      throw new UsageError(
        `An application with client id ${existing.id} is already registered (${describeApplication(existing)}). To replace its registration, run the command again with --replace.`,
      );
    }
    let replaced: ReplacedRegistration | undefined;
    const secret = await registerApplication(
      ctx.db,
      ctx.box,
      {
        id: values['client-id']!,
        name: values.name!,
        redirectUris: values['redirect-uri']!,
        restricted: values.restricted ?? false,
        roles: (values.roles ?? '')
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean),
        postLogoutRedirectUris: values['post-logout-redirect-uri'] ?? [],
        backchannelLogoutUri: values['backchannel-logout-uri'] ?? null,
        launchUrl: values['launch-url'] ?? null,
      },
      null,
      // Without --replace only an id that appeared since the check above is at stake: refuse it too.
      { replace: values.replace ?? false, onReplaced: (r) => (replaced = r) },
    );
    if (replaced) {
      const now = (await findApplication(ctx.db, values['client-id']!))!;
      const { previous, removedGrants, keptGrants } = replaced;
      console.log(
        `Replaced the registration of ${now.id} (${now.name}): ${accessOf(now)} (was ${accessOf(previous)}); roles ${now.roles.join(', ')} (was ${previous.roles.join(', ')}).`,
      );
      console.log(
        removedGrants.length === 0
          ? keptGrants === 0
            ? 'It had no role grants.'
            : `Kept its ${keptGrants} role grant${keptGrants === 1 ? '' : 's'}.`
          : `Removed ${removedGrants.length} role grant${removedGrants.length === 1 ? '' : 's'} of a role it no longer has (${[...new Set(removedGrants)].join(', ')}); kept ${keptGrants}.`,
      );
      if (previous.client_secret_encrypted) console.log('The old client secret no longer works.');
    }
    console.log(`client id: ${values['client-id']}`);
    console.log(`client secret: ${secret}`);
  },

  async 'keys rotate'(ctx) {
    const { kid, retired } = await rotateSigningKey(ctx.db, ctx.box);
    console.log(
      `New signing key ${kid}; ${retired} old key(s) retired. Restart the server to sign with it; tokens already issued stay valid.`,
    );
  },

  async 'jobs dead'(ctx) {
    const dead = await deadJobs(ctx.db);
    if (dead.length === 0) console.log('No dead jobs.');
    for (const job of dead) {
      console.log(
        `${job.dead_at!.toISOString()} ${job.name} ${job.id} after ${job.attempts} attempt${job.attempts === 1 ? '' : 's'}: ${job.last_error ?? ''}`,
      );
    }
  },

  async 'jobs retry'(ctx, args) {
    const { id } = options(args, ['id'], ['id']);
    const isJobId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id!);
    const job = isJobId ? await retryDeadJob(ctx.db, id!) : undefined;
    if (!job) throw new UsageError(`No dead job ${id}.`);
    console.log(`Job ${id} (${job.name}) is queued again, from its first attempt.`);
  },

  async 'role revoke'(ctx, args) {
    const grant = await roleArguments(ctx, args);
    const revoked = await revokeRole(ctx.db, null, grant, null);
    console.log(
      revoked
        ? `Revoked ${grant.app.id} ${grant.role} in ${grant.org.code} from ${grant.person.user_name}`
        : 'There was no such grant',
    );
  },
};

function accessOf(app: Application): string {
  return app.access === 'restricted' ? 'restricted' : 'open to any profile';
}

function describeApplication(app: Application): string {
  return `${app.name}, ${accessOf(app)}, roles ${app.roles.join(', ')}`;
}

async function roleArguments(ctx: Context, args: string[]) {
  const o = options(args, ['username', 'org', 'app', 'role'], ['username', 'org', 'app', 'role']);
  const app = await findApplication(ctx.db, o.app!);
  if (!app) throw new UsageError(`No application with id "${o.app}"`);
  return { person: await person(ctx.db, o.username!), org: await organization(ctx.db, o.org!), app, role: o.role! };
}

function progressBar(fraction: number): string {
  const width = 30;
  const done = Math.round(Math.min(1, fraction) * width);
  return `[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${Math.round(Math.min(1, fraction) * 100)}%`;
}

/**
 * Which database the command works on, for the operator to check: the embedded one's
 * folder, or the server's URL without its password or options (which may hold one).
 */
function databaseLabel(config: ReturnType<typeof loadConfig>, created: boolean): string {
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    return `${url.protocol}//${url.username ? `${url.username}@` : ''}${url.host}${url.pathname}`;
  }
  return `embedded (PGlite) in ${resolve(config.dataDir)}${created ? ', created now' : ''}`;
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'help') {
    console.log(USAGE);
    return;
  }
  // Run without the server's DATA_DIR, the CLI once made a new, empty ./data and worked
  // on that. A new embedded database is only made where asked: --create, or a DATA_DIR
  // folder that already exists (made for it by the operator).
  const create = argv.includes('--create');
  const words = argv.filter((a) => a !== '--create');
  if (words.length === 0) throw new NoCommandError('No command given.');
  const name = [words.slice(0, 2).join(' '), words[0]!].find((n) => n in commands);
  if (!name) throw new NoCommandError(`Unknown command "${words.join(' ')}".`);
  const rest = words.slice(name.split(' ').length);
  const config = loadConfig();
  // What DEMO=1 is refused for (src/platform/config.ts), by the other way in: people whose
  // passwords the README publishes, in a production database.
  if (name === 'seed-demo' && config.env === 'production')
    throw new ConfigError(
      'Invalid configuration: seed-demo is refused when NODE_ENV=production: it adds people whose passwords are published',
    );
  const dataDir = resolve(config.dataDir);
  const isNew = !config.databaseUrl && !existsSync(join(dataDir, 'pglite'));
  if (isNew && !create && !existsSync(dataDir)) {
    throw new UsageError(
      `No database in ${dataDir} (DATA_DIR). Set DATA_DIR to the server's, or add --create to create a new one there.`,
    );
  }
  console.error(`Database: ${databaseLabel(config, isNew)}`);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await prepareDatabase(database.db);
    const { key } = resolveSsnKey(config.ssnHmacKey, config.dataDir);
    const box = secretBox(resolveKey(config.secretsKey, config.dataDir, 'secrets.key').key);
    await commands[name]!({ db: database.db, ssnKey: key, box, config }, rest);
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    const known =
      e instanceof ConfigError ||
      e instanceof DatabaseInUseError ||
      e instanceof UsageError ||
      e instanceof PartlyDoneError ||
      e instanceof ImportFileError ||
      e instanceof CatalogFileError ||
      e instanceof DirectoryRuleError ||
      (e as NodeJS.ErrnoException).code === 'ENOENT' ||
      (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
    console.error(known ? (e as Error).message : `Failed: ${(e as Error).message ?? String(e)}`);
    if (e instanceof NoCommandError) console.error(USAGE);
    process.exit(1);
  },
);
