import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { RouteOptions } from 'fastify';
import { addMember, undesignate } from '../../src/directory/repository.ts';
import { designateAdministrator, registerApplication } from '../../src/directory/service.ts';
import type { Organization } from '../../src/platform/db.ts';
import { secretBox } from '../../src/platform/secrets.ts';
import { directoryFixture, type DirectoryFixture, type FixturePerson } from '../helpers/directory.ts';
import { Browser, startPortal, type Response, type TestPortal } from '../helpers/portal.ts';

/**
 * The permission matrix (issues 3, 11, 14), generated from the routes the app REGISTERS:
 * every route is either in the named list of public and self-service routes below or in
 * the matrix, or this test fails. Each administrative route is tried by every kind of actor
 * (anonymous with a real CSRF token, educator, Directory Administrator of school A, of
 * school B, of A's district, and each department role: console-admin, help-desk and the
 * licensure roles) on side A and side B, and where a person is acted
 * on, on five kinds of target: a plain educator, an administrator of the same school, one of
 * the parent district, one of another district, and department staff.
 *
 * allow: the route did its work (200, 303 to a result, 400/409/422 for the deliberately
 * empty form); deny: 403/404 with none of the other side's data; beyond: 403 saying the
 * person's powers are beyond the actor's; login: a redirect to log in.
 */

let portal: TestPortal;
let fx: DirectoryFixture;
const registered: string[] = [];

/** Routes anyone, or a signed-in person for themselves, may use; each with why it is not administrative. */
const PUBLIC_OR_SELF_SERVICE: Record<string, string> = {
  'GET /assets/uswds/*': 'static files',
  'GET /assets/*': 'static files',
  'GET /healthz': 'readiness probe',
  'GET /': 'portal home: the signed-in person’s own applications',
  'GET /login': 'login',
  'POST /login': 'login',
  'POST /logout': 'logout of one’s own session',
  'GET /account': 'one’s own profile',
  'GET /account/password': 'one’s own password',
  'POST /account/password': 'one’s own password',
  'GET /account/password/done': 'one’s own password',
  'POST /account/sessions/end': 'one’s own sessions',
  'POST /account/memberships/:organizationId/confirm': 'one’s own staff memberships',
  'POST /account/memberships/:organizationId/decline': 'one’s own staff memberships',
  'GET /profile/new': 'Create Profile wizard (public)',
  'GET /profile/new/identity': 'Create Profile wizard (public)',
  'GET /account/recover/identity': 'Retrieve User Name / Reset Password (public)',
  'GET /account/recover/partial-match': 'Retrieve User Name / Reset Password (public)',
  'GET /account/recover/exact-match': 'Retrieve User Name / Reset Password (public)',
  'GET /help/directory-administrator': 'help (public)',
  'GET /privacy': 'privacy policy (public)',
  'GET /accessibility': 'accessibility statement (public)',
  'POST /profile/new/identity': 'Create Profile wizard (public)',
  'GET /profile/new/contact': 'Create Profile wizard (public)',
  'POST /profile/new/contact': 'Create Profile wizard (public)',
  'GET /profile/new/background': 'Create Profile wizard (public)',
  'POST /profile/new/background': 'Create Profile wizard (public)',
  'GET /profile/new/security': 'Create Profile wizard (public)',
  'POST /profile/new/security': 'Create Profile wizard (public)',
  'GET /profile/new/review': 'Create Profile wizard (public)',
  'POST /profile/new/review': 'Create Profile wizard (public)',
  'GET /profile/new/done': 'Create Profile wizard (public)',
  'GET /profile/new/partial-match': 'Create Profile wizard (public)',
  'GET /profile/new/exact-match': 'Create Profile wizard (public)',
  'GET /account/recover': 'Retrieve User Name / Reset Password (public)',
  'POST /account/recover/identity': 'Retrieve User Name / Reset Password (public)',
  'GET /account/recover/hint': 'Retrieve User Name / Reset Password (public)',
  'POST /account/recover/hint': 'Retrieve User Name / Reset Password (public)',
  'GET /account/recover/password': 'Retrieve User Name / Reset Password (public)',
  'POST /account/recover/password': 'Retrieve User Name / Reset Password (public)',
  'GET /account/recover/done': 'Retrieve User Name / Reset Password (public)',
  'GET /help': 'help (public)',
  'GET /help/about': 'help (public)',
  'GET /help/create': 'help (public)',
  'GET /help/find': 'help (public)',
  'GET /help/change': 'help (public)',
  'GET /elar': 'ELAR, a relying party with its own session and tests',
  'GET /elar/callback': 'ELAR, a relying party with its own session and tests',
  'GET /elar/logged-out': 'ELAR, a relying party with its own session and tests',
  'POST /elar/backchannel-logout': 'ELAR, a relying party with its own session and tests',
  'POST /elar/logout': 'ELAR, a relying party with its own session and tests',
  'GET /directory-administrators': 'public list of Directory Administrators (D4)',
  'GET /oidc/*': 'OpenID Connect protocol (test/sso)',
  'POST /oidc/*': 'OpenID Connect protocol (test/sso)',
  'GET /.well-known/openid-configuration': 'OpenID Connect discovery',
  'GET /interaction/:uid': 'single sign-on login step (test/sso)',
};

