import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { insertDepartmentRole } from '../../src/directory/department-roles/repository.ts';
import {
  Browser,
  contactFields,
  createProfile,
  identityFields,
  logIn,
  startPortal,
  type TestPortal,
} from '../helpers/portal.ts';

/**
 * Property-based fuzzing of the portal's form routes (SPEC Q3): random and hostile values,
 * missing and duplicated fields. Properties: never a 5xx, and nothing typed comes back as
 * markup.
 */

let portal: TestPortal;
let userName = '';
before(async () => {
  portal = await startPortal();
  ({ userName } = await createProfile(new Browser(portal.app), {
    firstName: 'Fuzz',
    lastName: 'Target',
    dob: ['1', '2', '1980'],
    ssn: '712-34-5678',
  }));
});
after(() => portal.close());

const MARKER = '<script>alert(1)</script>';
const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    MARKER,
    '"><img src=x onerror=alert(1)>',
    "' OR '1'='1",
    '%00',
    '\u0000\u0007\u001b',
    '../../etc/passwd',
    '١٢٣٤٥٦٧٨٩',
    'Ωμέγα Ñandú',
    '\u202eevil',
    '0'.repeat(5000),
  ),
  fc.string({ minLength: 1000, maxLength: 3000 }),
);

/** A form body: some of the route's fields (maybe repeated), maybe a stranger field. */
function bodies(fields: string[]) {
  return fc
    .tuple(
      fc.array(fc.tuple(fc.constantFrom(...fields), hostile), { maxLength: fields.length + 3 }),
      fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), hostile)),
    )
    .map(([pairs, extra]) => {
      const body = new URLSearchParams();
      for (const [k, v] of pairs) body.append(k, v);
      if (extra) body.append(extra[0], extra[1]);
      return body;
    });
}

async function post(b: Browser, url: string, body: URLSearchParams) {
  body.set('_csrf', b.csrf);
  const res = await portal.app.inject({
    method: 'POST',
    url,
    payload: body.toString(),
    remoteAddress: '198.18.0.1',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    },
  });
  assert.ok(res.statusCode < 500, `${url} answered ${res.statusCode} for ${body.toString().slice(0, 200)}`);
  assert.ok(!res.body.includes(MARKER), `${url} echoed markup unescaped`);
  assert.ok(!res.body.includes('<img src=x'), `${url} echoed markup unescaped`);
  return res;
}

const identity = ['firstName', 'middleName', 'lastName', 'dobMonth', 'dobDay', 'dobYear', 'ssn'];
const runs = { numRuns: 60 };

