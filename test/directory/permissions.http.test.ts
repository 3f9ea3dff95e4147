import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { RouteOptions } from 'fastify';
import { addMember, undesignate } from '../../src/directory/repository.ts';
import { designateAdministrator, registerApplication } from '../../src/directory/service.ts';
import type { Organization } from '../../src/directory/schema.ts';
import { secretBox } from '../../src/platform/secrets.ts';
import { directoryFixture, type DirectoryFixture, type FixturePerson } from '../helpers/directory.ts';
import { Browser, startPortal, type Response, type TestPortal } from '../helpers/portal.ts';

/**
 * The permission matrix (issues 3, 11, 12, 14), generated from the routes the app REGISTERS
 * and what each declares (`config.access`): every route with a permission is tried, the day
 * it is written, by every kind of actor (anonymous with a real CSRF token, educator,
 * Directory Administrator of school A, of school B, of A's district, and each department
 * role: console-admin, help-desk and the licensure roles) on side A and side B, and where a
 * person is acted on, on five kinds of target: a plain educator, an administrator of the
 * same school, one of the parent district, one of another district, and department staff.
 * What each permission should allow is written out below, independently of
 * src/directory/policy.ts; a permission it does not know fails the test.
 *
 * allow: the route did its work (200, 303 to a result, 400/409/422 for the deliberately
 * empty form); deny: 403/404 with none of the other side's data; beyond: 403 saying the
 * person's powers are beyond the actor's; login: a redirect to log in.
 */

let portal: TestPortal;
let fx: DirectoryFixture;
/** Every GET and POST route as registered; its declaration is read once the app has started. */
const registered: Array<{ method: 'GET' | 'POST'; route: RouteOptions }> = [];
const access = (route: RouteOptions) => route.config?.access;

type Side = 'A' | 'B';
/** `department` holds console-admin; the others hold the one department role they are named for. */
type Actor =
  | 'anonymous'
  | 'educator'
  | 'adminA'
  | 'adminB'
  | 'districtA'
  | 'department'
  | 'helpDesk'
  | 'evaluator'
  | 'supervisor'
  | 'payments';
type Target = 'educator' | 'sameOrgAdmin' | 'parentDistrictAdmin' | 'otherDistrictAdmin' | 'departmentStaff';
type Outcome = 'allow' | 'deny' | 'beyond' | 'login';
const ACTORS: Actor[] = [
  'anonymous',
  'educator',
  'adminA',
  'adminB',
  'districtA',
  'department',
  'helpDesk',
  'evaluator',
  'supervisor',
  'payments',
];
const TARGETS: Target[] = ['educator', 'sameOrgAdmin', 'parentDistrictAdmin', 'otherDistrictAdmin', 'departmentStaff'];

const orgs = {} as Record<'districtA' | 'schoolA' | 'districtB' | 'schoolB' | 'districtC', Organization>;
const actors = {} as Record<Exclude<Actor, 'anonymous'>, FixturePerson>;
const targets = {} as Record<Side, Record<Target, FixturePerson>>;
const browsers = {} as Record<Actor, Browser>;
let conflictId = '';

const school = (side: Side) => (side === 'A' ? orgs.schoolA : orgs.schoolB);
const districtOf = (side: Side) => (side === 'A' ? orgs.districtA : orgs.districtB);