type Side = 'A' | 'B';
/** `department` holds console-admin; the others hold the one department role they are named for. */
type Actor = 'anonymous' | 'educator' | 'adminA' | 'adminB' | 'districtA' | 'department' | 'helpDesk' | 'evaluator' | 'supervisor' | 'payments';
type Target = 'educator' | 'sameOrgAdmin' | 'parentDistrictAdmin' | 'otherDistrictAdmin' | 'departmentStaff';
type Outcome = 'allow' | 'deny' | 'beyond' | 'login';
const ACTORS: Actor[] = ['anonymous', 'educator', 'adminA', 'adminB', 'districtA', 'department', 'helpDesk', 'evaluator', 'supervisor', 'payments'];
const TARGETS: Target[] = ['educator', 'sameOrgAdmin', 'parentDistrictAdmin', 'otherDistrictAdmin', 'departmentStaff'];

const orgs = {} as Record<'districtA' | 'schoolA' | 'districtB' | 'schoolB' | 'districtC', Organization>;
const actors = {} as Record<Exclude<Actor, 'anonymous'>, FixturePerson>;
const targets = {} as Record<Side, Record<Target, FixturePerson>>;
const browsers = {} as Record<Actor, Browser>;
let conflictId = '';

const school = (side: Side) => (side === 'A' ? orgs.schoolA : orgs.schoolB);
const districtOf = (side: Side) => (side === 'A' ? orgs.districtA : orgs.districtB);

before(async () => {
  portal = await startPortal({}, {
    onRoute: (route: RouteOptions) => {
      for (const method of [route.method].flat()) if (method === 'GET' || method === 'POST') registered.push(`${method} ${route.url}`);
    },
  });
  fx = directoryFixture(portal);
  const a = await fx.districtWithSchool('Alpha');
  const b = await fx.districtWithSchool('Beta');
  const c = await fx.districtWithSchool('Gamma');
  Object.assign(orgs, { districtA: a.district, schoolA: a.school, districtB: b.district, schoolB: b.school, districtC: c.district });

  actors.department = await fx.person('Dana', 'Department', { departmentRoles: ['console-admin'] });
  actors.helpDesk = await fx.person('Hal', 'Helpdesk', { departmentRoles: ['help-desk'] });
  actors.evaluator = await fx.person('Eva', 'Evaluator', { departmentRoles: ['licensure-evaluator'] });
  actors.supervisor = await fx.person('Sue', 'Supervisor', { departmentRoles: ['licensure-supervisor'] });
  actors.payments = await fx.person('Pam', 'Payments', { departmentRoles: ['payments'] });
  actors.educator = await fx.person('Eddie', 'Educator');
  actors.adminA = await fx.person('Ann', 'Schooladmin');
  actors.adminB = await fx.person('Bob', 'Schooladmin');
  actors.districtA = await fx.person('Dee', 'Districtadmin');
  await fx.designate(orgs.schoolA, actors.adminA);
  await fx.designate(orgs.schoolB, actors.adminB);
  await fx.designate(orgs.districtA, actors.districtA);

  // Every target is on the staff of its side's school, so only their powers differ.
  for (const side of ['A', 'B'] as Side[]) {
    const t = {
      educator: await fx.person('Sam', `Staff${side}`),
      sameOrgAdmin: await fx.person('Cora', `Coadmin${side}`),
      parentDistrictAdmin: await fx.person('Pat', `Parentadmin${side}`),
      otherDistrictAdmin: await fx.person('Otto', `Otheradmin${side}`),
      departmentStaff: await fx.person('Dov', `Deptstaff${side}`, { departmentRoles: ['console-admin'] }),
    };
    for (const person of Object.values(t)) await fx.addStaff(school(side), person);
    await fx.designate(school(side), t.sameOrgAdmin);
    await fx.designate(districtOf(side), t.parentDistrictAdmin);
    await fx.designate(orgs.districtC, t.otherDistrictAdmin);
    targets[side] = t;
  }

  const conflict = await portal.db
    .insertInto('match_conflict')
    .values({ profile_id: targets.B.educator.id, conflicting_fields: ['ssn'], submitted: JSON.stringify({ firstName: 'Sam' }) })
    .returning('id')
    .executeTakeFirstOrThrow();
  conflictId = conflict.id;
  await registerApplication(portal.db, secretBox(portal.secretsKey), {
    id: 'matrix-app',
    name: 'Matrix app',
    redirectUris: ['https://matrix.example.gov/cb'],
    restricted: true,
    roles: [],
    postLogoutRedirectUris: [],
    backchannelLogoutUri: null,
    launchUrl: null,
  }, null);
  for (const key of Object.keys(actors) as Array<keyof typeof actors>) browsers[key] = await fx.signIn(actors[key]);
  // Signed out, but with a real CSRF token: a refusal can only come from authorization.
  browsers.anonymous = new Browser(portal.app, '10.2.0.1');
  await browsers.anonymous.get('/profile/new');
  assert.notEqual(browsers.anonymous.csrf, '');
});
after(() => portal.close());

