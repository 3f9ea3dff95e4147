import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.tsx';
import { loadConfig, type Config } from '../../src/platform/config.ts';
import { openDatabase, type Db } from '../../src/platform/db.ts';
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
  close(): Promise<void>;
}

export async function startPortal(env: Record<string, string> = {}): Promise<TestPortal> {
  const serverUrl = process.env.DATABASE_URL;
  let databaseUrl: string | undefined;
  let dropDatabase = async () => {};
  if (serverUrl) ({ url: databaseUrl, drop: dropDatabase } = await throwawayDatabase(serverUrl, 'portal_test'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: 'memory://',
    // Tests post many forms from one address; the limiter has its own test.
    RATE_LIMIT_POSTS_PER_MINUTE: '0',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 4 });
  await prepareDatabase(database.db);
  const ssnKey = 'test-ssn-key-0123456789abcdef0123456789';
  const secretsKey = 'test-secrets-key-0123456789abcdef012345';
  const app = await buildApp({ config, db: database.db, ssnKey, secretsKey });
  await app.ready();
  const portal: TestPortal = {
    app,
    db: database.db,
    config,
    ssnKey,
    secretsKey,
    close: async () => {
      // A test may have replaced the app (a restart); close whichever is current.
      await portal.app.close();
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
    for (let i = 0; i < 20 && current.location && this.isOwn(current.location); i++) current = await this.get(current.location);
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
    const res = this.app instanceof URL ? await overHttp(this.app, method, path, headers, payload) : await this.inject(method, path, headers, payload);
    for (const c of res.cookies) {
      if (isCleared(c)) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (token) this.csrf = token[1]!;
    if (res.headers['content-type']?.toString().startsWith('text/html')) this.lastPage = res.body;
    return { status: res.status, body: res.body, location: res.headers.location as string | undefined, headers: res.headers };
  }

  private async inject(method: string, url: string, headers: Record<string, string>, payload?: string): Promise<RawResponse> {
    const res = await (this.app as FastifyInstance).inject({ method: method as 'GET' | 'POST', url, payload, remoteAddress: this.ip, headers });
    return { status: res.statusCode, body: res.body, headers: res.headers, cookies: res.cookies as Cookie[] };
  }
}

interface RawResponse {
  status: number;
  body: string;
  headers: Response['headers'];
  cookies: Cookie[];
}

async function overHttp(base: URL, method: string, path: string, headers: Record<string, string>, payload?: string): Promise<RawResponse> {
  const res = await fetch(new URL(path, base), { method, headers, body: payload, redirect: 'manual' });
  return { status: res.status, body: await res.text(), headers: Object.fromEntries(res.headers), cookies: res.headers.getSetCookie().map(parseSetCookie) };
}

export function outcomeOf(html: string): string | undefined {
  return /<main[^>]*data-outcome="([^"]+)"/.exec(html)?.[1];
}

export function textOf(html: string, attribute: 'data-username' | 'data-mepid'): string | undefined {
  return new RegExp(`${attribute}(?:="")?[^>]*>([^<]*)<`).exec(html)?.[1];
}

export function errorSummary(html: string): string[] {
  const summary = /There is a problem<\/h2><ul[^>]*>(.*?)<\/ul>/s.exec(html)?.[1] ?? '';
  return [...summary.matchAll(/<a href="#[^"]+">([^<]*)<\/a>/g)].map((m) => decode(m[1]!));
}

function decode(s: string): string {
  return s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
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
 * Every page of Create Profile for a new person; returns the done page. Each step must lead
 * to the next one and the done page must show a User Name and a MEPID, or it throws saying
 * which step went elsewhere (and the page's error summary), so no test builds on a profile
 * that was never made.
 */
export async function createProfile(
  b: Browser,
  person: Person,
  secrets = { hintQuestion: 'First pet?', hintAnswer: 'Rex the Dog', password: 'Secret123' },
): Promise<{ userName: string; mepid: string; page: Response }> {
  const steps: [page: string, fields: Record<string, string>, next: string][] = [
    ['/profile/new', identityFields(person), '/profile/new/contact'],
    ['/profile/new/contact', contactFields, '/profile/new/background'],
    ['/profile/new/background', { previousLastName: '', priorLicenseNumber: '' }, '/profile/new/security'],
    ['/profile/new/security', { ...secrets, passwordConfirm: secrets.password }, '/profile/new/review'],
    ['/profile/new/review', {}, '/profile/new/done'],
  ];
  let res: Response | undefined;
  for (const [page, fields, next] of steps) {
    const action = page === '/profile/new' ? '/profile/new/identity' : page;
    res = await b.submit(page, action, fields);
    if (res.location !== next) {
      throw new Error(`Create Profile: ${action} answered ${res.status} ${res.location ?? ''} instead of ${next} ${errorSummary(res.body).join('; ')}`);
    }
  }
  const page = await b.follow(res!);
  const [userName, mepid] = [textOf(page.body, 'data-username'), textOf(page.body, 'data-mepid')];
  if (page.status !== 200 || !userName || !mepid) throw new Error(`Create Profile: the done page answered ${page.status} without a User Name and MEPID`);
  return { userName, mepid, page };
}

export async function logIn(b: Browser, username: string, password: string): Promise<Response> {
  return b.submit('/login', '/login', { username, password });
}
