import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { RouteOptions } from 'fastify';
import {
  APPLICATION_FEE,
  APPLICATION_PAYABLE,
  DEFAULT_APPLICATION_SETTINGS,
  startDraft,
} from '../../src/elar/applications/index.ts';
import { can, type ElarPermission, type StaffRole } from '../../src/elar/staff.ts';
import { EventStream } from '../helpers/event-stream.ts';
import type { TestElar } from '../helpers/elar.ts';
import { Browser, startPortal, type Response } from '../helpers/portal.ts';
import { listenAhead } from '../helpers/server.ts';
import { staffScene } from './staff/scene.ts';

/**
 * ELAR's permission matrix, generated from the routes ELAR REGISTERS: every GET and POST
 * under /elar is classified by the rules below and tried by every kind of actor (signed
 * out, an educator, the owner of the thing, each staff role). What each class allows is
 * written out here, independently of the routes' code; a route no rule classifies fails
 * the test ("classify the new route"). Anything under /elar/applications/:id/ is the
 * owner's by rule, so the task-list pages added later are tried the day they are written.
 *
 * public: anyone, signed in or not. signed-in: any ELAR session (signed out: sent to sign
 * in). owner: only the person it belongs to; anyone else gets the same 404 as for an id
 * that does not exist. stream: only the person's own events (live.http.test.ts shows
 * whose), signed out a 401. A staff permission: those whose roles carry it; other people
 * get 403 with none of the thing's data.
 */
type Access = 'public' | 'signed-in' | 'owner' | 'stream' | 'any-staff-role' | ElarPermission;

const RULES: Array<[method: 'GET' | 'POST' | 'ANY', path: RegExp, access: Access]> = [
  ['GET', /^\/elar\/requirements(\/.*)?$/, 'public'],
  ['GET', /^\/elar\/callback$/, 'public'],
  ['POST', /^\/elar\/backchannel-logout$/, 'public'],
  ['GET', /^\/elar\/logged-out$/, 'public'],
  ['ANY', /^\/elar\/payments\/test-checkout\/:session$/, 'public'],
  ['POST', /^\/elar\/payments\/webhooks\/:provider$/, 'public'],
  ['GET', /^\/elar$/, 'signed-in'],
  ['POST', /^\/elar\/logout$/, 'signed-in'],
  ['POST', /^\/elar\/payments\/pay$/, 'signed-in'],
  ['ANY', /^\/elar\/applications\/new(\/[a-z-]+)?$/, 'signed-in'],
  ['ANY', /^\/elar\/renewals\/new(\/[a-z-]+)?$/, 'signed-in'],
  ['GET', /^\/elar\/applications\/events$/, 'stream'],
  ['ANY', /^\/elar\/applications\/:id(\/.*)?$/, 'owner'],
  ['GET', /^\/elar\/payments\/:id\/(return|receipt)$/, 'owner'],
  ['ANY', /^\/elar\/payments\/:id\/refund(\/requested)?$/, 'payment.manage'],
  ['GET', /^\/elar\/staff$/, 'any-staff-role'],
  ['ANY', /^\/elar\/staff\/applications(\/:id(\/actions)?)?$/, 'application.evaluate'],
];

function classify(method: 'GET' | 'POST', url: string): Access {
  const rule = RULES.find(([m, path]) => (m === 'ANY' || m === method) && path.test(url));
  assert.ok(rule, `classify the new route ${method} ${url} in test/elar/permission-matrix.test.ts`);
  return rule[2];
}

const STAFF: Record<'evaluator' | 'supervisor' | 'payments', StaffRole> = {
  evaluator: 'licensure-evaluator',
  supervisor: 'licensure-supervisor',
  payments: 'payments',
};

let elar: TestElar;
const registered: Array<{ method: 'GET' | 'POST'; url: string }> = [];
let scene: Awaited<ReturnType<typeof staffScene>>;
type Actor = 'anonymous' | 'educator' | 'stranger' | keyof typeof STAFF;
const browsers = {} as Record<Actor, Browser>;
/** The owner's things each route acts on, by parameter name. */
const owned = {} as { draft: string; application: string; payment: string };

