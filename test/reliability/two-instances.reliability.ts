import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { migrations } from '../../migrations/index.ts';
import { ensureApplication, registerApplication } from '../../src/directory/service.ts';
import { openDatabase, type Database } from '../../src/database.ts';
import { secretBox } from '../../src/platform/secrets.ts';
import { LOGIN_FAILED } from '../../src/portal/login-routes.tsx';
import { prepareDatabase } from '../../src/startup.ts';
import {
  Browser,
  contactFields,
  createProfile,
  errorSummary,
  identityFields,
  outcomeOf,
  textOf,
  type Person,
  type Response,
} from '../helpers/portal.ts';
import { spawnPortal, type PortalProcess } from '../helpers/server.ts';
import { throwawayDatabase } from '../helpers/throwaway-database.ts';
import { RoundRobinProxy } from './round-robin-proxy.ts';

/**
 * Two instances on one PostgreSQL behind a round-robin proxy, started at the same moment
 * on an empty database as a rolling deployment would: sessions, Create Profile progress,
 * OpenID Connect flows (our own relying party and ELAR) and lockout counters must not
 * care which instance answers. Steps that write on one instance are followed on purpose by
 * a read on the other, and every scenario checks that both instances served it.
 */

const A = 0;
const B = 1;
const NAME = ['A', 'B'];
const LOCKOUT_THRESHOLD = 4;
// The same keys on both instances, as the README asks for DATABASE_URL deployments.
const SECRETS_KEY = 'reliability-secrets-key-0123456789abcdef';
const SSN_HMAC_KEY = 'reliability-ssn-hmac-key-0123456789abcdef';
const PASSWORD = 'Secret123';
const CLIENT_ID = 'gradebook';
// Never contacted: the browser stops at the redirect that leaves the portal.
const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const SESSION_COOKIE = 'portal_session';

/** Without a PostgreSQL server there is nothing to share: skip loudly, or fail where required. */
function databaseMissing(): string | false {
  if (process.env.DATABASE_URL) return false;
  const reason =
    'DATABASE_URL is not set: two instances need a shared PostgreSQL server (e.g. DATABASE_URL=postgres://user@host:5432/postgres; a throwaway database is created on it)';
  if (process.env.RELIABILITY_REQUIRED === '1') throw new Error(reason);
  console.warn(`SKIPPED reliability (two instances): ${reason}`);
  return reason;
}

const skip = databaseMissing();

let proxy: RoundRobinProxy;
let publicUrl = '';
let instances: PortalProcess[] = [];
let database: Database | undefined;
let shared: Awaited<ReturnType<typeof throwawayDatabase>> | undefined;
const dataDirs: string[] = [];
const summary: string[] = [];
const startedAt = Date.now();

const person: Person = { firstName: 'Rhea', lastName: 'Roundrobin', dob: ['3', '14', '1985'], ssn: '804-12-3456' };
let userName = '';

before(async () => {
  if (skip) return;
  // The proxy binds port 0 first (its URL is both instances' PUBLIC_URL); the instances bind
  // port 0 too and become its upstreams once they have printed where they listen.
  const upstreams: URL[] = [];
  proxy = new RoundRobinProxy(upstreams);
  publicUrl = await proxy.listen(0);

  const throwaway = await throwawayDatabase(process.env.DATABASE_URL!, 'portal_two');
  shared = throwaway;
  const environment = (): NodeJS.ProcessEnv => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portal-two-'));
    dataDirs.push(dataDir);
    return {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: throwaway.url,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      SSN_HMAC_KEY,
      SECRETS_KEY,
      // The public origin is the proxy: it is the OpenID Connect issuer of both instances.
      PUBLIC_URL: publicUrl,
      RATE_LIMIT_POSTS_PER_MINUTE: '0',
      LOCKOUT_THRESHOLD: String(LOCKOUT_THRESHOLD),
    };
  };
  // Both at once on the empty database: migrations, catalog seed, ELAR registration and
  // signing-key generation race as they would in a real rollout.
  const started = await Promise.allSettled([spawnPortal(environment()), spawnPortal(environment())]);
  instances = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw new Error(`the instances did not both start on an empty database: ${String(failed.reason)}`);
  upstreams.push(...instances.map((i) => new URL(i.url)));
  database = await openDatabase({ databaseUrl: throwaway.url, dataDir: 'memory://', poolSize: 2 });

  ({ userName } = await createProfile(browser(), person, {
    hintQuestion: 'First pet?',
    hintAnswer: 'Rex the Dog',
    password: PASSWORD,
  }));
  assert.equal(userName, 'RRoundrobin');
});

