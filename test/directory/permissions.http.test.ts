import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { designateAdministrator, registerApplication } from '../../src/directory/service.ts';
import { secretBox } from '../../src/platform/secrets.ts';
import { addMember } from '../../src/directory/repository.ts';
import type { Db } from '../../src/platform/db.ts';
import { Browser, createProfile, logIn, startPortal, type TestPortal } from '../helpers/portal.ts';

/**
 * The permission matrix (issue #3): every administrative route × every kind of actor ×
 * a resource in their own organization and in another one. Allowed means the route did its
 * work (200, a 303 to a result, or a 400/422 for the deliberately empty form); denied means
 * 403 with none of the other organization's data, or a redirect to log in.
 */

let portal: TestPortal;
const orgs: Record<string, { id: string; code: string }> = {};
const people: Record<string, { id: string; userName: string; mepid: string }> = {};
const browsers: Record<string, Browser> = {};
let conflictId = '';

async function org(db: Db, code: string, name: string, type: 'district' | 'school', districtCode?: string) {
  const id = randomUUID();
  await db.insertInto('organization').values({ id, code, name, type, district_id: districtCode ? orgs[districtCode]!.id : null, town: 'Town', phone: null }).execute();
  orgs[code] = { id, code };
}

let ssnSerial = 0;
async function person(key: string, first: string, last: string) {
  ssnSerial += 1;
  const created = await createProfile(new Browser(portal.app, `10.0.0.${ssnSerial}`), {
    firstName: first,
    lastName: last,
    dob: ['4', String(ssnSerial), '1980'],
    ssn: `7${String(ssnSerial).padStart(2, '0')}-11-${String(1000 + ssnSerial)}`,
  });
  const row = await portal.db.selectFrom('profile').select('id').where('user_name', '=', created.userName).executeTakeFirstOrThrow();
  people[key] = { id: row.id, userName: created.userName, mepid: created.mepid };
}

