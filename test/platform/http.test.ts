import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { buildApp } from '../../src/app.tsx';
import { elarTables } from '../../src/elar/index.ts';
import { JobRunner } from '../../src/platform/jobs/runner.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { loggerOptions } from '../../src/platform/log.ts';
import { Browser, createProfile, identityFields, logIn, startPortal, type TestPortal } from '../helpers/portal.ts';

let portal: TestPortal;
before(async () => {
  portal = await startPortal();
});
after(() => portal.close());

describe('pages and errors', () => {
  test('home, login, help pages and the wizard start answer 200 with HTML', async () => {
    const b = new Browser(portal.app);
    for (const path of [
      '/',
      '/login',
      '/profile/new',
      '/account/recover',
      '/help',
      '/help/about',
      '/help/create',
      '/help/find',
      '/help/change',
    ]) {
      const res = await b.get(path);
      assert.equal(res.status, 200, path);
      assert.match(res.body, /^<!doctype html><html lang="en">/, path);
      assert.match(res.body, /1-781-338-6600/, `${path} shows the help desk`);
    }
  });

  test('unknown pages are a 404 page', async () => {
    const res = await new Browser(portal.app).get('/no/such/page');
    assert.equal(res.status, 404);
    assert.match(res.body, /Page not found/);
  });

  test('oversized, malformed and foreign bodies get a 4xx page, never a 500', async () => {
    const big = await portal.app.inject({
      method: 'POST',
      url: '/login',
      payload: `username=${'a'.repeat(100_000)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(big.statusCode, 413);
    const json = await portal.app.inject({
      method: 'POST',
      url: '/login',
      payload: '{"username":',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(json.statusCode, 400);
    const xml = await portal.app.inject({
      method: 'POST',
      url: '/login',
      payload: '<x/>',
      headers: { 'content-type': 'application/xml' },
    });
    assert.equal(xml.statusCode, 415);
    // With a valid CSRF token, so the malformed body reaches the form (without one, 403 would hide it).
    const b = new Browser(portal.app);
    await b.get('/profile/new');
    const cookie = [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const broken = await portal.app.inject({
      method: 'POST',
      url: '/profile/new/identity',
      payload: `_csrf=${encodeURIComponent(b.csrf)}&%%%&&&==`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(broken.statusCode, 422);
    assert.match(broken.body, /There is a problem/, 'the form again, with what to fix');
  });

  test('security headers: CSP without unsafe-inline, no framing, referrer policy, no-store on pages', async () => {
    const res = await new Browser(portal.app).get('/login');
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    // ASVS 5.0 3.4.3: the global policy must include both.
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /base-uri 'none'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'same-origin');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['strict-transport-security'], undefined, 'no HSTS over plain http');
  });

  test('over https: __Host- cookies that are Secure, HttpOnly and SameSite, and HSTS', async () => {
    const secure = await startPortal({ PUBLIC_URL: 'https://portal.example.gov' });
    try {
      const res = await secure.app.inject({ method: 'GET', url: '/login' });
      assert.match(String(res.headers['strict-transport-security']), /max-age=31536000/);
      const cookies = res.cookies as Array<{
        name: string;
        secure?: boolean;
        httpOnly?: boolean;
        sameSite?: string;
        path?: string;
      }>;
      assert.ok(cookies.length > 0);
      for (const c of cookies) {
        assert.ok(c.name.startsWith('__Host-'), c.name);
        assert.equal(c.secure, true);
        assert.equal(c.httpOnly, true);
        assert.equal(c.sameSite, 'Lax');
        assert.equal(c.path, '/');
      }
    } finally {
      await secure.close();
    }
  });

  test('form posts are rate limited per address with a 429 page', async () => {
    const limited = await startPortal({ RATE_LIMIT_POSTS_PER_MINUTE: '3' });
    try {
      const b = new Browser(limited.app, '192.0.2.200');
      await b.get('/login');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await b.post('/login', { username: 'x', password: 'y' })).status);
      assert.deepEqual(statuses, [422, 422, 422, 429]);
      assert.equal(
        (await new Browser(limited.app, '192.0.2.201').submit('/login', '/login', { username: 'x', password: 'y' }))
          .status,
        422,
        'another address is not limited',
      );
    } finally {
      await limited.close();
    }
  });

  test('/healthz answers 200 when ready and 503 when not', async () => {
    assert.equal((await portal.app.inject({ url: '/healthz' })).statusCode, 200);
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const starting = await buildApp({
      config,
      db: portal.db,
      ssnKey: portal.ssnKey,
      secretsKey: portal.secretsKey,
      jobs: new JobRunner(portal.db),
      elarJobs: new JobRunner(elarTables(portal.db)),
      events: portal.events,
      isReady: () => false,
    });
    assert.equal((await starting.inject({ url: '/healthz' })).statusCode, 503);
    await starting.close();
  });

  test('USWDS is served from node_modules', async () => {
    const css = await portal.app.inject({ url: '/assets/uswds/css/uswds.min.css' });
    assert.equal(css.statusCode, 200);
    assert.match(String(css.headers['content-type']), /text\/css/);
  });

  test('a NUL byte in a form, a query or a path is a 400 page, never a 500', async () => {
    const b = new Browser(portal.app);
    await b.get('/login');
    assert.equal((await b.post('/login', { username: '\u0000\u0007\u001b', password: 'x' })).status, 400);
    for (const url of [
      '/directory-administrators?q=%00',
      '/directory-administrators?q=a%00b',
      '/login?returnTo=%2F%00',
      '/interaction/%00',
    ]) {
      const res = await portal.app.inject({ url });
      assert.equal(res.statusCode, 400, url);
    }
  });

  test('asset paths cannot climb out of their folders', async () => {
    for (const url of [
      '/assets/../package.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/uswds/..%2f..%2f..%2fpackage.json',
    ]) {
      const res = await portal.app.inject({ url });
      assert.ok(res.statusCode === 403 || res.statusCode === 404, `${url}: ${res.statusCode}`);
      assert.doesNotMatch(res.body, /"name": "educator-portal"/, url);
    }
  });

  test('no cross-origin reads of pages; only the public discovery document and keys are open to any origin', async () => {
    const cors = async (url: string) => {
      const res = await portal.app.inject({ url, headers: { origin: 'https://evil.example' } });
      assert.equal(res.headers['access-control-allow-credentials'], undefined, url);
      return res.headers['access-control-allow-origin'];
    };
    for (const url of ['/account', '/login', '/directory', '/elar']) assert.equal(await cors(url), undefined, url);
    // Public by design, without credentials (ASVS 3.4.2 allows any origin for content
    // with nothing sensitive); oidc-provider echoes the origin rather than sending '*'.
    for (const url of ['/.well-known/openid-configuration', '/oidc/jwks'])
      assert.equal(await cors(url), 'https://evil.example', url);
  });
});

describe('P10 audit trail', () => {
  test('security events are recorded with who, what, when and from where', async () => {
    const { userName } = await createProfile(new Browser(portal.app, '192.0.2.1'), {
      firstName: 'Audra',
      lastName: 'Trail',
      dob: ['5', '5', '1975'],
      ssn: '611-22-3333',
    });
    await logIn(new Browser(portal.app, '192.0.2.2'), userName, 'Secret123');
    await logIn(new Browser(portal.app, '192.0.2.3'), userName, 'WrongOne1');
    const events = await portal.db.selectFrom('audit_event').selectAll().orderBy('id').execute();
    const types = events.map((e) => e.type);
    for (const t of ['match.none', 'profile.created', 'login.succeeded', 'login.failed'])
      assert.ok(types.includes(t), t);
    const ok = events.find((e) => e.type === 'login.succeeded')!;
    assert.equal(ok.ip, '192.0.2.2');
    assert.ok(ok.subject_id && ok.at instanceof Date);
  });

  test('the table is append-only: the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    await assert.rejects(sql`UPDATE audit_event SET type = 'x'`.execute(portal.db), /append-only/);
    await assert.rejects(sql`DELETE FROM audit_event`.execute(portal.db), /append-only/);
    await assert.rejects(sql`TRUNCATE audit_event`.execute(portal.db), /append-only/);
  });
});

describe('logs', () => {
  test('a whole profile creation and login log no SSN, password or hint answer', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'trace' });
    const app = await buildApp({
      config,
      db: portal.db,
      ssnKey: portal.ssnKey,
      secretsKey: portal.secretsKey,
      jobs: new JobRunner(portal.db),
      elarJobs: new JobRunner(elarTables(portal.db)),
      events: portal.events,
      logger: { ...loggerOptions(config), stream: sink },
    });
    try {
      const person = {
        firstName: 'Logan',
        lastName: 'Quiet',
        dob: ['6', '6', '1966'] as [string, string, string],
        ssn: '622-33-4444',
      };
      const { userName } = await createProfile(new Browser(app), person, {
        hintQuestion: 'Q?',
        hintAnswer: 'SecretAnswer',
        password: 'Pass4Logs',
      });
      await logIn(new Browser(app), userName, 'Pass4Logs');
      await new Browser(app).submit('/account/recover', '/account/recover/identity', identityFields(person));
      const log = lines.join('');
      assert.ok(lines.length > 10, 'requests were logged');
      for (const secret of ['622334444', '622-33-4444', 'Pass4Logs', 'SecretAnswer', 'portal_session=']) {
        assert.ok(!log.includes(secret), `log contains ${secret}`);
      }
    } finally {
      await app.close();
    }
  });
});