after(async () => {
  if (skip) return;
  await Promise.all(instances.map((i) => i.stop()));
  await proxy?.close();
  await database?.close();
  if (shared) await shared.drop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  console.log(`two instances: ${summary.join('; ')}; ${((Date.now() - startedAt) / 1000).toFixed(1)} s in all`);
});

/** A browser without JavaScript that only ever talks to the proxy. */
function browser(): Browser {
  return new Browser(new URL(publicUrl), '127.0.0.1', publicUrl);
}

function db() {
  assert.ok(database, 'the test database is open');
  return database.db;
}

/** One request, sent to `target` on purpose; checks the proxy really sent it there. */
async function on<T>(target: number, step: () => Promise<T>): Promise<T> {
  const at = proxy.mark();
  proxy.forceNext(target);
  const result = await step();
  assert.equal(proxy.log[at]?.target, target, `the step went to instance ${NAME[target]}`);
  return result;
}

const isOwn = (url: string) => url.startsWith('/') || url.startsWith(`${publicUrl}/`);

/** Follows redirects within the portal, sending the ones `pin` names to a chosen instance. */
async function walk(
  b: Browser,
  res: Response,
  pin: (path: string) => number | undefined = () => undefined,
): Promise<Response> {
  let current = res;
  for (let i = 0; i < 20 && current.location && isOwn(current.location); i++) {
    const target = pin(new URL(current.location, publicUrl).pathname);
    if (target !== undefined) proxy.forceNext(target);
    current = await b.get(current.location);
  }
  return current;
}

/** Both instances served this scenario, and neither failed with a server error. */
function bothServed(t: TestContext, scenario: string, mark: number): void {
  const counts = proxy.countsSince(mark);
  const line = `${scenario}: A ${counts[A]}, B ${counts[B]} requests`;
  t.diagnostic(line);
  summary.push(line);
  assert.deepEqual(
    counts.map((n) => n > 0),
    [true, true],
    `both instances served ${scenario} (${line})`,
  );
  assert.deepEqual(
    proxy.hopsSince(mark).filter((h) => h.status >= 500),
    [],
    'no instance answered with a server error',
  );
}

const welcome = (p: Person) => new RegExp(`Welcome, ${p.firstName} ${p.lastName}`);

