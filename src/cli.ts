import { ConfigError, loadConfig } from './platform/config.ts';
import { DatabaseInUseError, migrate, openDatabase } from './platform/db.ts';
import { resolveSsnKey } from './platform/secrets.ts';
import { seedDemo } from './portal/demo.ts';
import { POLICIES } from './portal/password-policy.ts';

/**
 * `npm run cli -- <command>`: administration from the command line, on the same
 * environment as the server. Exit 0 on success, 1 with a one-line reason otherwise.
 */
const USAGE = 'Usage: npm run cli -- seed-demo';

class UsageError extends Error {}

async function main(args: string[]): Promise<void> {
  const [command] = args;
  if (command !== 'seed-demo') throw new UsageError(command ? `Unknown command "${command}". ${USAGE}` : USAGE);
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await migrate(database.db);
    const { key } = resolveSsnKey(config.ssnHmacKey, config.dataDir);
    const rules = { policy: POLICIES[config.passwordPolicy], historySize: config.passwordHistory, ssnKey: key };
    for (const line of await seedDemo(database.db, rules)) console.log(line);
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    const known = e instanceof ConfigError || e instanceof DatabaseInUseError || e instanceof UsageError;
    console.error(known ? (e as Error).message : `Failed: ${(e as Error).message ?? String(e)}`);
    process.exit(1);
  },
);