before(async () => {
  const port = await listenAhead();
  const portal = await startPortal(
    { PUBLIC_URL: port.origin },
    {
      onRoute: (route: RouteOptions) => {
        for (const method of ['GET', 'POST'] as const)
          if ([route.method].flat().includes(method) && route.url.startsWith('/elar'))
            registered.push({ method, url: route.url });
        const others = [route.method].flat().filter((m) => !['GET', 'POST', 'HEAD'].includes(m));
        if (route.url.startsWith('/elar') && others.length > 0)
          registered.push({ method: 'GET', url: `${others.join(',')} ${route.url}` });
      },
    },
  );
  port.serve(portal.app);
  elar = {
    portal,
    origin: port.origin,
    db: (await import('../../src/elar/index.ts')).elarTables(portal.db),
    browser: (ip) => new Browser(portal.app, ip, port.origin),
    close: async () => {
      await portal.close();
      await port.close();
    },
  };
  scene = await staffScene(elar, 47);
  browsers.anonymous = elar.browser('10.47.251.1');
  for (const actor of ['educator', 'stranger', 'evaluator', 'supervisor', 'payments'] as const)
    browsers[actor] = await scene.signedIn(actor);

  const deps = { db: elar.db, settings: DEFAULT_APPLICATION_SETTINGS };
  const draft = await startDraft(deps, { sub: scene.people.educator.sub, mepid: null, email: null }, [
    { catalogCode: 'TCH-LIB-ALL', typeCode: 'INI', route: 'PREP' },
  ]);
  assert.ok(draft.ok);
  owned.draft = draft.id;
  owned.application = (await scene.application('educator')).id;
  // A paid fee of the educator's, through the test provider's checkout, for the payment routes.
  const b = browsers.educator;
  const awaiting = await scene.application('educator', { pay: false });
  await b.get(`/elar/applications/${awaiting.id}`);
  const checkout = await b.post('/elar/payments/pay', {
    kind: APPLICATION_PAYABLE,
    payable: awaiting.id,
    purpose: APPLICATION_FEE,
  });
  assert.equal(checkout.status, 303);
  const checkoutPath = new URL(checkout.location!).pathname;
  await b.get(checkoutPath);
  const back = await b.follow(
    await b.post(checkoutPath, {
      cardholderName: 'Ella Educator',
      cardNumber: '4242 4242 4242 4242',
      expiry: '04/39',
      cvc: '123',
    }),
  );
  owned.payment = /\/elar\/payments\/([0-9a-f-]{36})\/receipt/.exec(back.body)![1]!;
  // A signed-out visitor holds a real CSRF token of ELAR's pages (from a checkout page, public
  // as a provider's is), so that a refusal below is about access, not about the form.
  const unpaid = await scene.application('educator', { pay: false });
  await b.get(`/elar/applications/${unpaid.id}`);
  const open = await b.post('/elar/payments/pay', {
    kind: APPLICATION_PAYABLE,
    payable: unpaid.id,
    purpose: APPLICATION_FEE,
  });
  await browsers.anonymous.get(new URL(open.location!).pathname);
  assert.ok(browsers.anonymous.csrf, 'the signed-out visitor has a CSRF token');
});
after(() => elar.close());

/** The path with each parameter filled: the owner's things for the owner's routes, a sample otherwise. */
function fill(url: string, ids: { id: string }): string {
  return url
    .replace(':id', ids.id)
    .replace(':section', 'personal-details')
    .replace(':session', 'tcs_0000')
    .replace(':provider', 'test')
    .replace(/:[a-zA-Z]+/g, 'x');
}

async function call(actor: Actor, method: 'GET' | 'POST', path: string): Promise<Response> {
  const b = browsers[actor];
  if (method === 'GET') return b.get(path);
  // A version no page showed: an allowed POST is refused as stale or invalid, and changes nothing.
  return b.post(path, { version: '999999' });
}

const sentToSignIn = (res: Response) => res.status === 303 && /\/oidc\/auth\?/.test(res.location ?? '');
const reached = (res: Response) => ![401, 403, 404].includes(res.status) && !sentToSignIn(res);

