import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from '../platform/config.ts';
import { publicRoute } from '../platform/access.ts';
import { DatabaseInUseError, openDatabase } from '../platform/db.ts';
import { errors } from '../platform/errors.ts';
import { createHttpServer } from '../platform/http.tsx';
import { standardNavigation } from '../platform/views/navigation.ts';
import { loggerOptions } from '../platform/log.ts';
import { resolveKey } from '../platform/secrets.ts';
import { ELAR_PREFIX, elarPlugin, loadElarConfig, elarTables, migrateElar, type ElarConfig } from './index.ts';
import { EventBus } from '../platform/events/index.ts';
import { JobRunner } from '../platform/jobs/runner.ts';
import { createOutbox, SEND_MAIL_JOB } from '../platform/mail/outbox.ts';
import { mailSender } from '../platform/mail/sender.ts';

/**
 * ELAR as its own process (`npm run start:elar`), against the portal's issuer: its own
 * address, database and session cookie; it reaches the portal only over OpenID Connect.
 * PORT, HOST, LOG_LEVEL, TRUST_PROXY and the agency's texts are read as the portal reads
 * them; ELAR_* name the issuer, this address and the client (src/elar/config.ts).
 */

let config: Config;
let elar: ElarConfig & { clientSecret: string };
try {
  const platform = loadConfig();
  const own = loadElarConfig(process.env);
  // Cookies and security headers follow ELAR's own address, not the portal's.
  config = { ...platform, publicUrl: own.publicUrl, secureCookies: own.secureCookies };
  elar = { ...own, clientSecret: own.clientSecret! };
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

const log = pino(loggerOptions(config));
// First, so nobody misses it: the test payment provider in production (the demo's people are the portal's).
for (const warning of elar.warnings) log.warn(warning);

/** The header and footer: the portal's pages (each sent on to the issuer by the route below). */
const PORTAL_LINKS = standardNavigation('/elar/logout');

try {
  const database = await openDatabase({ databaseUrl: elar.database.url, dataDir: elar.database.dataDir });
  await migrateElar(database.db);
  const db = elarTables(database.db);
  // Its own queue: the session sweep and whatever ELAR's services enqueue, once across instances.
  const jobs = new JobRunner(db, { ...config.jobs, log });
  const mail = config.mail ? mailSender(db, config.mail, log) : undefined;
  if (mail) jobs.handle(SEND_MAIL_JOB, mail.send);
  // Keys the CSRF tokens of ELAR's forms; an in-memory database keeps nothing, so neither does its key.
  const secretsKey =
    elar.database.dataDir === 'memory://' && !config.secretsKey
      ? randomBytes(32).toString('base64url')
      : resolveKey(config.secretsKey, elar.database.dataDir, 'secrets.key').key;

  const app = await createHttpServer(config, { ...loggerOptions(config) }, secretsKey, PORTAL_LINKS);
  app.get('/healthz', publicRoute('readiness probe'), async () => ({ status: 'ok' }));
  const events = new EventBus(database.notifications, { log });
  await app.register(elarPlugin, {
    prefix: ELAR_PREFIX,
    config: elar,
    db,
    jobs,
    outbox: createOutbox(config.mail),
    live: { bus: events, sse: config.sse },
  });
  // Every page outside /elar is the portal's (the header's Home, Your account, Help).
  app.get('/*', publicRoute('pages outside /elar are the portal’s: sent there'), async (request, reply) => {
    if (request.url.startsWith(`${ELAR_PREFIX}/`)) throw errors.notFound();
    return reply.redirect(`${elar.issuer}${request.url}`, 303);
  });
  const address = await app.listen({ port: config.port, host: config.host });
  // As the portal does: with PORT=0 this line is how a caller (the tests) learns the port.
  console.log(`listening on ${address}`);
  log.info(`ELAR ready at ${elar.publicUrl}${ELAR_PREFIX}, signing in with ${elar.issuer} (${database.kind})`);

  await jobs.start();

  const shutdown = async (signal: string) => {
    log.info(`${signal}: shutting down`);
    await jobs.stop();
    mail?.close();
    await app.close();
    await events.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
} catch (e) {
  if (e instanceof DatabaseInUseError) {
    console.error(e.message);
    process.exit(1);
  }
  log.fatal({ err: e }, 'could not start');
  process.exit(1);
}
