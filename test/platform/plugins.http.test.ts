import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { directoryFixture, type FixturePerson } from '../helpers/directory.ts';
import { type Browser, startPortal, type TestPortal } from '../helpers/portal.ts';

/**
 * Each module is a Fastify plugin. The portal's session is read by the plugins registered
 * within its hooks (the portal, the directory, the single sign-on login step, and the 404
 * page) and by nothing else: ELAR keeps its own session, so a portal sign-in shows nowhere
 * in it.
 */

let portal: TestPortal;
let browser: Browser;
let person: FixturePerson;
before(async () => {
  portal = await startPortal();
  const fx = directoryFixture(portal);
  person = await fx.person('Ines', 'Insider');
  browser = await fx.signIn(person);
});
after(() => portal.close());

const signedInAs = (body: string, userName: string) =>
  body.includes(`Log out <span class="usa-sr-only">${userName}</span>`);

test('portal and directory pages, and an unknown page, know who is signed in', async () => {
  for (const path of ['/', '/help', '/account', '/directory-administrators', '/no/such/page']) {
    const res = await browser.get(path);
    assert.ok(signedInAs(res.body, person.userName), `${path} (${res.status}) shows the signed-in person`);
  }
});

test('ELAR never reads the portal session: its pages show no portal sign-in', async () => {
  const res = await browser.get('/elar/logged-out');
  assert.equal(res.status, 200);
  assert.equal(signedInAs(res.body, person.userName), false);
});