describe('ELAR’s permission matrix, from its registered routes', () => {
  test('every route under /elar is classified', () => {
    assert.ok(registered.length > 15, 'the routes were enumerated');
    for (const { method, url } of registered) classify(method, url);
  });

  test('public routes answer anyone, signed out too', async () => {
    for (const { method, url } of registered.filter((r) => classify(r.method, r.url) === 'public')) {
      const res = await call('anonymous', method, fill(url, { id: randomUUID() }));
      assert.ok(
        reached(res) || res.status === 404,
        `${method} ${url}: ${res.status} ${res.location ?? ''} ${/data-error-code="([^"]+)"/.exec(res.body)?.[1]}`,
      );
      assert.ok(!sentToSignIn(res) && res.status !== 401 && res.status !== 403, `${method} ${url} is public`);
    }
  });

  test('signed-in routes: signed out, nothing is reached; any ELAR session reaches them', async () => {
    for (const { method, url } of registered.filter((r) => classify(r.method, r.url) === 'signed-in')) {
      if (url === '/elar/logout') continue; // reached below, last: it ends the session
      const out = await call('anonymous', method, url);
      assert.ok(out.status === 303, `${method} ${url} signed out: ${out.status}`);
      if (method === 'GET') assert.ok(sentToSignIn(out), `${method} ${url} signs a signed-out person in`);
      const res = await call('stranger', method, url);
      assert.ok(![401, 403].includes(res.status) && !sentToSignIn(res), `${method} ${url} signed in: ${res.status}`);
    }
  });

  test('owner routes: another person, staff included, gets the same 404 as for an id that does not exist', async () => {
    const owners = registered.filter((r) => classify(r.method, r.url) === 'owner');
    assert.ok(owners.some((r) => r.url === '/elar/applications/:id'));
    for (const { method, url } of owners) {
      const id = url.startsWith('/elar/payments')
        ? owned.payment
        : url.split('/').length > 4
          ? owned.draft
          : owned.application;
      const mine = fill(url, { id });
      for (const other of ['stranger', 'evaluator', 'supervisor', 'payments'] as const) {
        const res = await call(other, method, mine);
        assert.equal(res.status, 404, `${method} ${url} as ${other}`);
        assert.equal((await call(other, method, fill(url, { id: randomUUID() }))).status, 404);
      }
      const anonymous = await call('anonymous', method, mine);
      assert.ok(anonymous.status === 303, `${method} ${url} signed out: ${anonymous.status}`);
      if (method === 'GET') {
        const res = await call('educator', method, mine);
        assert.equal(res.status, 200, `${method} ${url} as its owner`);
      } else {
        const res = await call('educator', method, mine);
        assert.ok(![401, 403, 404].includes(res.status), `${method} ${url} as its owner: ${res.status}`);
      }
    }
  });

  test('the live stream: signed out a 401, signed in the person’s own stream', async () => {
    assert.ok(registered.some((r) => classify(r.method, r.url) === 'stream'));
    const out = await EventStream.open(elar.origin, null);
    assert.equal(out.status, 401);
    out.close();
    const own = await EventStream.open(elar.origin, browsers.educator);
    assert.equal(own.status, 200);
    own.close();
  });

  test('staff routes: reached by the roles whose permission they declare; everyone else 403 with none of the data', async () => {
    const staffRoutes = registered.filter((r) => {
      const access = classify(r.method, r.url);
      return access === 'any-staff-role' || access.includes('.');
    });
    assert.ok(staffRoutes.length >= 5);
    for (const { method, url } of staffRoutes) {
      const access = classify(method, url);
      const id = url.startsWith('/elar/payments') ? owned.payment : owned.application;
      const path = fill(url, { id });
      for (const actor of ['educator', 'evaluator', 'supervisor', 'payments'] as const) {
        const roles = actor === 'educator' ? [] : [STAFF[actor]];
        const allowed =
          access === 'any-staff-role' ? roles.length > 0 : can({ staffRoles: roles }, access as ElarPermission);
        const res = await call(actor, method, path);
        if (allowed) assert.ok(reached(res), `${method} ${url} as ${actor}: ${res.status}`);
        else {
          assert.equal(res.status, 403, `${method} ${url} as ${actor}`);
          assert.doesNotMatch(
            res.body,
            /data-application-reference|data-queue|\$\d+\.\d\d/,
            `${method} ${url}: no data`,
          );
        }
      }
      const anonymous = await call('anonymous', method, path);
      assert.ok(anonymous.status === 303, `${method} ${url} signed out: ${anonymous.status}`);
      assert.doesNotMatch(anonymous.body, /data-application-reference|data-queue/);
    }
  });

  test('logging out needs an ELAR session to end, and ends it', async () => {
    const out = await browsers.stranger.post('/elar/logout', {});
    assert.equal(out.status, 303);
    assert.ok(sentToSignIn(await browsers.stranger.get('/elar')));
  });
});