interface Route {
  method: 'GET' | 'POST';
  /** As registered (the matrix is checked against the app's own list). */
  url: string;
  name: string;
  path: (side: Side, target: FixturePerson) => string;
  body?: (side: Side, target: FixturePerson) => Record<string, string>;
  /** Not tied to an organization: tried once (side A), and by department staff only. */
  departmentOnly?: boolean;
  /** Any Directory Administrator's own workspace (lists only their organizations). */
  anyAdministrator?: boolean;
  /** Only a district's administrator designates (for its schools). */
  designate?: boolean;
  /** Only for a Directory Administrator designated at that very organization. */
  ownDesignation?: boolean;
  /** The help desk's part: on the system, or (with targets) on a person, only one without powers. */
  helpDesk?: boolean;
  /** Only takes away what the organization gave (a role, a staff membership): allowed whatever the person's powers elsewhere. */
  takesAway?: boolean;
  /** Acts on a person: refused, with a reason, when their powers exceed the actor's. Lists the targets tried (all by default). */
  targets?: Target[];
  /** Puts back what an allowed request changed, so every combination starts alike. */
  undo?: (side: Side, target: FixturePerson, res: Response) => Promise<void>;
}

const person = (path: string) => (_side: Side, t: FixturePerson) => `/directory/people/${t.id}${path}`;
const identity = (t: FixturePerson) => ({ firstName: t.firstName, lastName: t.lastName, dobMonth: t.dob[0], dobDay: t.dob[1], dobYear: t.dob[2], ssn: t.ssn, email: '' });

