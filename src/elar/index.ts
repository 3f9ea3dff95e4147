import type { FastifyPluginAsync } from 'fastify';
import { SseStreams, type EventBus, type SseSettings } from '../platform/events/index.ts';
import type { JobRunner } from '../platform/jobs/runner.ts';
import { createOutbox, type Outbox } from '../platform/mail/outbox.ts';
import {
  loadApplicationSettings,
  registerApplicationJobs,
  registerApplicationPayments,
  type ApplicationSettings,
} from './applications/index.ts';
import type { ElarConfig } from './config.ts';
import { loadShippedCatalog, registerCatalogRoutes } from './catalog/index.ts';
import { ElarRelyingParty, elarClientUris } from './relying-party.ts';
import { paymentsPlugin } from './payments/index.ts';
import { registerElarRoutes } from './routes.tsx';
import type { ElarDb } from './schema.ts';
import { purgeExpiredElarSessions } from './sessions.ts';

/**
 * ELAR's public face: what a composition root needs to run it, in the portal's process or
 * in its own (src/elar/main.ts). ELAR knows the portal only as an OpenID Connect issuer.
 */

export { loadElarConfig, type ElarConfig } from './config.ts';
export { migrateElar } from './database.ts';
export { elarTables, type ElarDatabase, type ElarDb } from './schema.ts';
export { CatalogFileError, importCatalogFile } from './catalog/index.ts';
export { seedElarDemo, type DemoEducator } from './demo.ts';

/** ELAR's pages are under this path wherever it is served (CONTRACT.md: GET /elar). */
export const ELAR_PREFIX = '/elar';

/** ELAR's client registration at the issuer: where people and logout tokens come back. */
export function elarClientRegistration(config: ElarConfig) {
  return { clientId: config.clientId, ...elarClientUris(config.publicUrl) };
}

export interface ElarPluginOptions {
  /** With the client secret: from ELAR_CLIENT_SECRET, or from the portal's registration when co-hosted. */
  config: ElarConfig & { clientSecret: string };
  /** ELAR's tables (`elarTables`). */
  db: ElarDb;
  /**
   * ELAR's job runner, on its own queue (`new JobRunner(db)` on the same handle): ELAR
   * registers its jobs here; the composition root starts and stops it.
   */
  jobs: JobRunner;
  /**
   * The process's event bus (src/platform/events), on the same database, and how many live
   * streams this process serves: status changes reach open pages through them.
   */
  live: { bus: EventBus; sse: SseSettings };
  /** ELAR's mail outbox (on `db`); without it ELAR sends no email and shows its notices only in ELAR. */
  outbox?: Outbox;
  /** The application settings; from the environment when absent (src/elar/applications/settings.ts). */
  applications?: ApplicationSettings;
}

/** ELAR's sessions past their limits are deleted by this recurring job, on one instance each time. */
export const ELAR_SWEEP_JOB = 'elar.sweep-expired';

/** Register with `{ prefix: ELAR_PREFIX }`. */
export const elarPlugin: FastifyPluginAsync<ElarPluginOptions> = async (app, options) => {
  const { config, db, jobs } = options;
  jobs.handle(ELAR_SWEEP_JOB, () => purgeExpiredElarSessions(db)).every(ELAR_SWEEP_JOB, { everyMs: 10 * 60_000 });
  const settings = options.applications ?? loadApplicationSettings();
  const outbox = options.outbox ?? createOutbox(undefined);
  registerApplicationJobs(jobs, { db, settings, outbox, publicUrl: config.publicUrl });
  registerApplicationPayments(settings);
  const { redirectUris, postLogoutRedirectUris } = elarClientUris(config.publicUrl);
  const rp = new ElarRelyingParty({
    issuer: config.issuer,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    redirectUri: redirectUris[0]!,
    postLogoutRedirectUri: postLogoutRedirectUris[0]!,
  });
  const live = {
    bus: options.live.bus,
    streams: new SseStreams(app, options.live.sse),
    heartbeatMs: options.live.sse.heartbeatMs ?? 15_000,
  };
  registerElarRoutes(app, config, db, rp, settings, live);
  // The shipped license catalog, on every start: only what changed is written (src/elar/catalog/import.ts).
  for (const note of await loadShippedCatalog(db)) app.log.info(note);
  registerCatalogRoutes(app, db);
  await app.register(paymentsPlugin, { prefix: '/payments', config, db, jobs });
};
