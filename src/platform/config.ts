import { isIP } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import { FAULT_POINTS, type FaultPoint } from './faults.ts';
import type { S3Settings } from './storage/s3.ts';

/**
 * The one configuration loader. Every setting comes from the environment, is validated
 * here once at start, and a bad value stops the process with one line naming the variable.
 */

const port = z.coerce
  .number({ error: 'must be a number from 0 to 65535' })
  .int('must be a number from 0 to 65535')
  .min(0, 'must be a number from 0 to 65535')
  .max(65535, 'must be a number from 0 to 65535');
const positiveInt = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .positive('must be more than 0');
const wholeNumber = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(0, 'must be 0 or more');
const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
// A page of this site or another site's address; never `//host` or a `javascript:` link in every footer.
const link = z.string().regex(/^(\/(?!\/)|https?:\/\/)/, 'must be a path starting with / or an http(s) URL');

/**
 * Which proxies in front of the portal are trusted to write X-Forwarded-For: none (`0`),
 * a number of hops, or the proxies' addresses and ranges. The client is then the first
 * untrusted address counted from the right; "trust every entry" is not offered, because
 * the left of the header is whatever the client wrote.
 */
const TRUST_PROXY_MESSAGE =
  'must be 0, a number of proxies, or a list of proxy addresses and ranges (10.0.0.1, 10.0.0.0/8)';
const trustProxy = z.string().transform((value, ctx): false | number | string[] => {
  if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.every(isAddressOrRange)) return entries;
  ctx.addIssue({ code: 'custom', message: TRUST_PROXY_MESSAGE });
  return z.NEVER;
});

function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(1).optional(),
  DEMO: flag.default(false),
  /** `agency` is the published policy (the default); `nist` follows NIST SP 800-63B. */
  PASSWORD_POLICY: z.enum(['agency', 'nist']).default('agency'),
  /** Earlier passwords that cannot come back: `all` (the agency's rule, "never a password used before") or how many. */
  PASSWORD_HISTORY: z
    .string()
    .regex(/^(all|\d+)$/, 'must be "all" or a whole number')
    .transform((v): number | 'all' => (v === 'all' ? 'all' : Number(v)))
    .default('all'),
  /** Key for the SSN keyed hash; when unset a random key is generated once into DATA_DIR. */
  SSN_HMAC_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Encrypts secrets at rest (OIDC signing keys, client secrets); generated into DATA_DIR when unset. */
  SECRETS_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /**
   * The organization code under which the Department's own licensure roles reach ELAR in the
   * `roles` claim: the Department is not one of the directory's organizations.
   */
  DEPARTMENT_ORG_CODE: z
    .string()
    .regex(/^\d{8}$/, 'must be 8 digits, like an organization code')
    .default('00000000'),
  HELPDESK_PHONE: z.string().min(1).default('1-781-338-6600'),
  HELPDESK_HOURS: z.string().min(1).default('Monday to Friday, 9:00 AM to 4:45 PM'),
  /** Who runs the site, as the banner, the footer and the statements say it (the agency's values by default). */
  AGENCY_NAME: z.string().min(1).default('Massachusetts Department of Elementary and Secondary Education'),
  AGENCY_JURISDICTION: z.string().min(1).default('the Commonwealth of Massachusetts'),
  AGENCY_ADDRESS: z.string().min(1).default('75 Pleasant Street, Malden, MA 02148-4906'),
  AGENCY_PHONE: z.string().min(1).default('(781) 338-3000'),
  AGENCY_TTY: z.string().min(1).default('(800) 439-2370'),
  PRIVACY_POLICY_URL: link.default('/privacy'),
  ACCESSIBILITY_URL: link.default('/accessibility'),
  SESSION_IDLE_MINUTES: positiveInt.default(30),
  SESSION_ABSOLUTE_HOURS: positiveInt.default(12),
  WIZARD_TTL_MINUTES: positiveInt.default(60),
  LOCKOUT_THRESHOLD: positiveInt.default(5),
  LOCKOUT_MINUTES: positiveInt.default(15),
  IP_LOCKOUT_THRESHOLD: positiveInt.default(50),
  /** Coarse per-address limit on form posts per minute, in front of the per-account rules. */
  RATE_LIMIT_POSTS_PER_MINUTE: wholeNumber.default(120),
  TRUST_PROXY: trustProxy.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Uploaded files go to an S3-compatible bucket when S3_BUCKET is set, else to DATA_DIR/blobs. */
  S3_BUCKET: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'must be a bucket name (3 to 63 lower-case letters, digits, dots and hyphens)',
    )
    .optional(),
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: flag.default(false),
  /** Jobs (src/platform/jobs): how often an idle worker looks for work, how long a claimed job is its own, retry timing. */
  JOBS_POLL_MS: positiveInt.default(1000),
  JOBS_LEASE_SECONDS: positiveInt.default(60),
  JOBS_RETRY_BASE_SECONDS: positiveInt.default(10),
  JOBS_RETRY_MAX_SECONDS: positiveInt.default(3600),
  /** Live updates (src/platform/events/sse.ts): open event streams this process serves before answering 503. */
  SSE_MAX_CONNECTIONS: positiveInt.default(2000),
  /** How often each open stream gets a heartbeat; a stream whose session has ended closes within one. */
  SSE_HEARTBEAT_MS: positiveInt.default(15_000),
  /** Mail (src/platform/mail): sent only when both are set; nothing is sent by default. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/]/, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z
    .string()
    .regex(
      /^([^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/,
      'must be an email address, optionally with a name: Name <address@example.gov>',
    )
    .optional(),
  /** Reliability tests only: crash points (src/platform/faults.ts), comma-separated. */
  FAULT_INJECT: z
    .string()
    .transform((v) => v.split(','))
    .pipe(z.array(z.enum(FAULT_POINTS, { error: `must name points among ${FAULT_POINTS.join(', ')}` })))
    .default([]),
});