const ROUTES: Route[] = [
  { method: 'GET', url: '/directory', name: 'directory home', path: () => '/directory', anyAdministrator: true, helpDesk: true },
  { method: 'GET', url: '/directory/organizations', name: 'organization list', path: () => '/directory/organizations', anyAdministrator: true },
  { method: 'GET', url: '/directory/organizations/:code', name: 'organization page', path: (s) => `/directory/organizations/${school(s).code}` },
  { method: 'GET', url: '/directory/organizations/:code/staff/new', name: 'add staff form', path: (s) => `/directory/organizations/${school(s).code}/staff/new` },
  {
    method: 'POST',
    url: '/directory/organizations/:code/staff/new',
    name: 'add staff',
    path: (s) => `/directory/organizations/${school(s).code}/staff/new`,
    body: (_s, t) => identity(t),
    targets: TARGETS,
  },
  {
    method: 'POST',
    url: '/directory/organizations/:code/staff/:profileId/remove',
    name: 'remove staff',
    path: (s, t) => `/directory/organizations/${school(s).code}/staff/${t.id}/remove`,
    targets: TARGETS,
    takesAway: true,
    undo: async (s, t, res) => {
      if (res.status === 303) await addMember(portal.db, school(s).id, t.id, null);
    },
  },
  { method: 'GET', url: '/directory/organizations/:code/administrators/new', name: 'designate form', path: (s) => `/directory/organizations/${school(s).code}/administrators/new`, designate: true },
  {
    method: 'POST',
    url: '/directory/organizations/:code/administrators/new',
    name: 'designate',
    path: (s) => `/directory/organizations/${school(s).code}/administrators/new`,
    body: (_s, t) => ({ profileId: t.id, email: '', phone: '' }),
    designate: true,
    targets: TARGETS,
    undo: async (s, t, res) => {
      if (res.status === 303 && t !== targets[s].sameOrgAdmin) await undesignate(portal.db, school(s).id, t.id);
    },
  },
  {
    method: 'POST',
    url: '/directory/organizations/:code/administrators/:profileId/revoke',
    name: 'revoke designation',
    path: (s, t) => `/directory/organizations/${school(s).code}/administrators/${t.id}/revoke`,
    designate: true,
    targets: ['sameOrgAdmin'],
    undo: async (s, t, res) => {
      if (res.status === 303) await designateAdministrator(portal.db, null, school(s), await t.profile(), { email: null, phone: null }, null);
    },
  },
  { method: 'GET', url: '/directory/organizations/:code/administrators/me', name: 'own contacts form', path: (s) => `/directory/organizations/${school(s).code}/administrators/me`, ownDesignation: true },
  { method: 'POST', url: '/directory/organizations/:code/administrators/me', name: 'own contacts', path: (s) => `/directory/organizations/${school(s).code}/administrators/me`, ownDesignation: true },
  // Reading the person page is not power over them: it opens, and says why nothing can be done.
  { method: 'GET', url: '/directory/people/:id', name: 'person page', path: person(''), targets: [], helpDesk: true },
  { method: 'POST', url: '/directory/people/:id/roles', name: 'grant role', path: person('/roles'), targets: TARGETS },
  // Taking away what one's own organization gave is not power over the person (F5, F7): never 'beyond'.
  { method: 'POST', url: '/directory/people/:id/roles/revoke', name: 'revoke role', path: person('/roles/revoke'), targets: TARGETS, takesAway: true },
  { method: 'POST', url: '/directory/people/:id/unlock', name: 'unlock', path: person('/unlock'), targets: TARGETS, helpDesk: true },
  { method: 'GET', url: '/directory/people/:id/fix', name: 'fix data form', path: person('/fix'), targets: TARGETS, helpDesk: true },
  { method: 'POST', url: '/directory/people/:id/fix', name: 'fix data', path: person('/fix'), targets: TARGETS, helpDesk: true },
  { method: 'GET', url: '/directory/people/:id/reset-password', name: 'reset password confirm', path: person('/reset-password'), targets: TARGETS, helpDesk: true },
  { method: 'GET', url: '/directory/people/:id/sessions/end', name: 'sign out everywhere confirm', path: person('/sessions/end'), targets: TARGETS, helpDesk: true },
  { method: 'POST', url: '/directory/people/:id/reset-password', name: 'reset password', path: person('/reset-password'), targets: TARGETS, helpDesk: true },
  { method: 'POST', url: '/directory/people/:id/sessions/end', name: 'sign out everywhere', path: person('/sessions/end'), targets: TARGETS, helpDesk: true },
  { method: 'GET', url: '/directory/people', name: 'people search', path: () => '/directory/people?q=Staff', departmentOnly: true, helpDesk: true },
  { method: 'GET', url: '/directory/conflicts', name: 'conflicts', path: () => '/directory/conflicts', anyAdministrator: true, helpDesk: true },
  { method: 'GET', url: '/directory/conflicts/:id/resolve', name: 'close conflict form', path: () => `/directory/conflicts/${conflictId}/resolve`, departmentOnly: true, helpDesk: true },
  { method: 'POST', url: '/directory/conflicts/:id/resolve', name: 'resolve conflict', path: () => `/directory/conflicts/${conflictId}/resolve`, departmentOnly: true, helpDesk: true },
  { method: 'GET', url: '/directory/audit', name: 'audit log', path: () => '/directory/audit', departmentOnly: true },
  { method: 'GET', url: '/directory/applications', name: 'applications', path: () => '/directory/applications', departmentOnly: true },
  { method: 'GET', url: '/directory/applications/:id', name: 'application page', path: () => '/directory/applications/sims', departmentOnly: true },
  { method: 'GET', url: '/directory/applications/:id/edit', name: 'edit application form', path: () => '/directory/applications/sims/edit', departmentOnly: true },
  { method: 'POST', url: '/directory/applications/:id/edit', name: 'edit application', path: () => '/directory/applications/sims/edit', departmentOnly: true },
  { method: 'GET', url: '/directory/applications/new', name: 'register application form', path: () => '/directory/applications/new', departmentOnly: true },
  { method: 'POST', url: '/directory/applications/new', name: 'register application', path: () => '/directory/applications/new', departmentOnly: true },
  { method: 'POST', url: '/directory/applications/:id/secret', name: 'new client secret', path: () => '/directory/applications/matrix-app/secret', departmentOnly: true },
  { method: 'GET', url: '/directory/organizations/new', name: 'add organization form', path: () => '/directory/organizations/new', departmentOnly: true },
  { method: 'POST', url: '/directory/organizations/new', name: 'add organization', path: () => '/directory/organizations/new', departmentOnly: true },
  // An organization's own Directory Administrator cannot change its details either.
  { method: 'GET', url: '/directory/organizations/:code/edit', name: 'edit organization form', path: (s) => `/directory/organizations/${school(s).code}/edit`, departmentOnly: true },
  { method: 'POST', url: '/directory/organizations/:code/edit', name: 'edit organization', path: (s) => `/directory/organizations/${school(s).code}/edit`, departmentOnly: true },
  { method: 'GET', url: '/directory/department-roles', name: 'department roles', path: () => '/directory/department-roles', departmentOnly: true },
  { method: 'POST', url: '/directory/department-roles', name: 'grant department role', path: () => '/directory/department-roles', departmentOnly: true },
  { method: 'POST', url: '/directory/department-roles/revoke', name: 'revoke department role', path: () => '/directory/department-roles/revoke', departmentOnly: true },
];

