import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { grantRole } from '../../src/directory/service.ts';
import { Browser, createProfile, startPortal, textOf, type Response, type TestPortal } from '../helpers/portal.ts';
import { freePort, listenAhead } from '../helpers/server.ts';
import { throwawayDatabase } from '../helpers/throwaway-database.ts';

/**
 * ELAR deployed apart from the portal: the portal in this process, ELAR as a second
 * process (`npm run start:elar`) with its own address and database, told only the issuer's
 * URL and its client secret. A person signs in over HTTP with a cookie jar per site, and
 * logging out of the portal reaches ELAR by back-channel.
 */

const SECRET = 'separate-elar-client-secret-0123456789abcdef';
const PASSWORD = 'Secret123';
const START_ELAR = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts[
  'start:elar'
]!.split(' ');

let portal: TestPortal;
let portalSite: Awaited<ReturnType<typeof listenAhead>>;
let elarOrigin = '';
let elarProcess: ChildProcess;
let dropElarDatabase = async () => {};
let userName = '';

/** Starts ELAR as `npm run start:elar` does; resolves once it prints its address. */
async function startElar(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const node = START_ELAR.indexOf('node');
  const child = spawn(process.execPath, START_ELAR.slice(node + 1), { env, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ELAR did not start in 60 s')), 60_000);
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (/^listening on http:\/\/\S+$/m.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ELAR exited with ${code} before listening: ${seen}`));
    });
  });
  return child;
}

before(async () => {
  portalSite = await listenAhead();
  elarOrigin = `http://127.0.0.1:${await freePort()}`;
  // The portal is told where ELAR lives and the secret they share; it registers ELAR's client.
  portal = await startPortal({
    PUBLIC_URL: portalSite.origin,
    ELAR_PUBLIC_URL: elarOrigin,
    ELAR_CLIENT_SECRET: SECRET,
  });
  portalSite.serve(portal.app);
  ({ userName } = await createProfile(new Browser(portal.app), {
    firstName: 'Sepa',
    lastName: 'Rate',
    dob: ['7', '8', '1981'],
    ssn: '805-45-6789',
  }));

  let elarDatabaseUrl = '';
  if (process.env.DATABASE_URL)
    ({ url: elarDatabaseUrl, drop: dropElarDatabase } = await throwawayDatabase(
      process.env.DATABASE_URL,
      'elar_separate',
    ));
  elarProcess = await startElar({
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: new URL(elarOrigin).port,
    ELAR_ISSUER: portalSite.origin,
    ELAR_PUBLIC_URL: elarOrigin,
    ELAR_CLIENT_SECRET: SECRET,
    // A database of its own: embedded in memory, or a throwaway one on the PostgreSQL server.
    ...(elarDatabaseUrl ? { ELAR_DATABASE_URL: elarDatabaseUrl } : { DATA_DIR: 'memory://' }),
    RATE_LIMIT_POSTS_PER_MINUTE: '0',
  });
});
after(async () => {
  if (elarProcess && elarProcess.exitCode === null) {
    const exited = new Promise((resolve) => elarProcess.once('exit', resolve));
    elarProcess.kill('SIGTERM');
    await exited;
  }
  await dropElarDatabase();
  await portal?.close();
  await portalSite?.close();
});

/** One browser, two sites: a cookie jar each, and redirects followed from one to the other. */
function browser(ip: string) {
  const sites = [
    new Browser(new URL(portalSite.origin), ip, portalSite.origin),
    new Browser(new URL(elarOrigin), ip, elarOrigin),
  ] as const;
  const [portalTab, elarTab] = sites;
  const siteOf = (url: string) => (url.startsWith(elarOrigin) ? elarTab : portalTab);
  return {
    portal: portalTab,
    elar: elarTab,
    /** Follows redirects wherever they lead between the two sites. */
    async walk(first: Response, from: Browser): Promise<{ res: Response; site: Browser }> {
      let res = first;
      let site = from;
      for (let i = 0; i < 20 && res.location; i++) {
        if (/^https?:/.test(res.location)) site = siteOf(res.location);
        res = await site.get(res.location);
      }
      return { res, site };
    },
  };
}

async function signIn(b: ReturnType<typeof browser>) {
  const start = await b.elar.get('/elar');
  assert.equal(start.status, 303);
  assert.ok(
    start.location!.startsWith(`${portalSite.origin}/oidc/auth?`),
    'the separate ELAR sends a signed-out person to the issuer',
  );
  const login = await b.walk(start, b.elar);
  assert.equal(login.site, b.portal);
  const returnTo = /name="returnTo" value="([^"]+)"/.exec(login.res.body)![1]!.replace(/&amp;/g, '&');
  const back = await b.portal.post('/login', { username: userName, password: PASSWORD, returnTo });
  const done = await b.walk(back, b.portal);
  assert.equal(done.site, b.elar, 'the code comes back to the separate ELAR');
  return done.res;
}

