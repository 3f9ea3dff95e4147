import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, isThisMachine } from '../platform/config.ts';

/**
 * ELAR's own settings. ELAR is a relying party of the portal: all it needs of it is the
 * issuer's URL and a client registration. Co-hosted (the default, `npm start`), the
 * portal's PUBLIC_URL is both the issuer and ELAR's address, and the portal registers
 * ELAR's client and hands it the secret. As a separate process (`npm run start:elar`) it
 * is told the issuer, its own address and its secret.
 */

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).transform((u) => u.replace(/\/$/, ''));
// ELAR's pages live under /elar wherever it is served, so its address is an origin.
const origin = httpUrl.refine(
  (u) => new URL(u).origin === u,
  'must be an origin, such as https://elar.example.gov (the pages are under /elar)',
);
const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://');
const departmentOrg = z.string().regex(/^[0-9]{8}$/, 'must be an 8-digit organization code');
const positiveInt = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .positive('must be more than 0');

const schema = z.object({
  ELAR_ISSUER: httpUrl.optional(),
  ELAR_PUBLIC_URL: origin.optional(),
  /** The client id must be one the portal knows, with its roles: `elar` is the catalog's. */
  ELAR_CLIENT_ID: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{1,62}$/, 'must be 2 to 63 lower-case letters, digits, hyphens or underscores')
    .default('elar'),
  ELAR_CLIENT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /**
   * The organization code under which the portal's `roles` claim carries the Department's
   * licensure roles. The same role in any other organization (a school's Directory
   * Administrator can grant ELAR roles there) makes no one ELAR staff. Unset, it is the
   * portal's DEPARTMENT_ORG_CODE, so one setting serves both when they share an environment.
   */
  ELAR_DEPARTMENT_ORG: departmentOrg.optional(),
  DEPARTMENT_ORG_CODE: departmentOrg.optional(),
  // The agency's one session policy, for ELAR's sessions as for the portal's.
  SESSION_IDLE_MINUTES: positiveInt.default(30),
  SESSION_ABSOLUTE_HOURS: positiveInt.default(12),
  DATABASE_URL: postgresUrl.optional(),
  ELAR_DATABASE_URL: postgresUrl.optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  /**
   * `test`: the built-in checkout page, no money moves. `stripe`: Stripe Checkout. Unset,
   * `test` only on this machine, in the tests or the demo (see paymentProviderOf).
   */
  PAYMENT_PROVIDER: z.enum(['test', 'stripe'], { error: 'must be test or stripe' }).optional(),
  NODE_ENV: z.string().optional(),
  DEMO: z.enum(['0', '1', 'true', 'false']).optional(),
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, 'must be a Stripe secret key (sk_…)')
    .optional(),
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9_]+$/, 'must be a Stripe webhook secret (whsec_…)')
    .optional(),
  /** A Stripe-compatible API endpoint instead of Stripe's own (stripe-mock, or a stub in tests). */
  STRIPE_API_URL: httpUrl.optional(),
  /** How long a payment may stay open before the reconciliation job asks the provider about it. */
  PAYMENT_RECONCILE_MINUTES: positiveInt.default(15),
});

export interface ElarConfig {
  issuer: string;
  clientId: string;
  /** Unset when co-hosted without ELAR_CLIENT_SECRET: the portal's registration supplies it. */
  clientSecret: string | undefined;
  /** The origin ELAR's pages are served from (under /elar). */
  publicUrl: string;
  secureCookies: boolean;
  /** Served by the portal's own process, at the portal's address. */
  cohosted: boolean;
  departmentOrg: string;
  session: { idleMs: number; absoluteMs: number };
  /** Where a separate ELAR process keeps its tables. */
  database: { url: string | undefined; dataDir: string };
  payments: PaymentSettings;
  /** What start-up must say loudly: the test provider in production. */
  warnings: string[];
}

export type PaymentSettings = { reconcileAfterMs: number } & (
  { provider: 'test' } | { provider: 'stripe'; secretKey: string; webhookSecret: string; apiUrl: string | undefined }
);

/**
 * `hostUrl`: the PUBLIC_URL of the portal process ELAR is loaded into. Without it, ELAR
 * runs on its own and its issuer, address and secret must be given.
 */