/** Counted from ROUTES, so a combination silently skipped is noticed. */
const EXPECTED_REQUESTS_PER_ACTOR = ROUTES.reduce((n, r) => n + (r.departmentOnly || r.anyAdministrator ? 1 : 2) * (r.targets?.length || 1), 0);

const REACHES: Partial<Record<Actor, Side>> = { adminA: 'A', adminB: 'B', districtA: 'A' };

/** What the rule says, written out independently of src/directory/policy.ts. */
function expected(actor: Actor, route: Route, side: Side, target: Target | null): Outcome {
  if (actor === 'anonymous') return 'login';
  if (route.ownDesignation) return REACHES[actor] === side && actor !== 'districtA' ? 'allow' : 'deny';
  if (actor === 'department') return 'allow';
  // The help desk serves people without powers: the side's plain educator, not the others.
  if (actor === 'helpDesk' && route.helpDesk) return target === null || target === 'educator' ? 'allow' : 'beyond';
  if (route.departmentOnly) return 'deny';
  if (route.anyAdministrator) return actor in REACHES ? 'allow' : 'deny';
  if (REACHES[actor] !== side) return 'deny';
  if (route.designate && actor !== 'districtA') return 'deny';
  if (target === null || route.takesAway) return 'allow';
  const beyond =
    target === 'departmentStaff' || target === 'otherDistrictAdmin' || (target === 'parentDistrictAdmin' && actor !== 'districtA');
  return beyond ? 'beyond' : 'allow';
}

function outcome(res: Response): string {
  if (res.status === 403) return /has powers beyond yours/.test(res.body) ? 'beyond' : 'deny';
  if (res.status === 404) return 'deny';
  if (res.status === 303 && res.location?.startsWith('/login')) return 'login';
  if ([200, 303, 400, 409, 422].includes(res.status)) return 'allow';
  return `status ${res.status}`;
}