before(async () => {
  portal = await startPortal();
  const db = portal.db;
  await org(db, '00010000', 'Alpha District', 'district');
  await org(db, '00010505', 'Alpha High School', 'school', '00010000');
  await org(db, '00020000', 'Beta District', 'district');
  await org(db, '00020505', 'Beta High School', 'school', '00020000');
  await person('department', 'Dana', 'Department');
  await person('educator', 'Eddie', 'Educator');
  await person('adminA', 'Ann', 'Schooladmin');
  await person('adminB', 'Bob', 'Schooladmin');
  await person('districtA', 'Dee', 'Districtadmin');
  await person('staffA', 'Sam', 'Staffalpha');
  await person('staffB', 'Sue', 'Staffbeta');
  await db.updateTable('profile').set({ department_role: 'admin' }).where('id', '=', people.department!.id).execute();
  const byId = async (id: string) => (await db.selectFrom('profile').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  const orgRow = async (code: string) => (await db.selectFrom('organization').selectAll().where('code', '=', code).executeTakeFirstOrThrow());
  await designateAdministrator(db, null, await orgRow('00010505'), await byId(people.adminA!.id), { email: 'ann@alpha.example', phone: null }, null);
  await designateAdministrator(db, null, await orgRow('00020505'), await byId(people.adminB!.id), { email: null, phone: null }, null);
  await designateAdministrator(db, null, await orgRow('00010000'), await byId(people.districtA!.id), { email: null, phone: null }, null);
  await addMember(db, orgs['00010505']!.id, people.staffA!.id, null);
  await addMember(db, orgs['00020505']!.id, people.staffB!.id, null);
  const conflict = await db
    .insertInto('match_conflict')
    .values({ profile_id: people.staffB!.id, conflicting_fields: ['ssn'], submitted: JSON.stringify({ firstName: 'Sue' }) })
    .returning('id')
    .executeTakeFirstOrThrow();
  conflictId = conflict.id;
  await registerApplication(db, secretBox(portal.secretsKey), {
    id: 'matrix-app',
    name: 'Matrix app',
    redirectUris: ['https://matrix.example.gov/cb'],
    restricted: true,
    roles: [],
    postLogoutRedirectUris: [],
    backchannelLogoutUri: null,
    launchUrl: null,
  }, null);
  for (const key of ['department', 'educator', 'adminA', 'adminB', 'districtA']) {
    browsers[key] = new Browser(portal.app, `10.1.0.${Object.keys(browsers).length + 1}`);
    assert.equal((await logIn(browsers[key]!, people[key]!.userName, 'Secret123')).status, 303);
  }
  browsers.anonymous = new Browser(portal.app, '10.2.0.1');
  await browsers.anonymous.get('/');
});
after(() => portal.close());

type Side = 'A' | 'B';
interface Route {
  name: string;
  method: 'GET' | 'POST';
  path: (side: Side) => string;
  /** Routes not tied to an organization are checked once, as side A. */
  departmentOnly?: boolean;
  designate?: boolean;
  /** Only for a Directory Administrator designated at that very organization (department included: it has none there). */
  ownDesignation?: boolean;
  /** Every Directory Administrator (the page shows each only their own organizations' data). */
  anyAdministrator?: boolean;
}

const school = (side: Side) => (side === 'A' ? '00010505' : '00020505');
const staff = (side: Side) => people[side === 'A' ? 'staffA' : 'staffB']!.id;

const ROUTES: Route[] = [
  { name: 'organization page', method: 'GET', path: (s) => `/directory/organizations/${school(s)}` },
  { name: 'add staff form', method: 'GET', path: (s) => `/directory/organizations/${school(s)}/staff/new` },
  { name: 'add staff', method: 'POST', path: (s) => `/directory/organizations/${school(s)}/staff/new` },
  { name: 'designate form', method: 'GET', path: (s) => `/directory/organizations/${school(s)}/administrators/new`, designate: true },
  { name: 'designate', method: 'POST', path: (s) => `/directory/organizations/${school(s)}/administrators/new`, designate: true },
  { name: 'own contacts form', method: 'GET', path: (s) => `/directory/organizations/${school(s)}/administrators/me`, ownDesignation: true },
  { name: 'own contacts', method: 'POST', path: (s) => `/directory/organizations/${school(s)}/administrators/me`, ownDesignation: true },
  { name: 'person page', method: 'GET', path: (s) => `/directory/people/${staff(s)}` },
  { name: 'grant role', method: 'POST', path: (s) => `/directory/people/${staff(s)}/roles` },
  { name: 'revoke role', method: 'POST', path: (s) => `/directory/people/${staff(s)}/roles/revoke` },
  { name: 'unlock', method: 'POST', path: (s) => `/directory/people/${staff(s)}/unlock` },
  { name: 'fix data form', method: 'GET', path: (s) => `/directory/people/${staff(s)}/fix` },
  { name: 'fix data', method: 'POST', path: (s) => `/directory/people/${staff(s)}/fix` },
  { name: 'reset password confirm', method: 'GET', path: (s) => `/directory/people/${staff(s)}/reset-password` },
  { name: 'sign out everywhere confirm', method: 'GET', path: (s) => `/directory/people/${staff(s)}/sessions/end` },
  { name: 'reset password', method: 'POST', path: (s) => `/directory/people/${staff(s)}/reset-password` },
  { name: 'sign out everywhere', method: 'POST', path: (s) => `/directory/people/${staff(s)}/sessions/end` },
  { name: 'people search', method: 'GET', path: () => '/directory/people?q=Staff', departmentOnly: true },
  { name: 'conflicts', method: 'GET', path: () => '/directory/conflicts', anyAdministrator: true },
  { name: 'close conflict form', method: 'GET', path: () => `/directory/conflicts/${conflictId}/resolve`, departmentOnly: true },
  { name: 'resolve conflict', method: 'POST', path: () => `/directory/conflicts/${conflictId}/resolve`, departmentOnly: true },
  { name: 'audit log', method: 'GET', path: () => '/directory/audit', departmentOnly: true },
  { name: 'applications', method: 'GET', path: () => '/directory/applications', departmentOnly: true },
  { name: 'application page', method: 'GET', path: () => '/directory/applications/sims', departmentOnly: true },
  { name: 'edit application form', method: 'GET', path: () => '/directory/applications/sims/edit', departmentOnly: true },
  { name: 'edit application', method: 'POST', path: () => '/directory/applications/sims/edit', departmentOnly: true },
  { name: 'register application form', method: 'GET', path: () => '/directory/applications/new', departmentOnly: true },
  { name: 'register application', method: 'POST', path: () => '/directory/applications/new', departmentOnly: true },
  { name: 'new client secret', method: 'POST', path: () => '/directory/applications/matrix-app/secret', departmentOnly: true },
  { name: 'add organization form', method: 'GET', path: () => '/directory/organizations/new', departmentOnly: true },
  { name: 'add organization', method: 'POST', path: () => '/directory/organizations/new', departmentOnly: true },
  // An organization's own Directory Administrator cannot change its details either.
  { name: 'edit organization form', method: 'GET', path: (s) => `/directory/organizations/${school(s)}/edit`, departmentOnly: true },
  { name: 'edit organization', method: 'POST', path: (s) => `/directory/organizations/${school(s)}/edit`, departmentOnly: true },
];

/** Which actors may act on side A's school and its staff (side B mirrors adminA ↔ adminB). */
function expected(actor: string, route: Route, side: Side): 'allow' | 'deny' | 'login' {
  if (actor === 'anonymous') return 'login';
  if (route.ownDesignation) return { adminA: 'A', adminB: 'B' }[actor] === side ? 'allow' : 'deny';
  if (actor === 'department') return 'allow';
  if (route.departmentOnly) return 'deny';
  if (route.anyAdministrator) return actor === 'educator' ? 'deny' : 'allow';
  const administersSide = { adminA: 'A', adminB: 'B', districtA: 'A', educator: null }[actor];
  if (administersSide !== side) return 'deny';
  if (route.designate) return actor === 'districtA' ? 'allow' : 'deny';
  return 'allow';
}

describe('permission matrix: route × actor × own/other organization', () => {
  for (const actor of ['anonymous', 'educator', 'adminA', 'adminB', 'districtA', 'department']) {
    test(`${actor}`, async () => {
      const failures: string[] = [];
      for (const route of ROUTES) {
        for (const side of route.departmentOnly || route.anyAdministrator ? (['A'] as Side[]) : (['A', 'B'] as Side[])) {
          const b = browsers[actor]!;
          await b.get('/');
          const res = route.method === 'GET' ? await b.get(route.path(side)) : await b.post(route.path(side), {});
          const want = expected(actor, route, side);
          const got =
            res.status === 403 || res.status === 404
              ? 'deny'
              : res.status === 303 && res.location?.startsWith('/login')
                ? 'login'
                : [200, 303, 400, 409, 422].includes(res.status)
                  ? 'allow'
                  : `status ${res.status}`;
          // Signed out, a form post has no CSRF token yet: refused before anything else.
          const acceptable = got === want || (want === 'login' && got === 'deny' && route.method === 'POST');
          if (!acceptable) failures.push(`${route.method} ${route.path(side)} (${route.name}): expected ${want}, got ${got} (${res.status})`);
          if (want !== 'allow') {
            const other = people[side === 'A' ? 'staffA' : 'staffB']!;
            for (const secret of [other.userName, other.mepid]) {
              if (res.body.includes(secret)) failures.push(`${route.method} ${route.path(side)} leaked ${secret} to ${actor}`);
            }
          }
        }
      }
      assert.deepEqual(failures, []);
    });
  }
});

describe('object ids cannot reach other organizations', () => {
  test("adminA cannot grant a role to B's staff by naming A's organization", async () => {
    const b = browsers.adminA!;
    await b.get('/');
    const res = await b.post(`/directory/people/${people.staffB!.id}/roles`, { organization: '00010505', applicationRole: 'sims:user' });
    assert.equal(res.status, 403);
    const grants = await portal.db.selectFrom('role_grant').selectAll().where('profile_id', '=', people.staffB!.id).execute();
    assert.equal(grants.length, 0);
  });

  test('a district administrator cannot grant roles in an organization the person does not belong to', async () => {
    const b = browsers.districtA!;
    await b.get('/');
    const res = await b.post(`/directory/people/${people.staffA!.id}/roles`, { organization: '00020505', applicationRole: 'sims:user' });
    assert.equal(res.status, 422);
    const grants = await portal.db.selectFrom('role_grant').selectAll().where('organization_id', '=', orgs['00020505']!.id).execute();
    assert.equal(grants.length, 0);
  });

  test('made-up and malformed ids are a 404, not a 500', async () => {
    const b = browsers.department!;
    assert.equal((await b.get(`/directory/people/${randomUUID()}`)).status, 404);
    assert.equal((await b.get('/directory/people/not-a-uuid')).status, 404);
    assert.equal((await b.get('/directory/organizations/12')).status, 404);
    await b.get('/');
    assert.equal((await b.post('/directory/conflicts/99999999/resolve', {})).status, 404);
  });
});
