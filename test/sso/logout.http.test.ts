import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { elarTables } from '../../src/elar/index.ts';
import { loggerOptions } from '../../src/platform/log.ts';
import { Browser, createProfile, logIn, startPortal, textOf, type TestPortal } from '../helpers/portal.ts';
import { freePort } from '../helpers/server.ts';

/**
 * Leaving ELAR (RP-initiated logout) and the provider's own pages, on a portal whose
 * logs are read back: a logout URL carries the whole ID token, which must never be logged.
 */
let portal: TestPortal;
let origin: string;
let person: { userName: string; mepid: string };
const lines: string[] = [];

before(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const env = { PORT: String(port), PUBLIC_URL: origin, LOG_LEVEL: 'info' };
  portal = await startPortal(env, { logger: { ...loggerOptions({ logLevel: 'info' } as never), stream: sink } });
  await portal.app.listen({ port, host: '127.0.0.1' });
  person = await createProfile(new Browser(portal.app), {
    firstName: 'Logan',
    lastName: 'Out',
    dob: ['4', '5', '1979'],
    ssn: '804-56-7890',
  });
});
after(() => portal.close());

async function signInToElar(b: Browser) {
  const login = await b.follow(await b.get('/elar'));
  const returnTo = /name="returnTo" value="([^"]+)"/.exec(login.body)![1]!.replace(/&amp;/g, '&');
  const page = await b.follow(await b.post('/login', { username: person.userName, password: 'Secret123', returnTo }));
  assert.equal(textOf(page.body, 'data-mepid'), person.mepid);
  return page;
}

describe('logs', () => {
  test('no token, code, hint or state reaches the log: a logout URL is logged with its values redacted', async () => {
    const b = new Browser(portal.app, '10.7.0.1', origin);
    await signInToElar(b);
    const { id_token: idToken } = await elarTables(portal.db)
      .selectFrom('elar.session')
      .select('id_token')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const out = await b.post('/elar/logout', {});
    assert.match(out.location!, /\/oidc\/session\/end\?.*id_token_hint=/);
    await b.follow(await b.get(out.location!));

    const log = lines.join('');
    assert.match(
      log,
      /"url":"\/oidc\/session\/end\?id_token_hint=\[redacted\]/,
      'the logout request is logged, without its token',
    );
    assert.match(
      log,
      /"url":"\/elar\/callback\?code=\[redacted\]&state=\[redacted\]/,
      'the callback is logged without its code and state',
    );
    const [, claims] = idToken.split('.');
    for (const secret of [idToken, claims!, person.mepid])
      assert.equal(log.includes(secret), false, `the log holds ${secret.slice(0, 20)}…`);
    assert.doesNotMatch(log, /[?&][a-z_]+=(?!\[redacted\])/i, 'every query value is redacted');
  });
});