describe('ELAR as a separate process against the same issuer', () => {
  test('a person signs in to the separate ELAR through the portal and sees the Welcome Page', async () => {
    const page = await signIn(browser('10.7.0.1'));
    assert.equal(page.status, 200);
    assert.match(page.body, /ELAR Welcome Page/);
    assert.equal(textOf(page.body, 'data-username'), userName);
    assert.match(
      page.body,
      new RegExp(`href="${portalSite.origin}/account/password"`),
      'Change Password is the portal\u2019s page',
    );
    const header = /<nav aria-label="Main">([\s\S]*?)<\/nav>/.exec(page.body)![1]!;
    assert.deepEqual(
      [...header.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map(([, href, label]) => `${label} ${href}`),
      ['Home /', 'ELAR /elar', 'Your account /account', 'Help /help'],
      "the portal's header",
    );
    assert.match(header, /action="\/elar\/logout"/, "Log out is ELAR's");
  });

  test('logging out of the portal reaches the separate ELAR by back-channel: its session ends', async () => {
    const b = browser('10.7.0.2');
    await signIn(b);
    assert.equal((await b.elar.get('/elar')).status, 200, 'signed in to ELAR');
    await b.portal.get('/');
    const out = await b.portal.post('/logout', {});
    assert.equal(out.status, 303);
    // The back-channel logout is a job (src/sso/logout.ts): run what is due, as the worker would.
    await portal.jobs.runDue();
    const again = await b.elar.get('/elar');
    assert.equal(again.status, 303, 'the separate ELAR no longer knows the session');
    assert.ok(again.location!.startsWith(`${portalSite.origin}/oidc/auth?`));
  });

  test('logging out from the separate ELAR ends the portal session too, and comes back to ELAR', async () => {
    const b = browser('10.7.0.4');
    await signIn(b);
    const out = await b.elar.post('/elar/logout', {});
    assert.equal(out.status, 303, 'the form of the separate ELAR is accepted (its own CSRF token)');
    assert.ok(out.location!.startsWith(`${portalSite.origin}/oidc/session/end?`));
    const ended = await b.portal.get(out.location!);
    assert.equal(ended.location, `${elarOrigin}/elar/logged-out`);
    assert.match((await b.elar.get('/elar/logged-out')).body, /You have logged out/);
    assert.equal((await b.portal.get('/account')).status, 303, 'the portal session is over');
  });

  test('an evaluator granted in the Department is ELAR staff in the separate ELAR too', async () => {
    const department = await portal.db
      .insertInto('organization')
      .values({
        id: randomUUID(),
        code: '00000000',
        name: 'Department of Elementary and Secondary Education',
        type: 'other',
        district_id: null,
        town: 'Malden',
        phone: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const app = await portal.db
      .updateTable('application')
      .set({ roles: ['user', 'licensure-evaluator'] })
      .where('id', '=', 'elar')
      .returningAll()
      .executeTakeFirstOrThrow();
    const person = await portal.db
      .selectFrom('profile')
      .selectAll()
      .where('user_name', '=', userName)
      .executeTakeFirstOrThrow();
    await grantRole(portal.db, null, { person, org: department, app, role: 'licensure-evaluator' }, null);
    const page = await signIn(browser('10.7.0.3'));
    assert.match(page.body, /You are signed in as a licensure evaluator</);
  });

  test('the portal, no longer hosting ELAR, sends its /elar on to ELAR', async () => {
    const res = await new Browser(portal.app).get('/elar');
    assert.equal(res.status, 303);
    assert.equal(res.location, `${elarOrigin}/elar`);
    // The portal's own pages (home, /help/about) link to ELAR's public requirements pages.
    const deep = await new Browser(portal.app).get('/elar/requirements/license?category=TCH');
    assert.equal(deep.status, 303);
    assert.equal(deep.location, `${elarOrigin}/elar/requirements/license?category=TCH`);
  });

  test('the portal registered ELAR at its own address', async () => {
    const row = await portal.db
      .selectFrom('application')
      .select(['redirect_uris', 'backchannel_logout_uri'])
      .where('id', '=', 'elar')
      .executeTakeFirstOrThrow();
    assert.deepEqual(row.redirect_uris, [`${elarOrigin}/elar/callback`]);
    assert.equal(row.backchannel_logout_uri, `${elarOrigin}/elar/backchannel-logout`);
  });
});
