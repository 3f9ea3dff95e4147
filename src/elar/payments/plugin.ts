import { createHmac } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { JobRunner } from '../../platform/jobs/runner.ts';
import type { ElarConfig } from '../config.ts';
import type { ElarDb } from '../schema.ts';
import type { PaymentProvider } from './provider.ts';
import { registerPaymentRoutes } from './routes.tsx';
import { PaymentService, RECONCILE_JOB, REFUND_JOB } from './service.ts';
import { StripePaymentProvider } from './stripe-provider.ts';
import { TEST_NOTICE_JOB, TestPaymentProvider } from './test-provider.ts';

export interface PaymentsPluginOptions {
  config: ElarConfig & { clientSecret: string };
  db: ElarDb;
  jobs: JobRunner;
}

/** How often the reconciliation job looks for payments left open. */
const RECONCILE_EVERY_MS = 5 * 60_000;

/** Register inside ELAR's plugin with `{ prefix: '/payments' }`. */
export const paymentsPlugin: FastifyPluginAsync<PaymentsPluginOptions> = async (app, { config, db, jobs }) => {
  const base = `${config.publicUrl}/elar/payments`;
  // Always built: it keeps its books in ELAR's own tables, so payments it started before a
  // switch to Stripe can still be asked about and ended (its card page is served only while current).
  const testProvider = new TestPaymentProvider(db, {
    checkoutUrl: (id) => `${base}/test-checkout/${id}`,
    webhookUrl: `${base}/webhooks/test`,
    // Stable across restarts (a callback queued before one is still valid after) and secret: derived from ELAR's client secret.
    webhookSecret: createHmac('sha256', config.clientSecret)
      .update('elar test payment provider callbacks')
      .digest('hex'),
    sendQueued: () => jobs.nudge(),
  });
  jobs.handle(TEST_NOTICE_JOB, (payload) => testProvider.deliverNotice(payload));
  const provider: PaymentProvider =
    config.payments.provider === 'stripe' ? await StripePaymentProvider.create(config.payments) : testProvider;
  const service = new PaymentService(db, provider, {
    returnUrl: (id) => `${base}/${id}/return`,
    formerProviders: provider === testProvider ? [] : [testProvider],
    sendQueued: () => jobs.nudge(),
  });
  jobs.handle(REFUND_JOB, (payload, job) =>
    service.sendRefund(String(payload.refundId), { lastAttempt: job.attempt >= job.maxAttempts }),
  );
  jobs
    .handle(RECONCILE_JOB, async () => {
      const run = await service.reconcile(config.payments.reconcileAfterMs);
      // Each stays open and is asked again next time; an operator needs to know it is stuck.
      for (const failure of run.failures) app.log.warn(failure, 'payment reconciliation could not settle a payment');
    })
    .every(RECONCILE_JOB, { everyMs: RECONCILE_EVERY_MS });
  registerPaymentRoutes(app, config, service, provider === testProvider ? testProvider : undefined);
};