test('every registered route is either public/self-service (named) or in the matrix, and the matrix names only registered routes', () => {
  const inMatrix = new Set(ROUTES.map((r) => `${r.method} ${r.url}`));
  const unlisted = registered.filter((r) => !(r in PUBLIC_OR_SELF_SERVICE) && !inMatrix.has(r));
  assert.deepEqual(unlisted, [], 'administrative routes missing from the matrix');
  assert.deepEqual([...inMatrix].filter((r) => !registered.includes(r)), [], 'matrix entries that are not registered routes');
  assert.deepEqual(Object.keys(PUBLIC_OR_SELF_SERVICE).filter((r) => !registered.includes(r)), [], 'public entries that are not registered routes');
  assert.deepEqual(registered.filter((r) => r.startsWith('GET /directory/') || r.startsWith('POST /directory/') || r === 'GET /directory').filter((r) => !inMatrix.has(r)), []);
});

describe('permission matrix: route × actor × own/other organization × target', () => {
  for (const actor of ACTORS) {
    test(actor, async () => {
      const failures: string[] = [];
      let tried = 0;
      for (const route of ROUTES) {
        for (const side of route.departmentOnly || route.anyAdministrator ? (['A'] as Side[]) : (['A', 'B'] as Side[])) {
          const kinds: Array<Target | null> = route.targets?.length ? route.targets : [null];
          for (const kind of kinds) {
            // Without a target dimension, the side's plain educator stands for its data.
            const target = targets[side][kind ?? 'educator'];
            const b = browsers[actor];
            const url = route.path(side, target);
            const res = route.method === 'GET' ? await b.get(url) : await b.post(url, route.body?.(side, target) ?? {});
            tried += 1;
            const want = expected(actor, route, side, kind);
            const got = outcome(res);
            const label = `${route.method} ${url} (${route.name}${kind ? `, target ${kind}` : ''})`;
            if (got !== want) failures.push(`${label}: expected ${want}, got ${got} (${res.status})`);
            if (want !== 'allow') {
              for (const secret of [target.userName, target.mepid]) if (res.body.includes(secret)) failures.push(`${label} leaked ${secret} to ${actor}`);
            }
            if (route.anyAdministrator && want === 'allow') {
              const hidden = actor === 'adminB' ? ['Alpha'] : actor === 'department' || actor === 'helpDesk' ? [] : ['Beta', 'Gamma'];
              for (const name of hidden) if (res.body.includes(name)) failures.push(`${label} shows ${name} organizations to ${actor}`);
            }
            await route.undo?.(side, target, res);
          }
        }
      }
      assert.equal(tried, EXPECTED_REQUESTS_PER_ACTOR);
      assert.deepEqual(failures, []);
    });
  }
});

describe('object ids cannot reach other organizations', () => {
  test("adminA cannot grant a role to B's staff by naming A's organization", async () => {
    const b = browsers.adminA;
    const res = await b.post(`/directory/people/${targets.B.educator.id}/roles`, { organization: orgs.schoolA.code, applicationRole: 'sims:user' });
    assert.equal(res.status, 403);
    const grants = await portal.db.selectFrom('role_grant').selectAll().where('profile_id', '=', targets.B.educator.id).execute();
    assert.equal(grants.length, 0);
  });

  test('a district administrator cannot grant roles in an organization the person does not belong to', async () => {
    const b = browsers.districtA;
    const res = await b.post(`/directory/people/${targets.A.educator.id}/roles`, { organization: orgs.schoolB.code, applicationRole: 'sims:user' });
    assert.equal(res.status, 422);
    const grants = await portal.db.selectFrom('role_grant').selectAll().where('organization_id', '=', orgs.schoolB.id).execute();
    assert.equal(grants.length, 0);
  });

  test('made-up and malformed ids are a 404, not a 500', async () => {
    const b = browsers.department;
    assert.equal((await b.get(`/directory/people/${randomUUID()}`)).status, 404);
    assert.equal((await b.get('/directory/people/not-a-uuid')).status, 404);
    assert.equal((await b.get('/directory/organizations/12')).status, 404);
    assert.equal((await b.post('/directory/conflicts/99999999/resolve', {})).status, 404);
    assert.equal((await b.post(`/directory/organizations/${orgs.schoolA.code}/staff/not-a-uuid/remove`, {})).status, 404);
  });
});