describe('two instances behind a round-robin proxy', { skip, timeout: 120_000 }, () => {
  test('first start of both at once on an empty database: one schema, one signing key, one JWKS', async () => {
    const applied = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db());
    assert.deepEqual(
      applied.rows.map((r) => r.name),
      Object.keys(migrations),
      'every migration applied once',
    );
    // Two keys would mean each instance generated its own: which one signs, and which
    // ones each instance publishes, would then depend on who read the table when.
    const keys = await db().selectFrom('oidc_signing_key').select('kid').execute();
    assert.equal(keys.length, 1, 'a concurrent first start generates one signing key');
    const [jwksA, jwksB] = await Promise.all(
      instances.map(async (i) => (await fetch(`${i.url}/oidc/jwks`)).json() as Promise<JSONWebKeySet>),
    );
    assert.deepEqual(jwksA, jwksB, 'both instances publish the same keys');
    assert.deepEqual(
      jwksA!.keys.map((k) => k.kid),
      keys.map((k) => k.kid),
    );
    const elar = await db()
      .selectFrom('application')
      .select(['client_secret_encrypted', 'redirect_uris'])
      .where('id', '=', 'elar')
      .executeTakeFirstOrThrow();
    assert.ok(elar.client_secret_encrypted, 'ELAR is registered with a client secret');
    assert.deepEqual(elar.redirect_uris, [`${publicUrl}/elar/callback`]);
  });

  test('sessions: signed in on A is signed in on B; logging out on B signs out on both', async (t) => {
    const mark = proxy.mark();
    const b = browser();
    await b.get('/login');
    const login = await on(A, () => b.post('/login', { username: userName, password: PASSWORD }));
    assert.equal(login.status, 303);
    const token = b.cookies.get(SESSION_COOKIE);
    assert.ok(token, 'the login set a session cookie');

    for (const target of [B, A, B]) {
      const home = await on(target, () => b.get('/'));
      assert.match(home.body, welcome(person), `signed in on instance ${NAME[target]}`);
    }
    const account = await on(B, () => b.get('/account'));
    assert.equal(account.status, 200, 'a page that needs the session opens on B');
    assert.equal(textOf(account.body, 'data-username'), userName);

    const out = await on(B, () => b.post('/logout', {}));
    assert.equal(out.status, 303);
    assert.equal(b.cookies.has(SESSION_COOKIE), false);
    // The browser forgot its cookie; replaying it shows whether the session itself is gone.
    for (const target of [A, B]) {
      const replay = browser();
      replay.cookies.set(SESSION_COOKIE, token);
      const res = await on(target, () => replay.get('/account'));
      assert.equal(res.status, 303, `the ended session is refused by instance ${NAME[target]}`);
      assert.match(res.location ?? '', /^\/login\?returnTo=/);
      const home = await on(target, () => b.get('/'));
      assert.doesNotMatch(home.body, welcome(person), `signed out on instance ${NAME[target]}`);
    }
    bothServed(t, 'sessions', mark);
  });

  test('Create Profile: each page on the other instance; a double submit on both creates one profile', async (t) => {
    const mark = proxy.mark();
    const b = browser();
    const newcomer: Person = { firstName: 'Wanda', lastName: 'Wizard', dob: ['7', '4', '1990'], ssn: '805-12-3456' };
    const steps: [page: string, fields: Record<string, string>, next: string][] = [
      ['/profile/new', identityFields(newcomer), '/profile/new/contact'],
      ['/profile/new/contact', contactFields, '/profile/new/background'],
      ['/profile/new/background', { previousLastName: 'Wicked', priorLicenseNumber: '' }, '/profile/new/security'],
      [
        '/profile/new/security',
        { hintQuestion: 'First pet?', hintAnswer: 'Toto the Dog', password: PASSWORD, passwordConfirm: PASSWORD },
        '/profile/new/review',
      ],
    ];
    let target = A;
    for (const [page, fields, next] of steps) {
      // The page is shown by one instance from what the other saved, and posted to the other.
      const shown = await on(target, () => b.get(page));
      assert.equal(shown.status, 200, `${page} on ${NAME[target]}`);
      target = 1 - target;
      const action = page === '/profile/new' ? '/profile/new/identity' : page;
      const posted = await on(target, () => b.post(action, fields));
      assert.equal(posted.status, 303, `${action} on ${NAME[target]}: ${errorSummary(posted.body).join(', ')}`);
      assert.equal(posted.location, next);
      target = 1 - target;
    }
    const review = await on(target, () => b.get('/profile/new/review'));
    assert.equal(review.status, 200);
    for (const answer of ['Wanda', 'Wizard', contactFields.email, 'Wicked'])
      assert.ok(review.body.includes(answer), `the review shows ${answer}`);

    // A double click that the balancer splits: both instances finish the same flow at once.
    proxy.forceNext(A, B);
    const finals = await Promise.all([b.post('/profile/new/review', {}), b.post('/profile/new/review', {})]);
    for (const res of finals) {
      assert.equal(res.status, 303);
      assert.equal(res.location, '/profile/new/done');
    }
    const shownUserNames: string[] = [];
    for (const where of [A, B]) {
      const done = await on(where, () => b.get('/profile/new/done'));
      assert.equal(outcomeOf(done.body), 'created');
      shownUserNames.push(textOf(done.body, 'data-username') ?? '');
    }
    assert.deepEqual(
      shownUserNames,
      ['WWizard', ''],
      'the assigned User Name is shown once, whichever instance answers the reload',
    );
    const rows = await db().selectFrom('profile').select('user_name').where('last_name', '=', 'Wizard').execute();
    assert.deepEqual(rows, [{ user_name: 'WWizard' }], 'one profile was created');
    bothServed(t, 'wizard', mark);
  });

  test('OpenID Connect: code + PKCE, userinfo and refresh with every step on the other instance; one JWKS', async (t) => {
    const secret = await registerApplication(
      db(),
      secretBox(SECRETS_KEY),
      {
        id: CLIENT_ID,
        name: 'Gradebook',
        redirectUris: [REDIRECT_URI],
        restricted: false,
        roles: [],
        postLogoutRedirectUris: [],
        backchannelLogoutUri: null,
        launchUrl: null,
      },
      null,
    );
    const mark = proxy.mark();
    const rp = await oidc.discovery(new URL(publicUrl), CLIENT_ID, undefined, oidc.ClientSecretBasic(secret), {
      execute: [oidc.allowInsecureRequests],
    });
    assert.equal(rp.serverMetadata().issuer, publicUrl);

    const b = browser();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const authorizationUrl = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile roles',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    // A starts the authorization; B reads its interaction; the login lands on B, the
    // interaction finishes on A and the authorization resumes on B.
    const started = await on(A, () => b.get(authorizationUrl.href));
    assert.equal(started.status, 303);
    const interaction = new URL(started.location!, publicUrl).pathname;
    assert.match(interaction, /^\/interaction\//);
    const toLogin = await on(B, () => b.get(interaction));
    assert.match(toLogin.location ?? '', /^\/login\?returnTo=/);
    const loginPage = await on(A, () => b.get(toLogin.location!));
    const returnTo = /name="returnTo" value="([^"]+)"/.exec(loginPage.body)?.[1]?.replace(/&amp;/g, '&');
    assert.equal(returnTo, interaction);
    const loggedIn = await on(B, () =>
      b.post('/login', { username: userName, password: PASSWORD, returnTo: returnTo! }),
    );
    assert.equal(loggedIn.location, interaction);
    const finished = await on(A, () => b.get(interaction));
    assert.match(finished.location ?? '', new RegExp(`^${publicUrl}/oidc/auth/`));
    const resumed = await on(B, () => b.get(finished.location!));
    assert.match(
      resumed.location ?? '',
      new RegExp(`^${REDIRECT_URI}\\?code=`),
      'no consent screen: straight back with a code',
    );

    // The code was issued on B and is redeemed on A; the tokens are used on the other one.
    const tokens = await on(A, () =>
      oidc.authorizationCodeGrant(rp, new URL(resumed.location!), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      }),
    );
    const row = await db()
      .selectFrom('profile')
      .select(['id', 'mepid'])
      .where('user_name', '=', userName)
      .executeTakeFirstOrThrow();
    assert.equal(tokens.claims()?.sub, row.id);
    const userinfo = await on(B, () => oidc.fetchUserInfo(rp, tokens.access_token, row.id));
    assert.equal(userinfo.preferred_username, userName);
    assert.equal(userinfo.mepid, row.mepid);
    assert.ok(tokens.refresh_token, 'a refresh token was issued');
    const refreshed = await on(B, () => oidc.refreshTokenGrant(rp, tokens.refresh_token!));
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token, 'the refresh token rotated');
    const again = await on(A, () => oidc.fetchUserInfo(rp, refreshed.access_token, row.id));
    assert.equal(again.name, `${person.firstName} ${person.lastName}`);
    await assert.rejects(
      on(A, () => oidc.refreshTokenGrant(rp, tokens.refresh_token!)),
      (e: oidc.ResponseBodyError) => e.error === 'invalid_grant',
      'the refresh token rotated away on B is refused on A',
    );

    // ID tokens signed by A (code exchange) and by B (refresh) verify against the JWKS of either.
    const jwksPath = new URL(rp.serverMetadata().jwks_uri!).pathname;
    const published = await Promise.all(
      instances.map(async (i) => (await fetch(`${i.url}${jwksPath}`)).json() as Promise<JSONWebKeySet>),
    );
    for (const [signedBy, idToken] of [
      [A, tokens.id_token!],
      [B, refreshed.id_token!],
    ] as const) {
      for (const [i, jwks] of published.entries()) {
        const what = `the ID token signed by ${NAME[signedBy]} (kid ${decodeProtectedHeader(idToken).kid}) verifies with ${NAME[i]}'s JWKS`;
        const verified = await jwtVerify(idToken, createLocalJWKSet(jwks), {
          issuer: publicUrl,
          audience: CLIENT_ID,
        }).catch((e: Error) => assert.fail(`${what}: ${e.message}`));
        assert.equal(verified.payload.sub, row.id, what);
      }
    }
    assert.deepEqual(published[A], published[B], 'both instances publish the same JWKS');
    bothServed(t, 'OpenID Connect', mark);
  });

  test('ELAR signs in through the proxy, finishing on either instance; portal logout ends it on both', async (t) => {
    const mark = proxy.mark();
    let lastBrowser: Browser | undefined;
    for (const [start, finish] of [
      [A, B],
      [B, A],
    ] as const) {
      const b = browser();
      // Each instance's ELAR client has to hold the one client secret in the database.
      const pin = (path: string) => (path === '/elar/callback' ? finish : undefined);
      const loginPage = await walk(b, await on(start, () => b.get('/elar')), pin);
      const returnTo = /name="returnTo" value="([^"]+)"/.exec(loginPage.body)?.[1]?.replace(/&amp;/g, '&');
      assert.match(returnTo ?? '', /^\/interaction\//, 'ELAR sends a signed-out person to the portal login');
      const page = await walk(
        b,
        await b.post('/login', { username: userName, password: PASSWORD, returnTo: returnTo! }),
        pin,
      );
      assert.equal(
        page.status,
        200,
        `ELAR sign-in started on ${NAME[start]} and finished on ${NAME[finish]}: ${page.body.slice(0, 300)}`,
      );
      assert.match(page.body, /ELAR Welcome Page/);
      assert.equal(textOf(page.body, 'data-username'), userName);
      assert.ok(
        proxy.hopsSince(mark).some((h) => h.path.startsWith('/elar/callback') && h.target === finish),
        `the callback was handled by ${NAME[finish]}`,
      );
      for (const target of [A, B])
        assert.equal((await on(target, () => b.get('/elar'))).status, 200, `ELAR session seen by ${NAME[target]}`);
      lastBrowser = b;
    }

    // Logging out of the portal tells ELAR by back-channel (through the proxy too).
    const b = lastBrowser!;
    await on(A, () => b.get('/'));
    assert.equal((await on(B, () => b.post('/logout', {}))).status, 303);
    for (const target of [A, B]) {
      // The back-channel logout is a job, sent just after the answer by whichever instance claims it.
      let res = await on(target, () => b.get('/elar'));
      for (let tries = 0; res.status === 200 && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        res = await on(target, () => b.get('/elar'));
      }
      assert.equal(res.status, 303, `ELAR session ended on ${NAME[target]}`);
      assert.match(res.location ?? '', /\/oidc\/auth\?/);
    }
    bothServed(t, 'ELAR', mark);
  });

  test('ELAR registering itself from two first starts at the same moment: both instances hold the stored secret', async () => {
    // The instances above reach this step a few round trips apart, so their registrations
    // seldom overlap; here two connections run it at the same moment, as two starts can.
    // An instance holding another secret than the stored one cannot finish an ELAR sign-in.
    const fresh = await throwawayDatabase(process.env.DATABASE_URL!, 'portal_two_elar');
    const pools = [
      await openDatabase({ databaseUrl: fresh.url, dataDir: 'memory://', poolSize: 1 }),
      await openDatabase({ databaseUrl: fresh.url, dataDir: 'memory://', poolSize: 1 }),
    ];
    try {
      await prepareDatabase(pools[A]!.db);
      // Connect the other pool first too, so neither registration waits for a connection.
      await pools[B]!.db.selectFrom('application').select('id').execute();
      const box = secretBox(SECRETS_KEY);
      const elar = {
        id: 'elar',
        redirectUris: [`${publicUrl}/elar/callback`],
        postLogoutRedirectUris: [`${publicUrl}/elar/logged-out`],
        backchannelLogoutUri: `${publicUrl}/elar/backchannel-logout`,
      };
      const clients = await Promise.all(pools.map((p) => ensureApplication(p.db, box, elar)));
      const stored = await pools[A]!.db.selectFrom('application')
        .select('client_secret_encrypted')
        .where('id', '=', 'elar')
        .executeTakeFirstOrThrow();
      for (const [i, client] of clients.entries()) {
        assert.equal(
          client.clientSecret,
          box.open(stored.client_secret_encrypted!),
          `instance ${NAME[i]} holds the stored ELAR client secret`,
        );
      }
    } finally {
      await Promise.all(pools.map((p) => p.close()));
      await fresh.drop();
    }
  });

  test('lockout: wrong passwords alternating between instances lock the account; both refuse it', async (t) => {
    const mark = proxy.mark();
    const b = browser();
    await b.get('/login');
    const key = `user:${userName}`;
    for (let n = 1; n <= LOCKOUT_THRESHOLD; n++) {
      const target = n % 2 === 1 ? A : B;
      const res = await on(target, () => b.post('/login', { username: userName, password: 'NotMyPassword1' }));
      const counter = await db()
        .selectFrom('login_throttle')
        .select(['failures', 'locked_until'])
        .where('key', '=', key)
        .executeTakeFirst();
      assert.equal(counter?.failures, n, `failure ${n} (on ${NAME[target]}) counted with the others`);
      if (n < LOCKOUT_THRESHOLD) {
        assert.equal(res.status, 422);
        assert.deepEqual(errorSummary(res.body), [LOGIN_FAILED]);
      } else {
        assert.equal(res.status, 429, `failure ${n} reaches the threshold of ${LOCKOUT_THRESHOLD}`);
        assert.equal(outcomeOf(res.body), 'locked');
        assert.ok(counter?.locked_until && counter.locked_until > new Date());
      }
    }
    for (const target of [A, B]) {
      const res = await on(target, () => b.post('/login', { username: userName, password: PASSWORD }));
      assert.equal(res.status, 429, `instance ${NAME[target]} refuses even the right password while locked`);
      assert.equal(outcomeOf(res.body), 'locked');
      assert.equal(b.cookies.has(SESSION_COOKIE), false);
    }
    bothServed(t, 'lockout', mark);
  });
});