before(async () => {
  portal = await startPortal(
    {},
    {
      onRoute: (route: RouteOptions) => {
        for (const method of ['GET', 'POST'] as const)
          if ([route.method].flat().includes(method)) registered.push({ method, route });
      },
    },
  );
  fx = directoryFixture(portal);
  const a = await fx.districtWithSchool('Alpha');
  const b = await fx.districtWithSchool('Beta');
  const c = await fx.districtWithSchool('Gamma');
  Object.assign(orgs, {
    districtA: a.district,
    schoolA: a.school,
    districtB: b.district,
    schoolB: b.school,
    districtC: c.district,
  });

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
    .values({
      profile_id: targets.B.educator.id,
      conflicting_fields: ['ssn'],
      submitted: JSON.stringify({ firstName: 'Sam' }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  conflictId = conflict.id;
  await registerApplication(
    portal.db,
    secretBox(portal.secretsKey),
    {
      id: 'matrix-app',
      name: 'Matrix app',
      redirectUris: ['https://matrix.example.gov/cb'],
      restricted: true,
      roles: [],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: null,
      launchUrl: null,
    },
    null,
  );
  for (const key of Object.keys(actors) as Array<keyof typeof actors>) browsers[key] = await fx.signIn(actors[key]);
  // Signed out, but with a real CSRF token: a refusal can only come from authorization.
  browsers.anonymous = new Browser(portal.app, '10.2.0.1');
  await browsers.anonymous.get('/profile/new');
  assert.notEqual(browsers.anonymous.csrf, '');
});
after(() => portal.close());

interface Route {
  method: 'GET' | 'POST';
  /** As registered. */
  url: string;
  /** The permission it declares. */
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

const identity = (t: FixturePerson) => ({
  firstName: t.firstName,
  lastName: t.lastName,
  dobMonth: t.dob[0],
  dobDay: t.dob[1],
  dobYear: t.dob[2],
  ssn: t.ssn,
  email: '',
});

/** What each permission should allow, written out independently of src/directory/policy.ts. */
const PERMISSIONS: Record<string, Partial<Route>> = {
  'directory.use': { anyAdministrator: true, helpDesk: true },
  'organization.manage': { departmentOnly: true },
  'application.manage': { departmentOnly: true },
  'person.search': { departmentOnly: true, helpDesk: true },
  'audit.read': { departmentOnly: true },
  // The help desk closes the cases of people without powers (the matrix's case is an educator's).
  'conflict.resolve': { departmentOnly: true, helpDesk: true },
  'departmentRole.manage': { departmentOnly: true },
  'organization.view': {},
  'staff.add': {},
  'diradmin.designate': { designate: true },
  'diradmin.publishContacts': { ownDesignation: true },
  // Taking away what one's own organization gave is not power over the person (F5, F7): never 'beyond'.
  'staff.remove': { takesAway: true },
  'role.revoke': { takesAway: true },
  // Reading the person page is not power over them: it opens, and says why nothing can be done.
  'person.view': { targets: [], helpDesk: true },
  'role.grant': {},
  // The help desk's part, on people without powers only.
  'person.resetPassword': { helpDesk: true },
  'person.endSessions': { helpDesk: true },
  'person.unlock': { helpDesk: true },
  'person.fixData': { helpDesk: true },
};

/** What a request to a route needs beyond its path's parameters (a body, a target list, an undo). */
const SPECIFICS: Record<string, Partial<Route>> = {
  'POST /directory/organizations/:code/staff/new': { body: (_s, t) => identity(t), targets: TARGETS },
  'POST /directory/organizations/:code/staff/:profileId/remove': {
    undo: async (s, t, res) => {
      if (res.status === 303) await addMember(portal.db, school(s).id, t.id, null);
    },
  },
  'POST /directory/organizations/:code/administrators/new': {
    body: (_s, t) => ({ profileId: t.id, email: '', phone: '' }),
    targets: TARGETS,
    undo: async (s, t, res) => {
      if (res.status === 303 && t !== targets[s].sameOrgAdmin) await undesignate(portal.db, school(s).id, t.id);
    },
  },
  'POST /directory/organizations/:code/administrators/:profileId/revoke': {
    targets: ['sameOrgAdmin'],
    undo: async (s, t, res) => {
      if (res.status === 303)
        await designateAdministrator(portal.db, null, school(s), await t.profile(), { email: null, phone: null }, null);
    },
  },
  'GET /directory/people': { path: () => '/directory/people?q=Staff' },
  'POST /directory/applications/:id/secret': { path: () => '/directory/applications/matrix-app/secret' },
};

/** The path's parameters filled with the side's and the target's real values. */
function fill(url: string): Route['path'] {
  return (side, target) =>
    url
      .replace(':code', school(side).code)
      .replace(':profileId', target.id)
      .replace(/^\/directory\/people\/:id/, `/directory/people/${target.id}`)
      .replace(/^\/directory\/conflicts\/:id/, `/directory/conflicts/${conflictId}`)
      .replace(/^\/directory\/applications\/:id/, '/directory/applications/sims');
}

/** The matrix, from the routes that declare a permission. */
function matrixRoutes(): Route[] {
  return registered.flatMap(({ method, route }) => {
    const declared = access(route);
    // ELAR's routes check ELAR's own session and permissions: test/elar/permission-matrix.test.ts.
    if (!declared || !('permission' in declared) || route.url.startsWith('/elar')) return [];
    const key = `${method} ${route.url}`;
    const expectation = PERMISSIONS[declared.permission];
    assert.ok(expectation, `${key} declares ${declared.permission}: say in PERMISSIONS what it should allow`);
    // A route acting on a person named in its path is tried on every kind of target.
    const onPerson = /:profileId|^\/directory\/people\/:id/.test(route.url);
    return [
      {
        method,
        url: route.url,
        name: declared.permission,
        path: fill(route.url),
        ...(onPerson ? { targets: TARGETS } : {}),
        ...expectation,
        ...SPECIFICS[key],
      },
    ];
  });
}

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
    target === 'departmentStaff' ||
    target === 'otherDistrictAdmin' ||
    (target === 'parentDistrictAdmin' && actor !== 'districtA');
  return beyond ? 'beyond' : 'allow';
}

function outcome(res: Response): string {
  if (res.status === 403) return /has powers beyond yours/.test(res.body) ? 'beyond' : 'deny';
  if (res.status === 404) return 'deny';
  if (res.status === 303 && res.location?.startsWith('/login')) return 'login';
  if ([200, 303, 400, 409, 422].includes(res.status)) return 'allow';
  return `status ${res.status}`;
}

test('every route declares its access; none of Directory Administration is public or self-service, and the matrix is not empty', () => {
  const undeclared = registered
    .filter(({ route }) => !access(route))
    .map(({ method, route }) => `${method} ${route.url}`);
  assert.deepEqual(undeclared, [], 'the app started, so this cannot happen unless the start-up check is gone');
  const open = registered
    .filter(({ route }) => route.url.startsWith('/directory/') || route.url === '/directory')
    .filter(({ route }) => !('permission' in access(route)!));
  assert.deepEqual(
    open.map(({ method, route }) => `${method} ${route.url}`),
    [],
  );
  // The collector sees the app's routes (a broken collector would make the matrix vacuous).
  const inMatrix = matrixRoutes().map((r) => `${r.method} ${r.url}`);
  for (const known of [
    'GET /directory',
    'POST /directory/people/:id/roles',
    'POST /directory/applications/:id/secret',
    'GET /directory/organizations/:code/administrators/me',
  ]) {
    assert.ok(inMatrix.includes(known), `${known} is in the matrix`);
  }
  assert.ok(inMatrix.length >= 36, `${inMatrix.length} routes in the matrix`);
});

test('every self-service route sends a signed-out person to log in, and back', async () => {
  // ELAR's own (signed in over OpenID Connect, not at /login) are in test/elar/permission-matrix.test.ts.
  const self = registered.filter(
    ({ route }) => access(route) && 'self' in access(route)! && !route.url.startsWith('/elar'),
  );
  assert.ok(self.length >= 7, 'the account pages are self-service');
  const failures: string[] = [];
  for (const { method, route } of self) {
    const url = route.url.replace(':organizationId', orgs.schoolA.id);
    const res = method === 'GET' ? await browsers.anonymous.get(url) : await browsers.anonymous.post(url, {});
    if (res.status !== 303 || res.location !== `/login?returnTo=${encodeURIComponent(url)}`)
      failures.push(`${method} ${url}: ${res.status} ${res.location}`);
  }
  assert.deepEqual(failures, []);
});

describe('permission matrix: route × actor × own/other organization × target', () => {
  for (const actor of ACTORS) {
    test(actor, async () => {
      const failures: string[] = [];
      let tried = 0;
      const routes = matrixRoutes();
      for (const route of routes) {
        for (const side of route.departmentOnly || route.anyAdministrator
          ? (['A'] as Side[])
          : (['A', 'B'] as Side[])) {
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
              for (const secret of [target.userName, target.mepid])
                if (res.body.includes(secret)) failures.push(`${label} leaked ${secret} to ${actor}`);
            }
            if (route.anyAdministrator && want === 'allow') {
              const hidden =
                actor === 'adminB'
                  ? ['Alpha']
                  : actor === 'department' || actor === 'helpDesk'
                    ? []
                    : ['Beta', 'Gamma'];
              for (const name of hidden)
                if (res.body.includes(name)) failures.push(`${label} shows ${name} organizations to ${actor}`);
            }
            await route.undo?.(side, target, res);
          }
        }
      }
      // Counted from the routes, so a combination silently skipped is noticed.
      assert.equal(
        tried,
        routes.reduce((n, r) => n + (r.departmentOnly || r.anyAdministrator ? 1 : 2) * (r.targets?.length || 1), 0),
      );
      assert.deepEqual(failures, []);
    });
  }
});

describe('object ids cannot reach other organizations', () => {
  test("adminA cannot grant a role to B's staff by naming A's organization", async () => {
    const b = browsers.adminA;
    const res = await b.post(`/directory/people/${targets.B.educator.id}/roles`, {
      organization: orgs.schoolA.code,
      applicationRole: 'sims:user',
    });
    assert.equal(res.status, 403);
    const grants = await portal.db
      .selectFrom('role_grant')
      .selectAll()
      .where('profile_id', '=', targets.B.educator.id)
      .execute();
    assert.equal(grants.length, 0);
  });

  test('a district administrator cannot grant roles in an organization the person does not belong to', async () => {
    const b = browsers.districtA;
    const res = await b.post(`/directory/people/${targets.A.educator.id}/roles`, {
      organization: orgs.schoolB.code,
      applicationRole: 'sims:user',
    });
    assert.equal(res.status, 422);
    const grants = await portal.db
      .selectFrom('role_grant')
      .selectAll()
      .where('organization_id', '=', orgs.schoolB.id)
      .execute();
    assert.equal(grants.length, 0);
  });

  test('made-up and malformed ids are a 404, not a 500', async () => {
    const b = browsers.department;
    assert.equal((await b.get(`/directory/people/${randomUUID()}`)).status, 404);
    assert.equal((await b.get('/directory/people/not-a-uuid')).status, 404);
    assert.equal((await b.get('/directory/organizations/12')).status, 404);
    assert.equal((await b.post('/directory/conflicts/99999999/resolve', {})).status, 404);
    assert.equal(
      (await b.post(`/directory/organizations/${orgs.schoolA.code}/staff/not-a-uuid/remove`, {})).status,
      404,
    );
  });
});
