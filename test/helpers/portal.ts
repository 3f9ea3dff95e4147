import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildOptions } from '../../src/app.tsx';
import { elarTables, loadElarConfig } from '../../src/elar/index.ts';
import { loadConfig, type Config } from '../../src/platform/config.ts';
import { openDatabase, type Db } from '../../src/database.ts';
import { EventBus } from '../../src/platform/events/index.ts';
import { JobRunner } from '../../src/platform/jobs/runner.ts';
import { prepareDatabase } from '../../src/startup.ts';
import { isCleared, parseSetCookie, type Cookie } from './cookies.ts';
import { throwawayDatabase } from './throwaway-database.ts';

/**
 * A whole portal per test file, on a fresh database: in-memory PGlite by default, or a
 * throwaway database on the PostgreSQL server named by DATABASE_URL (so CI runs every
 * HTTP test on both).
 */
export interface TestPortal {
  app: FastifyInstance;
  db: Db;
  config: Config;
  ssnKey: string;
  secretsKey: string;
  /** Not started: a test runs what is due with `jobs.runDue()` and then looks. */
  jobs: JobRunner;
  /** Co-hosted ELAR's runner, on ELAR's own queue; not started either. */
  elarJobs: JobRunner;
  /** The event bus on this database (live status), closed with the portal. */
  events: EventBus;
  close(): Promise<void>;
}

