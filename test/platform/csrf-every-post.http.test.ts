import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RouteOptions } from 'fastify';
import { errors } from '../../src/platform/errors.ts';
import { directoryFixture, type FixturePerson } from '../helpers/directory.ts';
import { type Browser, startPortal, type TestPortal } from '../helpers/portal.ts';

/**
 * Issue 14: every registered POST route refuses a form without its CSRF token, even from a
 * valid session, and does nothing. The list comes from the routes the app registers
 * (onRoute), so a new form route is covered the day it is added, and turning CSRF off on
 * any one route fails here. Only these are exempt, each for its reason:
 */
const EXEMPT: Record<string, string> = {
  'POST /elar/backchannel-logout':
    'server to server: the provider posts a signed logout token, verified instead of a CSRF token',
  'POST /elar/payments/webhooks/:provider':
    'server to server: the payment provider posts a callback signed over its raw body (HMAC, or Stripe-Signature), verified instead of a CSRF token',
  'POST /oidc/*':
    'OpenID Connect protocol endpoints (token, revocation, introspection, end-session confirmation): clients authenticate with their secret and PKCE, and the provider checks its own xsrf token on its logout form',
};

let portal: TestPortal;
const posts: string[] = [];
let browser: Browser;
let person: FixturePerson;
let schoolCode = '';

before(async () => {
  portal = await startPortal(
    {},
    {
      onRoute: (route: RouteOptions) => {
        if ([route.method].flat().includes('POST')) posts.push(route.url);
      },
    },
  );
  const fx = directoryFixture(portal);
  const { school } = await fx.districtWithSchool();
  schoolCode = school.code;
  person = await fx.person('Tess', 'Teacher');
  await fx.addStaff(school, person);
  browser = await fx.signIn(await fx.person('Dora', 'Dept', { departmentRoles: ['console-admin'] }));
});
after(() => portal.close());

/** Real values for the path's parameters, so that only the missing token can be the reason. */
function fill(url: string): string {
  return url.replace(':code', schoolCode).replace(/:(id|profileId)/g, person.id);
}

test('every registered POST route refuses a form without a CSRF token from a signed-in browser, and changes nothing', async () => {
  const checked = posts.filter((url) => !(`POST ${url}` in EXEMPT));
  // The collector sees the app's routes (a broken collector would make this test vacuous).
  for (const known of [
    '/login',
    '/logout',
    '/account/password',
    '/profile/new/review',
    '/directory/people/:id/reset-password',
    '/directory/organizations/:code/administrators/:profileId/revoke',
  ]) {
    assert.ok(checked.includes(known), `${known} was collected`);
  }
  assert.deepEqual(
    Object.keys(EXEMPT).filter((r) => !posts.includes(r.slice('POST '.length))),
    [],
    'exempt entries that are not registered routes',
  );
  const events = async () =>
    Number(
      (
        await portal.db
          .selectFrom('audit_event')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const before = await events();
  const failures: string[] = [];
  for (const url of checked) {
    // The fields a real form would carry, but no _csrf.
    const res = await browser.post(
      fill(url),
      {
        username: person.userName,
        password: 'Secret123',
        organization: schoolCode,
        application: 'sims',
        role: 'user',
        applicationRole: 'sims:user',
      },
      { csrf: false },
    );
    if (res.status !== 403 || !res.body.includes(escape(errors.csrf().message)))
      failures.push(`POST ${url}: ${res.status}`);
  }
  assert.deepEqual(failures, []);
  assert.equal(await events(), before, 'nothing was audited, so nothing was done');
  assert.equal(
    (await browser.get('/account')).status,
    200,
    'the session is still there (logout without a token did not log out)',
  );
});

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&quot;');
}
