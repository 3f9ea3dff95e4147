import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { loggerOptions } from '../../src/platform/log.ts';
import { Browser, createProfile, startPortal, textOf, type TestPortal } from '../helpers/portal.ts';
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
  person = await createProfile(new Browser(portal.app), { firstName: 'Logan', lastName: 'Out', dob: ['4', '5', '1979'], ssn: '904-56-7890' });
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
    const { id_token: idToken } = await portal.db.selectFrom('elar_session').select('id_token').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    const out = await b.post('/elar/logout', {});
    assert.match(out.location!, /\/oidc\/session\/end\?.*id_token_hint=/);
    await b.follow(await b.get(out.location!));

    const log = lines.join('');
    assert.match(log, /"url":"\/oidc\/session\/end\?id_token_hint=\[redacted\]/, 'the logout request is logged, without its token');
    assert.match(log, /"url":"\/elar\/callback\?code=\[redacted\]&state=\[redacted\]/, 'the callback is logged without its code and state');
    const [, claims] = idToken.split('.');
    for (const secret of [idToken, claims!, person.mepid]) assert.equal(log.includes(secret), false, `the log holds ${secret.slice(0, 20)}…`);
    assert.doesNotMatch(log, /[?&][a-z_]+=(?!\[redacted\])/i, 'every query value is redacted');
  });
});