/** `logger`: pino options for the app (tests that read the logs pass a stream); silent otherwise. */
export async function startPortal(
  env: Record<string, string> = {},
  options: Pick<BuildOptions, 'onRoute'> & { logger?: object } = {},
): Promise<TestPortal> {
  const serverUrl = process.env.DATABASE_URL;
  let databaseUrl: string | undefined;
  let dropDatabase = async () => {};
  if (serverUrl) ({ url: databaseUrl, drop: dropDatabase } = await throwawayDatabase(serverUrl, 'portal_test'));
  const settings = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: 'memory://',
    // Tests post many forms from one address; the limiter has its own test.
    RATE_LIMIT_POSTS_PER_MINUTE: '0',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  };
  const config = loadConfig(settings);
  const elar = loadElarConfig(settings, { hostUrl: config.publicUrl });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 4 });
  await prepareDatabase(database.db);
  const ssnKey = 'test-ssn-key-0123456789abcdef0123456789';
  const secretsKey = 'test-secrets-key-0123456789abcdef012345';
  const jobs = new JobRunner(database.db, config.jobs);
  const elarJobs = new JobRunner(elarTables(database.db), config.jobs);
  const events = new EventBus(database.notifications);
  const app = await buildApp({
    config,
    elar,
    db: database.db,
    ssnKey,
    secretsKey,
    jobs,
    elarJobs,
    events,
    ...(options.onRoute ? { onRoute: options.onRoute } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  await app.ready();
  const portal: TestPortal = {
    app,
    db: database.db,
    config,
    ssnKey,
    secretsKey,
    jobs,
    elarJobs,
    events,
    close: async () => {
      // A test may have replaced the app (a restart); close whichever is current.
      await portal.app.close();
      await events.close();
      await database.close();
      await dropDatabase();
    },
  };
  return portal;
}

export interface Response {
  status: number;
  body: string;
  location: string | undefined;
  headers: Record<string, string | string[] | number | undefined>;
}

/**
 * A browser without JavaScript: a cookie jar, the last page's CSRF token, forms as posts.
 * It talks to an app in this process (inject), or to a server over HTTP when given its URL.
 */
export class Browser {
  readonly cookies = new Map<string, string>();
  csrf = '';
  lastPage = '';

  constructor(
    private readonly app: FastifyInstance | URL,
    private readonly ip = '203.0.113.10',
    /** Absolute URLs on this origin (as OpenID Connect redirects use) are requests to the app. */
    private readonly origin = '',
  ) {}

  async get(url: string): Promise<Response> {
    return this.request('GET', url);
  }

  /** Posts a form with the CSRF token of the last page seen (as a browser would). */
  async post(url: string, fields: Record<string, string>, options: { csrf?: boolean } = {}): Promise<Response> {
    const form = new URLSearchParams(fields);
    if (options.csrf !== false) form.set('_csrf', this.csrf);
    return this.request('POST', url, form.toString());
  }

  /** GET the page, then post its form: the usual path a person takes. */
  async submit(pageUrl: string, action: string, fields: Record<string, string>): Promise<Response> {
    await this.get(pageUrl);
    return this.post(action, fields);
  }

  /** Follows redirects on this app; stops at the first one that leaves it. */
  async follow(res: Response): Promise<Response> {
    let current = res;
    for (let i = 0; i < 20 && current.location && this.isOwn(current.location); i++)
      current = await this.get(current.location);
    return current;
  }

  private isOwn(url: string): boolean {
    return url.startsWith('/') || (this.origin !== '' && url.startsWith(this.origin));
  }

  private async request(method: 'GET' | 'POST', url: string, payload?: string): Promise<Response> {
    const path = this.origin && url.startsWith(this.origin) ? url.slice(this.origin.length) || '/' : url;
    const headers: Record<string, string> = {
      ...(this.origin ? { host: new URL(this.origin).host } : {}),
      ...(payload !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    };
    const res =
      this.app instanceof URL
        ? await overHttp(this.app, method, path, headers, payload)
        : await this.inject(method, path, headers, payload);
    for (const c of res.cookies) {
      if (isCleared(c)) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (token) this.csrf = token[1]!;
    if (res.headers['content-type']?.toString().startsWith('text/html')) this.lastPage = res.body;
    return {
      status: res.status,
      body: res.body,
      location: res.headers.location as string | undefined,
      headers: res.headers,
    };
  }

  private async inject(
    method: string,
    url: string,
    headers: Record<string, string>,
    payload?: string,
  ): Promise<RawResponse> {
    const res = await (this.app as FastifyInstance).inject({
      method: method as 'GET' | 'POST',
      url,
      payload,
      remoteAddress: this.ip,
      headers,
    });
    return { status: res.statusCode, body: res.body, headers: res.headers, cookies: res.cookies as Cookie[] };
  }
}

interface RawResponse {
  status: number;
  body: string;
  headers: Response['headers'];
  cookies: Cookie[];
}

async function overHttp(
  base: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  payload?: string,
): Promise<RawResponse> {
  const res = await fetch(new URL(path, base), { method, headers, body: payload, redirect: 'manual' });
  return {
    status: res.status,
    body: await res.text(),
    headers: Object.fromEntries(res.headers),
    cookies: res.headers.getSetCookie().map(parseSetCookie),
  };
}

export function outcomeOf(html: string): string | undefined {
  return /<main[^>]*data-outcome="([^"]+)"/.exec(html)?.[1];
}

export function textOf(html: string, attribute: 'data-username' | 'data-mepid'): string | undefined {
  return new RegExp(`${attribute}(?:="")?[^>]*>([^<]*)<`).exec(html)?.[1];
}

export function errorSummary(html: string): string[] {
  const summary = /There is a problem<\/h2><ul[^>]*>(.*?)<\/ul>/s.exec(html)?.[1] ?? '';
  // A message about one field links to it; one about the whole form is plain text.
  return [...summary.matchAll(/<li>(?:<a href="#[^"]+">)?([^<]*)(?:<\/a>)?<\/li>/g)].map((m) => decode(m[1]!));
}

function decode(s: string): string {
  return s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

export interface Person {
  firstName: string;
  middleName?: string;
  lastName: string;
  dob: [month: string, day: string, year: string];
  ssn: string;
}

export const identityFields = (p: Person) => ({
  firstName: p.firstName,
  middleName: p.middleName ?? '',
  lastName: p.lastName,
  dobMonth: p.dob[0],
  dobDay: p.dob[1],
  dobYear: p.dob[2],
  ssn: p.ssn,
});

export const contactFields = {
  email: 'person@example.org',
  phone: '781 338 6600',
  addressLine1: '75 Pleasant Street',
  addressLine2: '',
  city: 'Malden',
  state: 'MA',
  postalCode: '02148',
};

/**
 * Every page of Create Profile for a new person; returns the final page. Each step must
 * answer with the redirect to the next one and the end must be the "created" page showing
 * a User Name and MEPID, or this throws naming the step. A browser that already has
 * unfinished answers (kept when the identity is given again) skips to the first page not
 * yet answered after each page.
 */
export async function createProfile(
  b: Browser,
  person: Person,
  secrets = { hintQuestion: 'First pet?', hintAnswer: 'Rex the Dog', password: 'Secret123' },
): Promise<{ userName: string; mepid: string; page: Response }> {
  const expect = (res: Response, step: string, location: string) => {
    if (res.status !== 303 || res.location !== location)
      throw new Error(`${step} step: expected 303 to ${location}, got ${res.status} ${res.location ?? ''}`);
  };
  const steps = ['contact', 'background', 'security', 'review'].map((step) => `/profile/new/${step}`);
  const identity = await b.submit('/profile/new', '/profile/new/identity', identityFields(person));
  const kept = steps.indexOf(identity.location ?? '');
  expect(identity, 'identity', kept >= 0 ? steps[kept]! : steps[0]!);
  const answered = new Set(steps.slice(0, kept));
  const next = (done: string) => {
    answered.add(`/profile/new/${done}`);
    return steps.find((step) => !answered.has(step))!;
  };
  expect(await b.submit('/profile/new/contact', '/profile/new/contact', contactFields), 'contact', next('contact'));
  expect(
    await b.submit('/profile/new/background', '/profile/new/background', {
      previousLastName: '',
      priorLicenseNumber: '',
    }),
    'background',
    next('background'),
  );
  const security = await b.submit('/profile/new/security', '/profile/new/security', {
    hintQuestion: secrets.hintQuestion,
    hintAnswer: secrets.hintAnswer,
    password: secrets.password,
    passwordConfirm: secrets.password,
  });
  expect(security, 'security', next('security'));
  const review = await b.submit('/profile/new/review', '/profile/new/review', {});
  expect(review, 'review', '/profile/new/done');
  const page = await b.follow(review);
  const userName = textOf(page.body, 'data-username') ?? '';
  const mepid = textOf(page.body, 'data-mepid') ?? '';
  if (page.status !== 200 || outcomeOf(page.body) !== 'created' || !userName || !mepid) {
    throw new Error(
      `done page: expected 200, data-outcome="created", a User Name and a MEPID; got ${page.status} ${outcomeOf(page.body)} "${userName}" "${mepid}"`,
    );
  }
  return { userName, mepid, page };
}

export async function logIn(b: Browser, username: string, password: string): Promise<Response> {
  return b.submit('/login', '/login', { username, password });
}