export type PasswordPolicyName = 'agency' | 'nist';

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  publicUrl: string;
  secureCookies: boolean;
  bootstrapAdminPassword: string | undefined;
  demo: boolean;
  passwordPolicy: PasswordPolicyName;
  passwordHistory: number | 'all';
  ssnHmacKey: string | undefined;
  secretsKey: string | undefined;
  helpdesk: { phone: string; hours: string };
  /** `org` of the department roles in the `roles` claim (DEPARTMENT_ORG_CODE). */
  departmentOrgCode: string;
  agency: Agency;
  session: { idleMs: number; absoluteMs: number };
  wizardTtlMs: number;
  lockout: { threshold: number; ipThreshold: number; durationMs: number };
  rateLimitPostsPerMinute: number;
  /** `false`, a hop count, or the trusted proxies' addresses and CIDR ranges. */
  trustProxy: false | number | string[];
  logLevel: string;
  faultInject: FaultPoint[];
  storage: StorageSettings;
  jobs: { pollMs: number; leaseMs: number; backoff: { baseMs: number; maxMs: number } };
  sse: { maxConnections: number; heartbeatMs: number };
  /** Unset unless SMTP_URL is: then messages in the outbox are sent (src/platform/mail). */
  mail: { smtpUrl: string; from: string } | undefined;
  /** What start-up must say loudly: settings that run, but expose something (the demo on a public address). */
  warnings: string[];
}

/** Where uploaded files are kept (src/platform/storage). */
export type StorageSettings = { kind: 'filesystem'; dir: string } | { kind: 's3'; s3: S3Settings };