/** The portal's layout: skip link, header, footer with the help desk. */
function assertLayout(body: string, what: string) {
  assert.match(body, /^<!doctype html><html lang="en">/, what);
  assert.match(body, /Skip to main content/, what);
  assert.match(body, /class="portal-header"/, what);
  assert.match(body, /<footer class="usa-footer/, what);
  assert.match(body, /1-781-338-6600/, `${what} shows the help desk`);
}

async function providerSessionsOf(userName: string) {
  const { id } = await portal.db
    .selectFrom('profile')
    .select('id')
    .where('user_name', '=', userName)
    .executeTakeFirstOrThrow();
  const rows = await portal.db.selectFrom('oidc_model').select('payload').where('model', '=', 'Session').execute();
  return rows.filter((r) => (r.payload as { accountId?: string }).accountId === id).length;
}

describe('logging out from ELAR', () => {
  test('one confirmation: ELAR\'s button, then a "You have logged out" page with the layout; portal, provider and ELAR sessions end', async () => {
    const b = new Browser(portal.app, '10.7.1.1', origin);
    await signInToElar(b);
    assert.equal((await providerSessionsOf(person.userName)) > 0, true);
    const out = await b.post('/elar/logout', {});
    assert.equal(out.status, 303);
    const ended = await b.get(out.location!);
    assert.equal(ended.status, 303, 'no second question: the ID token hint identifies the session');
    assert.equal(ended.location, `${origin}/elar/logged-out`);
    const page = await b.get(ended.location!);
    assert.equal(page.status, 200);
    assertLayout(page.body, 'the logged-out page');
    assert.match(page.body, /<h1>You have logged out<\/h1>/);
    assert.equal((await b.get('/account')).status, 303, 'the portal session is over');
    const { id } = await portal.db
      .selectFrom('profile')
      .select('id')
      .where('user_name', '=', person.userName)
      .executeTakeFirstOrThrow();
    const logouts = await portal.db
      .selectFrom('audit_event')
      .select(['actor_id', 'detail'])
      .where('type', '=', 'logout')
      .where('subject_id', '=', id)
      .where('ip', '=', '10.7.1.1')
      .execute();
    assert.deepEqual(
      logouts,
      [{ actor_id: id, detail: { application: 'elar' } }],
      'the logout is audited once, with the address it came from',
    );
    assert.equal(await providerSessionsOf(person.userName), 0, 'the provider session is over');
    const again = await b.get('/elar');
    assert.match(again.location!, /\/oidc\/auth\?/, 'ELAR needs a new sign-in');
    const auth = await b.follow(again);
    assert.match(auth.body, /action="\/login"/, 'and so does the portal');
  });

  test("an ID token from another browser's session does not log this one out without asking", async () => {
    const elar = new Browser(portal.app, '10.7.1.2', origin);
    await signInToElar(elar);
    const { id_token: otherToken } = await elarTables(portal.db)
      .selectFrom('elar.session')
      .select('id_token')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const victim = new Browser(portal.app, '10.7.1.3', origin);
    await signInToElar(victim);
    const sessions = await providerSessionsOf(person.userName);
    const asked = await victim.get(`/oidc/session/end?id_token_hint=${otherToken}`);
    assert.equal(asked.status, 200);
    assertLayout(asked.body, 'the logout question');
    assert.match(asked.body, /<h1>Log out of every application\?<\/h1>/);
    assert.equal(await providerSessionsOf(person.userName), sessions, 'nothing ended yet');
    assert.equal((await victim.get('/account')).status, 200, 'the portal session is still there');
  });
});

describe("the provider's pages", () => {
  test('the logout question, and "You have logged out" after it, have the layout', async () => {
    const b = new Browser(portal.app, '10.7.2.1', origin);
    await signInToElar(b);
    const asked = await b.get('/oidc/session/end');
    assert.equal(asked.status, 200);
    assertLayout(asked.body, 'the logout question');
    assert.match(asked.body, /<h1>Log out of every application\?<\/h1>/);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(asked.body)![1]!;
    const done = await b.post('/oidc/session/end/confirm', { xsrf, logout: 'yes' }, { csrf: false });
    assert.equal(done.status, 303);
    const page = await b.get(done.location!);
    assert.equal(page.status, 200);
    assertLayout(page.body, 'the logged-out page');
    assert.match(page.body, /<h1>You have logged out<\/h1>/);
    assert.equal((await b.get('/account')).status, 303, 'the portal session is over');
  });

  test('signed in at the portal only (no provider session): the same question in the layout, not a script-only page', async () => {
    const b = new Browser(portal.app, '10.7.2.3', origin);
    await logIn(b, person.userName, 'Secret123');
    const asked = await b.get('/oidc/session/end');
    assert.equal(asked.status, 200);
    assertLayout(asked.body, 'the logout question');
    assert.match(asked.body, /<h1>Log out of every application\?<\/h1>/);
    assert.doesNotMatch(asked.body, /<script/);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(asked.body)![1]!;
    const done = await b.post('/oidc/session/end/confirm', { xsrf, logout: 'yes' }, { csrf: false });
    assert.equal(done.status, 303);
    assertLayout((await b.get(done.location!)).body, 'the logged-out page');
    assert.equal((await b.get('/account')).status, 303, 'the portal session is over');
  });

  test('errors have the layout and plain words, not the protocol message', async () => {
    // As a browser asks for a page (the provider answers JSON to anything else).
    const page = async (url: string, payload?: string) => {
      const res = await portal.app.inject({
        method: payload === undefined ? 'GET' : 'POST',
        url,
        payload,
        headers: {
          accept: 'text/html,application/xhtml+xml',
          ...(payload === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        },
      });
      return { status: res.statusCode, body: res.body };
    };
    const cases: Array<[string, RegExp]> = [
      [
        `/oidc/auth?client_id=elar&response_type=code&scope=openid&code_challenge=abc&code_challenge_method=S256&redirect_uri=${encodeURIComponent('https://elsewhere.example/cb')}`,
        /address the portal does not know/,
      ],
      ['/oidc/auth?client_id=no-such-app&response_type=code&scope=openid', /The portal does not know this application/],
      ['/oidc/session/end?id_token_hint=not-a-token', /could not be completed/],
    ];
    for (const [url, words] of cases) {
      const res = await page(url);
      assert.equal(res.status, 400, url);
      assertLayout(res.body, url);
      assert.match(res.body, words, url);
      assert.doesNotMatch(res.body, /redirect_uri|client_id|id_token_hint|did not match/, `${url}: no protocol words`);
    }
    const expired = await page('/oidc/session/end/confirm', 'xsrf=stale&logout=yes');
    assert.equal(expired.status, 400);
    assertLayout(expired.body, 'an expired logout');
    assert.match(expired.body, /Logging out could not be completed/);
  });
});