export function loadElarConfig(
  env: NodeJS.ProcessEnv = process.env,
  { hostUrl }: { hostUrl?: string } = {},
): ElarConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${String(issue.path[0] ?? 'environment')} ${issue.message}`);
  }
  const c = parsed.data;
  if (!hostUrl) {
    for (const name of ['ELAR_ISSUER', 'ELAR_PUBLIC_URL', 'ELAR_CLIENT_SECRET'] as const) {
      if (!c[name])
        throw new ConfigError(`Invalid configuration: ${name} is required when ELAR runs as its own process`);
    }
  }
  // The portal registers ELAR at its address; ELAR elsewhere can only know the secret if both are given it.
  if (hostUrl && c.ELAR_PUBLIC_URL && c.ELAR_PUBLIC_URL !== hostUrl && !c.ELAR_CLIENT_SECRET) {
    throw new ConfigError(
      'Invalid configuration: ELAR_CLIENT_SECRET is required when ELAR_PUBLIC_URL is not PUBLIC_URL (ELAR runs as its own process)',
    );
  }
  const provider = paymentProviderOf(c, publicUrlOf(c, hostUrl));
  if (provider === 'stripe') {
    for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'] as const) {
      if (!c[name]) throw new ConfigError(`Invalid configuration: ${name} is required when PAYMENT_PROVIDER=stripe`);
    }
  }
  const reconcileAfterMs = c.PAYMENT_RECONCILE_MINUTES * 60_000;
  const issuer = c.ELAR_ISSUER ?? hostUrl!;
  const publicUrl = publicUrlOf(c, hostUrl);
  return {
    issuer,
    clientId: c.ELAR_CLIENT_ID,
    clientSecret: c.ELAR_CLIENT_SECRET,
    publicUrl,
    secureCookies: publicUrl.startsWith('https://'),
    cohosted: publicUrl === hostUrl,
    departmentOrg: c.ELAR_DEPARTMENT_ORG ?? c.DEPARTMENT_ORG_CODE ?? '00000000',
    session: { idleMs: c.SESSION_IDLE_MINUTES * 60_000, absoluteMs: c.SESSION_ABSOLUTE_HOURS * 3_600_000 },
    database: {
      url: c.ELAR_DATABASE_URL ?? c.DATABASE_URL,
      dataDir: c.DATA_DIR === 'memory://' ? c.DATA_DIR : join(c.DATA_DIR, 'elar'),
    },
    payments:
      provider === 'stripe'
        ? {
            provider: 'stripe',
            secretKey: c.STRIPE_SECRET_KEY!,
            webhookSecret: c.STRIPE_WEBHOOK_SECRET!,
            apiUrl: c.STRIPE_API_URL,
            reconcileAfterMs,
          }
        : { provider: 'test', reconcileAfterMs },
    // Named on purpose (or left to DEMO=1), it still lets every fee be "paid" for nothing.
    warnings:
      provider === 'test' && c.NODE_ENV === 'production'
        ? [
            'PAYMENT_PROVIDER=test with NODE_ENV=production: ELAR’s checkout is the test page, where 4242 4242 4242 4242 pays any fee and no money moves. Set PAYMENT_PROVIDER=stripe to take card payments.',
          ]
        : [],
  };
}

function publicUrlOf(c: { ELAR_PUBLIC_URL?: string | undefined }, hostUrl: string | undefined): string {
  return c.ELAR_PUBLIC_URL ?? hostUrl!;
}

/**
 * The provider to take payments with. The test provider "takes" 4242 and moves no money, so
 * it is never what a real deployment gets by leaving PAYMENT_PROVIDER out (attack review F11):
 * unset, it is the test provider only on this machine, under NODE_ENV=test or with DEMO=1.
 */
function paymentProviderOf(
  c: { PAYMENT_PROVIDER?: 'test' | 'stripe' | undefined; NODE_ENV?: string | undefined; DEMO?: string | undefined },
  publicUrl: string,
): 'test' | 'stripe' {
  if (c.PAYMENT_PROVIDER) return c.PAYMENT_PROVIDER;
  const demo = c.DEMO === '1' || c.DEMO === 'true';
  if (c.NODE_ENV !== 'test' && !demo && (c.NODE_ENV === 'production' || !isThisMachine(publicUrl)))
    throw new ConfigError(
      `Invalid configuration: PAYMENT_PROVIDER is required when NODE_ENV=production or ELAR is served from another machine (${publicUrl}): set PAYMENT_PROVIDER=stripe to take card payments, or PAYMENT_PROVIDER=test to run the test checkout on purpose (no money moves)`,
    );
  return 'test';
}
