import pino from 'pino';
import { buildApp } from './app.tsx';
import { ConfigError, loadConfig, type Config } from './platform/config.ts';
import { DatabaseInUseError, openDatabase } from './database.ts';
import { armFaults } from './platform/faults.ts';
import { prepareDatabase } from './startup.ts';
import { loggerOptions } from './platform/log.ts';
import { resolveKey, resolveSsnKey, SecretsKeyMismatchError } from './platform/secrets.ts';
import { bootstrapDepartmentAdministrator } from './portal/accounts.ts';
import { seedDemo } from './demo.ts';
import { purgeExpiredFlows } from './portal/flow-repository.ts';
import { POLICIES } from './portal/password-policy.ts';
import { purgeExpired } from './portal/throttle-repository.ts';
import { purgeExpiredSessions } from './portal/session-repository.ts';
import { purgeExpiredModels } from './sso/adapter.ts';
import { elarTables, loadElarConfig, type ElarConfig } from './elar/index.ts';
import { EventBus } from './platform/events/index.ts';
import { JobRunner } from './platform/jobs/runner.ts';
import { SEND_MAIL_JOB } from './platform/mail/outbox.ts';
import { mailSender } from './platform/mail/sender.ts';

let config: Config;
let elar: ElarConfig;
try {
  config = loadConfig();
  elar = loadElarConfig(process.env, { hostUrl: config.publicUrl });
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

const log = pino(loggerOptions(config));
// First, so nobody misses them: the demo on a public address, the test payment provider in production.
for (const warning of [...config.warnings, ...elar.warnings]) log.warn(warning);
armFaults(config.faultInject);
let ready = false;

try {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await prepareDatabase(database.db);
  const ssn = resolveSsnKey(config.ssnHmacKey, config.dataDir);
  if (ssn.generated) log.warn('SSN_HMAC_KEY is not set: generated a key in DATA_DIR. Set SSN_HMAC_KEY in production.');
  const secrets = resolveKey(config.secretsKey, config.dataDir, 'secrets.key');
  if (secrets.generated)
    log.warn('SECRETS_KEY is not set: generated a key in DATA_DIR. Set SECRETS_KEY in production.');

  const adminId = await bootstrapDepartmentAdministrator(database.db, config.bootstrapAdminPassword);
  if (adminId) log.info('Created department administrator "admin" from BOOTSTRAP_ADMIN_PASSWORD');
  if (config.demo) {
    // Printed for the person exploring the demo, not logged: these are made-up identities.
    const rules = { policy: POLICIES[config.passwordPolicy], historySize: config.passwordHistory, ssnKey: ssn.key };
    for (const line of await seedDemo(database.db, rules)) console.log(line);
  }

  const jobs = new JobRunner(database.db, { ...config.jobs, log });
  // Expired wizard answers, throttle counters, sessions and provider records are not kept.
  // One instance sweeps each time, whichever claims the run.
  jobs
    .handle('sweep-expired', async () => {
      await Promise.all([
        purgeExpiredFlows(database.db),
        purgeExpired(database.db, 24 * 3_600_000),
        purgeExpiredModels(database.db),
        purgeExpiredSessions(database.db),
      ]);
    })
    .every('sweep-expired', { everyMs: 10 * 60_000 });
  // Without SMTP_URL nothing is queued, so there is nothing to send (src/platform/mail/outbox.ts).
  const mail = config.mail ? mailSender(database.db, config.mail, log) : undefined;
  if (mail) jobs.handle(SEND_MAIL_JOB, mail.send);
  // Co-hosted ELAR keeps its own queue and outbox (src/elar/schema.ts), worked by a runner of its own.
  const elarDb = elarTables(database.db);
  const elarJobs = new JobRunner(elarDb, { ...config.jobs, log });
  // One listening connection for the process: live status pages hear changes from every instance.
  const events = new EventBus(database.notifications, { log });
  const elarMail = config.mail ? mailSender(elarDb, config.mail, log) : undefined;
  if (elarMail) elarJobs.handle(SEND_MAIL_JOB, elarMail.send);

  const app = await buildApp({
    config,
    elar,
    db: database.db,
    ssnKey: ssn.key,
    secretsKey: secrets.key,
    jobs,
    elarJobs,
    events,
    logger: { ...loggerOptions(config) },
    isReady: () => ready,
  });
  const address = await app.listen({ port: config.port, host: config.host });
  ready = true;
  // Whatever LOG_LEVEL says: with PORT=0 this line is how a caller (the tests) learns the port.
  console.log(`listening on ${address}`);
  log.info(`Security Portal ready at ${config.publicUrl} (${database.kind}, password policy ${config.passwordPolicy})`);

  await jobs.start();
  await elarJobs.start();

  const shutdown = async (signal: string) => {
    ready = false;
    log.info(`${signal}: shutting down`);
    // The running job finishes (or goes back to the queue) while the app it may need is still up.
    await Promise.all([jobs.stop(), elarJobs.stop()]);
    mail?.close();
    elarMail?.close();
    await app.close();
    await events.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
} catch (e) {
  if (e instanceof DatabaseInUseError || e instanceof SecretsKeyMismatchError) {
    console.error(e.message);
    process.exit(1);
  }
  log.fatal({ err: e }, 'could not start');
  process.exit(1);
}
