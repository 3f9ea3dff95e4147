import { createReadStream, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { audit } from './platform/audit.ts';
import { ConfigError, loadConfig } from './platform/config.ts';
import { DatabaseInUseError, openDatabase, type Db } from './platform/db.ts';
import { resolveKey, resolveSsnKey, secretBox, type SecretBox } from './platform/secrets.ts';
import { importOrganizations, ImportFileError } from './directory/org-import.ts';
import { findApplication, findOrganizationByCode } from './directory/repository.ts';
import { designateAdministrator, DirectoryRuleError, grantRole, registerApplication, revokeRole } from './directory/service.ts';
import { rotateSigningKey } from './sso/keys.ts';
import { seedDemo } from './demo.ts';
import { POLICIES } from './portal/password-policy.ts';
import { findProfileByUserName } from './portal/profile-repository.ts';
import { prepareDatabase } from './startup.ts';

/**
 * `npm run cli -- <command>`: administration from the command line, on the same
 * environment as the server. Exit 0 on success, 1 with a one-line reason otherwise.
 */
const USAGE = `Usage: npm run cli -- <command>
  seed-demo
  org import FILE.csv
  diradmin add --org CODE --username USER [--email E] [--phone P]
  role grant --username USER --org CODE --app ID --role ROLE
  role revoke --username USER --org CODE --app ID --role ROLE
  app add --client-id ID --name NAME --redirect-uri URI [--redirect-uri URI…] [--restricted] [--roles R1,R2]
          [--post-logout-redirect-uri URI] [--backchannel-logout-uri URI] [--launch-url URI]
  keys rotate`;

class UsageError extends Error {}

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
    const rules = { policy: POLICIES[ctx.config.passwordPolicy], historySize: ctx.config.passwordHistory, ssnKey: ctx.ssnKey };
    for (const line of await seedDemo(ctx.db, rules)) console.log(line);
  },

  async 'org import'(ctx, args) {
    const file = args[0];
    if (!file || args.length !== 1) throw new UsageError('Usage: npm run cli -- org import FILE.csv');
    const size = statSync(file).size;
    const tty = process.stderr.isTTY;
    const report = await importOrganizations(ctx.db, createReadStream(file), {
      onProgress: tty
        ? (bytes) => process.stderr.write(`\r${progressBar(bytes / Math.max(size, 1))} ${(bytes / 1e6).toFixed(1)} / ${(size / 1e6).toFixed(1)} MB`)
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
    console.log(granted ? `Granted ${grant.app.id} ${grant.role} in ${grant.org.code} to ${grant.person.user_name}` : 'Already granted');
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
      },
    });
    for (const name of ['client-id', 'name', 'redirect-uri'] as const) {
      if (!values[name]) throw new UsageError(`Missing --${name}. Usage: npm run cli -- app add --client-id ID --name NAME --redirect-uri URI`);
    }
    const secret = await registerApplication(
      ctx.db,
      ctx.box,
      {
        id: values['client-id']!,
        name: values.name!,
        redirectUris: values['redirect-uri']!,
        restricted: values.restricted ?? false,
        roles: (values.roles ?? '').split(',').map((r) => r.trim()).filter(Boolean),
        postLogoutRedirectUris: values['post-logout-redirect-uri'] ?? [],
        backchannelLogoutUri: values['backchannel-logout-uri'] ?? null,
        launchUrl: values['launch-url'] ?? null,
      },
      null,
    );
    console.log(`client id: ${values['client-id']}`);
    console.log(`client secret: ${secret}`);
  },

  async 'keys rotate'(ctx) {
    const { kid, retired } = await rotateSigningKey(ctx.db, ctx.box);
    console.log(`New signing key ${kid}; ${retired} old key(s) retired. Restart the server to sign with it; tokens already issued stay valid.`);
  },

  async 'role revoke'(ctx, args) {
    const grant = await roleArguments(ctx, args);
    const revoked = await revokeRole(ctx.db, null, grant, null);
    console.log(revoked ? `Revoked ${grant.app.id} ${grant.role} in ${grant.org.code} from ${grant.person.user_name}` : 'There was no such grant');
  },
};

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

async function main(argv: string[]): Promise<void> {
  if (argv.length === 0 || argv[0] === 'help') {
    console.log(USAGE);
    return;
  }
  const name = [argv.slice(0, 2).join(' '), argv[0]!].find((n) => n in commands);
  if (!name) throw new UsageError(`Unknown command "${argv.join(' ')}". Run "npm run cli -- help" for the list.`);
  const rest = argv.slice(name.split(' ').length);
  const config = loadConfig();
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
      e instanceof ImportFileError ||
      e instanceof DirectoryRuleError ||
      (e as NodeJS.ErrnoException).code === 'ENOENT' ||
      (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
    console.error(known ? (e as Error).message : `Failed: ${(e as Error).message ?? String(e)}`);
    process.exit(1);
  },
);