describe('fuzzing form routes: no 5xx, no markup echoed', () => {
  test('login', async () => {
    const b = new Browser(portal.app);
    await b.get('/login');
    await fc.assert(
      fc.asyncProperty(bodies(['username', 'password', 'returnTo']), (body) =>
        post(b, '/login', body).then(() => undefined),
      ),
      runs,
    );
  });

  test('identity page of Create Profile and of Retrieve User Name', async () => {
    const b = new Browser(portal.app);
    await b.get('/profile/new');
    await fc.assert(
      fc.asyncProperty(bodies(identity), (body) => post(b, '/profile/new/identity', body).then(() => undefined)),
      runs,
    );
    await fc.assert(
      fc.asyncProperty(bodies(identity), (body) => post(b, '/account/recover/identity', body).then(() => undefined)),
      runs,
    );
  });

  test('contact, background and security pages', async () => {
    const b = new Browser(portal.app);
    await b.submit(
      '/profile/new',
      '/profile/new/identity',
      identityFields({ firstName: 'Rand', lastName: 'Omness', dob: ['3', '4', '1990'], ssn: '713-34-5678' }),
    );
    await b.get('/profile/new/contact');
    await fc.assert(
      fc.asyncProperty(bodies(Object.keys(contactFields)), (body) =>
        post(b, '/profile/new/contact', body).then(() => undefined),
      ),
      runs,
    );
    await b.submit('/profile/new/contact', '/profile/new/contact', contactFields);
    await fc.assert(
      fc.asyncProperty(bodies(['previousLastName', 'priorLicenseNumber']), (body) =>
        post(b, '/profile/new/background', body).then(() => undefined),
      ),
      runs,
    );
    await b.submit('/profile/new/background', '/profile/new/background', {
      previousLastName: '',
      priorLicenseNumber: '',
    });
    await fc.assert(
      fc.asyncProperty(bodies(['hintQuestion', 'hintAnswer', 'password', 'passwordConfirm']), (body) =>
        post(b, '/profile/new/security', body).then(() => undefined),
      ),
      { numRuns: 30 },
    );
  });

  test('change password of a signed-in person', async () => {
    const b = new Browser(portal.app);
    await logIn(b, userName, 'Secret123');
    await b.get('/account/password');
    await fc.assert(
      fc.asyncProperty(bodies(['currentPassword', 'password', 'passwordConfirm']), (body) =>
        post(b, '/account/password', body).then(() => undefined),
      ),
      { numRuns: 20 },
    );
  });

  test('hint answer and new password of Retrieve User Name / Reset Password', async () => {
    const recovering = async (ip: string) => {
      const b = new Browser(portal.app, ip);
      await b.submit(
        '/account/recover',
        '/account/recover/identity',
        identityFields({ firstName: 'Fuzz', lastName: 'Target', dob: ['1', '2', '1980'], ssn: '712-34-5678' }),
      );
      return b;
    };
    // The right answer first: the fuzzed wrong ones below lock the hint after five.
    const answered = await recovering('198.18.0.10');
    assert.equal(
      (await answered.submit('/account/recover/hint', '/account/recover/hint', { hintAnswer: 'Rex the Dog' })).location,
      '/account/recover/password',
    );
    await answered.get('/account/recover/password');
    await fc.assert(
      fc.asyncProperty(bodies(['password', 'passwordConfirm']), (body) =>
        post(answered, '/account/recover/password', body).then(() => undefined),
      ),
      { numRuns: 20 },
    );
    const guessing = await recovering('198.18.0.9');
    await guessing.get('/account/recover/hint');
    await fc.assert(
      fc.asyncProperty(bodies(['hintAnswer']), (body) =>
        post(guessing, '/account/recover/hint', body).then(() => undefined),
      ),
      { numRuns: 20 },
    );
  });

  test('directory administration forms, posted by department staff', async () => {
    const admin = await createProfile(new Browser(portal.app), {
      firstName: 'Fuzz',
      lastName: 'Admin',
      dob: ['3', '4', '1970'],
      ssn: '713-34-5678',
    });
    const { id } = await portal.db
      .selectFrom('profile')
      .select('id')
      .where('user_name', '=', admin.userName)
      .executeTakeFirstOrThrow();
    await insertDepartmentRole(portal.db, { profileId: id, role: 'console-admin', grantedBy: null });
    const org = { id: crypto.randomUUID(), code: '00990000' };
    await portal.db
      .insertInto('organization')
      .values({ ...org, name: 'Fuzz District', type: 'district', district_id: null, town: null, phone: null })
      .execute();
    const target = await portal.db
      .selectFrom('profile')
      .select('id')
      .where('user_name', '=', userName)
      .executeTakeFirstOrThrow();
    await portal.db
      .insertInto('organization_member')
      .values({ organization_id: org.id, profile_id: target.id, added_by: null })
      .execute();
    const b = new Browser(portal.app, '198.18.0.11');
    await logIn(b, admin.userName, 'Secret123');
    await b.get('/directory');
    const forms: Array<[string, string[]]> = [
      [
        `/directory/organizations/${org.code}/staff/new`,
        ['firstName', 'lastName', 'ssn', 'dobMonth', 'dobDay', 'dobYear', 'email'],
      ],
      [`/directory/organizations/${org.code}/administrators/new`, ['profileId', 'username', 'email', 'phone']],
      [`/directory/people/${target.id}/roles`, ['organization', 'applicationRole']],
      [`/directory/people/${target.id}/roles/revoke`, ['organization', 'application', 'role']],
      [
        `/directory/people/${target.id}/fix`,
        ['firstName', 'lastName', 'ssn', 'dobMonth', 'dobDay', 'dobYear', 'email'],
      ],
      ['/directory/conflicts/1/resolve', ['reason']],
      ['/directory/organizations/new', ['name', 'code', 'type', 'town', 'phone']],
      [`/directory/organizations/${org.code}/edit`, ['name', 'town', 'phone', 'status']],
      [
        '/directory/applications/new',
        [
          'name',
          'clientId',
          'access',
          'roles',
          'redirectUris',
          'postLogoutRedirectUris',
          'backchannelLogoutUri',
          'launchUrl',
        ],
      ],
      [
        '/directory/applications/sims/edit',
        ['name', 'access', 'roles', 'redirectUris', 'postLogoutRedirectUris', 'backchannelLogoutUri', 'launchUrl'],
      ],
    ];
    for (const [url, fields] of forms) {
      await fc.assert(
        fc.asyncProperty(bodies(fields), (body) => post(b, url, body).then(() => undefined)),
        { numRuns: 30 },
      );
    }
  });

  test('typed markup comes back escaped on the error page', async () => {
    const b = new Browser(portal.app);
    await b.get('/profile/new');
    const res = await post(
      b,
      '/profile/new/identity',
      new URLSearchParams({
        firstName: MARKER,
        lastName: '"><img src=x onerror=alert(1)>',
        dobMonth: '1',
        dobDay: '1',
        dobYear: '1990',
        ssn: '714-34-5678',
      }),
    );
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /&lt;script>alert\(1\)&lt;\/script>|&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });
});