export interface Agency {
  name: string;
  /** Completes "An official website of …". */
  jurisdiction: string;
  address: string;
  phone: string;
  tty: string;
  privacyUrl: string;
  accessibilityUrl: string;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings in the environment mean "not set", as in most twelve-factor tooling.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${name} ${issue.message}`);
  }
  const c = parsed.data;
  for (const name of ['SSN_HMAC_KEY', 'SECRETS_KEY'] as const) {
    if (c.NODE_ENV === 'production' && !c[name]) {
      throw new ConfigError(`Invalid configuration: ${name} is required when NODE_ENV=production`);
    }
  }
  // The demo's people have passwords anyone can read in the README, and its fees were paid with a test card.
  if (c.NODE_ENV === 'production' && c.DEMO) {
    throw new ConfigError(
      'Invalid configuration: DEMO is refused when NODE_ENV=production: it adds people whose passwords are published and pays fees with the test card',
    );
  }
  // A crash point is a test tool; a production process that could kill itself on demand is a denial of service.
  if (c.NODE_ENV === 'production' && c.FAULT_INJECT.length > 0) {
    throw new ConfigError('Invalid configuration: FAULT_INJECT is for tests and is refused when NODE_ENV=production');
  }
  if (c.JOBS_RETRY_MAX_SECONDS < c.JOBS_RETRY_BASE_SECONDS) {
    throw new ConfigError('Invalid configuration: JOBS_RETRY_MAX_SECONDS must be at least JOBS_RETRY_BASE_SECONDS');
  }
  if (c.SMTP_URL && !c.MAIL_FROM) throw new ConfigError('Invalid configuration: MAIL_FROM is required with SMTP_URL');
  if (c.MAIL_FROM && !c.SMTP_URL)
    throw new ConfigError('Invalid configuration: MAIL_FROM is set but SMTP_URL is not: no mail would be sent');
  const storage = storageSettings(c);
  const publicUrl = (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, '');
  const warnings: string[] = [];
  if (c.DEMO && !isThisMachine(publicUrl))
    warnings.push(
      `DEMO=1 with PUBLIC_URL ${publicUrl}, not this machine: anyone who can reach it can sign in as the demo people with the passwords the README publishes (a Directory Administrator and a Department licensure evaluator among them) and complete the pre-created profile; ELAR takes fees with the test card unless PAYMENT_PROVIDER is set. Run the demo on localhost only.`,
    );
  return {
    env: c.NODE_ENV,
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    dataDir: c.DATA_DIR,
    publicUrl,
    secureCookies: publicUrl.startsWith('https://'),
    bootstrapAdminPassword: c.BOOTSTRAP_ADMIN_PASSWORD,
    demo: c.DEMO,
    passwordPolicy: c.PASSWORD_POLICY,
    passwordHistory: c.PASSWORD_HISTORY,
    ssnHmacKey: c.SSN_HMAC_KEY,
    secretsKey: c.SECRETS_KEY,
    helpdesk: { phone: c.HELPDESK_PHONE, hours: c.HELPDESK_HOURS },
    departmentOrgCode: c.DEPARTMENT_ORG_CODE,
    agency: {
      name: c.AGENCY_NAME,
      jurisdiction: c.AGENCY_JURISDICTION,
      address: c.AGENCY_ADDRESS,
      phone: c.AGENCY_PHONE,
      tty: c.AGENCY_TTY,
      privacyUrl: c.PRIVACY_POLICY_URL,
      accessibilityUrl: c.ACCESSIBILITY_URL,
    },
    session: { idleMs: c.SESSION_IDLE_MINUTES * 60_000, absoluteMs: c.SESSION_ABSOLUTE_HOURS * 3_600_000 },
    wizardTtlMs: c.WIZARD_TTL_MINUTES * 60_000,
    lockout: {
      threshold: c.LOCKOUT_THRESHOLD,
      ipThreshold: c.IP_LOCKOUT_THRESHOLD,
      durationMs: c.LOCKOUT_MINUTES * 60_000,
    },
    rateLimitPostsPerMinute: c.RATE_LIMIT_POSTS_PER_MINUTE,
    trustProxy: c.TRUST_PROXY,
    logLevel: c.LOG_LEVEL,
    faultInject: c.FAULT_INJECT,
    sse: { maxConnections: c.SSE_MAX_CONNECTIONS, heartbeatMs: c.SSE_HEARTBEAT_MS },
    jobs: {
      pollMs: c.JOBS_POLL_MS,
      leaseMs: c.JOBS_LEASE_SECONDS * 1000,
      backoff: { baseMs: c.JOBS_RETRY_BASE_SECONDS * 1000, maxMs: c.JOBS_RETRY_MAX_SECONDS * 1000 },
    },
    mail: c.SMTP_URL && c.MAIL_FROM ? { smtpUrl: c.SMTP_URL, from: c.MAIL_FROM } : undefined,
    storage,
    warnings,
  };
}

/** An address only this machine reaches: localhost, 127.0.0.0/8 or ::1 (the URL parser writes IPv4 as four numbers). */
export function isThisMachine(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function storageSettings(c: z.infer<typeof schema>): StorageSettings {
  const given = (['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter(
    (name) => c[name] !== undefined,
  );
  if (!c.S3_BUCKET) {
    // Half an S3 configuration would otherwise quietly keep documents on the local disk.
    if (given.length > 0) throw new ConfigError(`Invalid configuration: S3_BUCKET is required when ${given[0]} is set`);
    return { kind: 'filesystem', dir: join(c.DATA_DIR, 'blobs') };
  }
  if ((c.S3_ACCESS_KEY_ID === undefined) !== (c.S3_SECRET_ACCESS_KEY === undefined)) {
    throw new ConfigError(
      'Invalid configuration: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are set together or not at all',
    );
  }
  const keys =
    c.S3_ACCESS_KEY_ID && c.S3_SECRET_ACCESS_KEY
      ? { accessKeyId: c.S3_ACCESS_KEY_ID, secretAccessKey: c.S3_SECRET_ACCESS_KEY }
      : null;
  return {
    kind: 's3',
    s3: {
      endpoint: c.S3_ENDPOINT?.replace(/\/$/, ''),
      region: c.S3_REGION,
      bucket: c.S3_BUCKET,
      forcePathStyle: c.S3_FORCE_PATH_STYLE,
      credentials: () => keys,
    },
  };
}
