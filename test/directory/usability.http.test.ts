import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { insertDepartmentRole } from '../../src/directory/department-roles/repository.ts';
import { designateAdministrator, grantRole } from '../../src/directory/service.ts';
import { AUDIT_EVENT_TYPES } from '../../src/directory/audit-events.ts';
import { rolesFor } from '../../src/directory/access-repository.ts';
import {
  Browser,
  createProfile,
  errorSummary,
  identityFields,
  logIn,
  startPortal,
  type Person,
  type TestPortal,
} from '../helpers/portal.ts';

/**
 * Issue 11, "what a new user and a new operator hit" in Directory Administration. Every
 * test sets up the people it needs, so each runs alone (`--test-name-pattern`) and in any order.
 */

let portal: TestPortal;
let department: Browser;
let districtAdmin: Browser;
let districtAdminName = '';
let serial = 0;

async function addOrganization(code: string, name: string, type: 'district' | 'school', districtCode?: string) {
  const district = districtCode ? await org(districtCode) : undefined;
  await portal.db
    .insertInto('organization')
    .values({ id: randomUUID(), code, name, type, district_id: district?.id ?? null, town: 'Springfield', phone: null })
    .execute();
}
const org = (code: string) =>
  portal.db.selectFrom('organization').selectAll().where('code', '=', code).executeTakeFirstOrThrow();
const profileByUserName = (userName: string) =>
  portal.db.selectFrom('profile').selectAll().where('user_name', '=', userName).executeTakeFirstOrThrow();

/** A new person with a unique SSN (area 8xx). */
function newPerson(firstName: string, lastName: string): Person {
  serial += 1;
  return {
    firstName,
    lastName,
    dob: ['4', String((serial % 28) + 1), '1980'],
    ssn: `8${10 + serial}-45-${1000 + serial}`,
  };
}

/** A person with a completed profile; returns their profile row. */
async function educator(firstName: string, lastName: string) {
  const person = newPerson(firstName, lastName);
  const created = await createProfile(new Browser(portal.app, '10.20.0.1'), person);
  return { person, profile: await profileByUserName(created.userName) };
}

/** An educator on the staff of an organization (added by the department's service call). */
async function staffMember(code: string, firstName: string, lastName: string) {
  const made = await educator(firstName, lastName);
  await portal.db
    .insertInto('organization_member')
    .values({ organization_id: (await org(code)).id, profile_id: made.profile.id, added_by: null })
    .execute();
  return made;
}

async function adminOf(code: string, firstName: string, lastName: string, ip: string) {
  const made = await educator(firstName, lastName);
  await designateAdministrator(
    portal.db,
    null,
    await org(code),
    made.profile,
    { email: `${firstName.toLowerCase()}@example.gov`, phone: null },
    null,
  );
  const browser = new Browser(portal.app, ip);
  await logIn(browser, made.profile.user_name, 'Secret123');
  return { ...made, browser };
}

before(async () => {
  portal = await startPortal();
  await addOrganization('00350000', 'Springfield Public Schools', 'district');
  await addOrganization('00350505', 'Springfield High School', 'school', '00350000');
  await addOrganization('00350303', 'Springfield Middle School', 'school', '00350000');
  await addOrganization('00400000', 'Shelbyville Public Schools', 'district');
  await addOrganization('00400505', 'Shelbyville High School', 'school', '00400000');
  const dept = await educator('Dora', 'Dept');
  await insertDepartmentRole(portal.db, { profileId: dept.profile.id, role: 'console-admin', grantedBy: null });
  department = new Browser(portal.app, '10.20.0.2');
  await logIn(department, dept.profile.user_name, 'Secret123');
  const da = await adminOf('00350000', 'Dale', 'District', '10.20.0.3');
  districtAdmin = da.browser;
  districtAdminName = da.profile.user_name;
});
after(() => portal.close());

const gradebook = {
  name: 'Gradebook',
  clientId: 'gradebook',
  access: 'restricted',
  roles: 'teacher, viewer',
  redirectUris: 'https://gradebook.example.gov/callback',
  postLogoutRedirectUris: '',
  backchannelLogoutUri: '',
  launchUrl: '',
};

describe('applications are edited in the console', () => {
  test('the department changes name, redirect URIs, roles, access, launch URL and back-channel URI; audited', async () => {
    await department.get('/directory/applications/new');
    assert.equal(
      (await department.post('/directory/applications/new', { ...gradebook, clientId: 'gradebook-edit' })).status,
      200,
    );
    const page = await department.get('/directory/applications/gradebook-edit');
    assert.match(page.body, /href="\/directory\/applications\/gradebook-edit\/edit"/);
    const form = await department.get('/directory/applications/gradebook-edit/edit');
    assert.equal(form.status, 200);
    assert.match(form.body, /value="teacher, viewer"/, 'the form starts from what is stored');
    const res = await department.post('/directory/applications/gradebook-edit/edit', {
      name: 'Gradebook 2',
      access: 'open',
      roles: 'teacher, viewer, parent',
      redirectUris: 'https://gradebook.example.gov/callback\nhttps://gradebook.example.gov/cb2',
      postLogoutRedirectUris: 'https://gradebook.example.gov/',
      backchannelLogoutUri: 'https://gradebook.example.gov/bc',
      launchUrl: 'https://gradebook.example.gov/',
    });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/directory/applications/gradebook-edit?notice=updated');
    assert.match((await department.get(res.location!)).body, /The application’s settings are saved/);
    const stored = await portal.db
      .selectFrom('application')
      .selectAll()
      .where('id', '=', 'gradebook-edit')
      .executeTakeFirstOrThrow();
    assert.equal(stored.name, 'Gradebook 2');
    assert.equal(stored.access, 'open');
    assert.deepEqual(stored.roles, ['teacher', 'viewer', 'parent']);
    assert.deepEqual(stored.redirect_uris, [
      'https://gradebook.example.gov/callback',
      'https://gradebook.example.gov/cb2',
    ]);
    assert.deepEqual(stored.post_logout_redirect_uris, ['https://gradebook.example.gov/']);
    assert.equal(stored.backchannel_logout_uri, 'https://gradebook.example.gov/bc');
    assert.equal(stored.launch_url, 'https://gradebook.example.gov/');
    const events = await portal.db
      .selectFrom('audit_event')
      .select(['detail', 'actor_id'])
      .where('type', '=', 'application.updated')
      .execute();
    assert.equal(events.length, 1);
    // Made restricted: the audit counts whose sign-in ended (no one had signed in yet).
    assert.deepEqual(events[0]!.detail, {
      application: 'gradebook-edit',
      changed: 'name,access,roles,redirectUris,postLogoutRedirectUris,backchannelLogoutUri,launchUrl',
      signedOut: 0,
    });
  });

  test('the rules of registration hold, and a role still granted cannot be removed', async () => {
    await department.get('/directory/applications/new');
    await department.post('/directory/applications/new', { ...gradebook, clientId: 'gradebook-rules' });
    const { profile } = await staffMember('00350505', 'Rita', 'Roles');
    const app = await portal.db
      .selectFrom('application')
      .selectAll()
      .where('id', '=', 'gradebook-rules')
      .executeTakeFirstOrThrow();
    await grantRole(portal.db, null, { person: profile, org: await org('00350505'), app, role: 'viewer' }, null);
    await department.get('/directory/applications/gradebook-rules/edit');
    const edit = { ...gradebook };
    const cases: Array<[Record<string, string>, string]> = [
      [{ redirectUris: '' }, 'Enter at least one redirect URI'],
      [
        { redirectUris: 'http://gradebook.example.gov/cb' },
        'Redirect URI must use https: http://gradebook.example.gov/cb',
      ],
      [{ roles: 'teacher' }, 'Role "viewer" is still granted to 1 person. Revoke it first'],
      [{ name: '' }, 'Enter the application’s name'],
    ];
    for (const [fields, message] of cases) {
      const res = await department.post('/directory/applications/gradebook-rules/edit', { ...edit, ...fields });
      assert.equal(res.status, 422, message);
      assert.deepEqual(errorSummary(res.body), [message]);
    }
    const stored = await portal.db
      .selectFrom('application')
      .select('roles')
      .where('id', '=', 'gradebook-rules')
      .executeTakeFirstOrThrow();
    assert.deepEqual(stored.roles, ['teacher', 'viewer'], 'nothing changed');
  });

  test('ELAR and Directory Administration are part of the portal: no edit', async () => {
    for (const id of ['elar', 'directory']) {
      assert.doesNotMatch((await department.get(`/directory/applications/${id}`)).body, /\/edit"/);
      assert.equal((await department.get(`/directory/applications/${id}/edit`)).status, 404);
      assert.equal(
        (await department.post(`/directory/applications/${id}/edit`, { ...gradebook, name: 'Hijacked' })).status,
        404,
      );
    }
    assert.equal(
      (await portal.db.selectFrom('application').select('name').where('id', '=', 'elar').executeTakeFirstOrThrow())
        .name,
      'ELAR',
    );
  });

  test('a Directory Administrator cannot edit applications', async () => {
    assert.equal((await districtAdmin.get('/directory/applications/sims/edit')).status, 403);
  });
});

describe('the person page of a Directory Administrator', () => {
  test('roles of an open application are granted in the web UI, with a confirmation', async () => {
    const { profile } = await staffMember('00350505', 'Olive', 'Open');
    const page = await districtAdmin.get(`/directory/people/${profile.id}`);
    assert.match(page.body, /<option value="elar:user">ELAR: user<\/option>/);
    const res = await districtAdmin.post(`/directory/people/${profile.id}/roles`, {
      organization: '00350505',
      applicationRole: 'elar:user',
    });
    assert.equal(res.status, 303);
    assert.deepEqual(await rolesFor(portal.db, profile.id, 'elar'), [{ org: '00350505', role: 'user' }]);
    const after = await districtAdmin.get(res.location!);
    assert.match(after.body, /ELAR: user in Springfield High School is granted/);
  });

  test('a revoked role is confirmed too', async () => {
    const { profile } = await staffMember('00350505', 'Reva', 'Revoked');
    await districtAdmin.get(`/directory/people/${profile.id}`);
    await districtAdmin.post(`/directory/people/${profile.id}/roles`, {
      organization: '00350505',
      applicationRole: 'sims:user',
    });
    const res = await districtAdmin.post(`/directory/people/${profile.id}/roles/revoke`, {
      organization: '00350505',
      application: 'sims',
      role: 'user',
    });
    assert.equal(res.status, 303);
    assert.match((await districtAdmin.get(res.location!)).body, /SIMS: user in Springfield High School is revoked/);
    // A hand-made link cannot make the page claim a grant that is not there.
    const spoofed = await districtAdmin.get(
      `/directory/people/${profile.id}?notice=granted&role=sims:user&org=00350505`,
    );
    assert.doesNotMatch(spoofed.body, /is granted|role="status"/);
  });

  test('a locked account says it is locked, and until when', async () => {
    const { profile } = await staffMember('00350505', 'Lola', 'Locked');
    assert.match((await districtAdmin.get(`/directory/people/${profile.id}`)).body, /The account is not locked/);
    for (let i = 0; i < 5; i++) await logIn(new Browser(portal.app, `10.20.1.${i}`), profile.user_name, 'WrongWrong1');
    const row = await portal.db
      .selectFrom('login_throttle')
      .select('locked_until')
      .where('key', '=', `user:${profile.user_name}`)
      .executeTakeFirstOrThrow();
    const until = row.locked_until!.toISOString();
    const page = await districtAdmin.get(`/directory/people/${profile.id}`);
    assert.match(
      page.body,
      new RegExp(
        `The account is locked until ${until.slice(11, 16)} UTC on ${until.slice(0, 10)} after too many failed attempts`,
      ),
    );
    assert.doesNotMatch(page.body, /The account is not locked/);
  });

  test('reset password and sign out everywhere show a confirm page first; the POST acts', async () => {
    const { profile } = await staffMember('00350505', 'Cora', 'Confirm');
    const page = await districtAdmin.get(`/directory/people/${profile.id}`);
    assert.match(
      page.body,
      new RegExp(
        `<a class="usa-button usa-button--secondary" href="/directory/people/${profile.id}/reset-password">Reset password</a>`,
      ),
    );
    assert.match(
      page.body,
      new RegExp(
        `<a class="usa-button usa-button--outline" href="/directory/people/${profile.id}/sessions/end">Sign out everywhere</a>`,
      ),
    );

    const reset = await districtAdmin.get(`/directory/people/${profile.id}/reset-password`);
    assert.equal(reset.status, 200);
    assert.match(reset.body, /<h1>Reset the password of Cora Confirm\?<\/h1>/);
    assert.match(reset.body, new RegExp(`action="/directory/people/${profile.id}/reset-password"`));
    const signOut = await districtAdmin.get(`/directory/people/${profile.id}/sessions/end`);
    assert.match(signOut.body, /<h1>Sign Cora Confirm out everywhere\?<\/h1>/);
    const events = await portal.db
      .selectFrom('audit_event')
      .select('type')
      .where('subject_id', '=', profile.id)
      .where('type', 'in', ['password.reset', 'sessions.ended'])
      .execute();
    assert.equal(events.length, 0, 'looking at the confirm pages changes nothing');

    const done = await districtAdmin.post(`/directory/people/${profile.id}/reset-password`, {});
    assert.equal(done.status, 200);
    assert.match(done.body, /data-temporary-password/);
    assert.equal(
      (await department.get(`/directory/people/${profile.id}/sessions/end`)).status,
      200,
      'the department too',
    );
    assert.equal(
      (await new Browser(portal.app).get(`/directory/people/${profile.id}/reset-password`)).status,
      303,
      'anonymous: to login',
    );
  });

  test('an existing person added as staff keeps the work email, shown for that organization', async () => {
    const { person, profile } = await educator('Wes', 'Work');
    await districtAdmin.get('/directory/organizations/00350303/staff/new');
    const res = await districtAdmin.post('/directory/organizations/00350303/staff/new', {
      ...identityFields(person),
      email: 'wes.work@springfield.example',
    });
    // Wes has his own account: the administrator acts on him once he confirms the employer (attack F2).
    assert.equal(res.location, '/directory/organizations/00350303?notice=added-pending');
    const staff = await districtAdmin.get('/directory/organizations/00350303?q=work');
    assert.match(staff.body, /<td data-label="Work email">wes.work@springfield.example<\/td>/);
    const wes = new Browser(portal.app, '10.20.2.1');
    await logIn(wes, profile.user_name, 'Secret123');
    await wes.get('/');
    assert.equal((await wes.post(`/account/memberships/${(await org('00350303')).id}/confirm`, {})).status, 303);
    const page = await districtAdmin.get(`/directory/people/${profile.id}`);
    assert.match(page.body, /Springfield Middle School \(00350303\) · work email wes.work@springfield.example/);
    assert.notEqual(
      (await profileByUserName(profile.user_name)).email,
      'wes.work@springfield.example',
      'the person’s own email is theirs',
    );
    const again = await districtAdmin.post('/directory/organizations/00350303/staff/new', {
      ...identityFields(person),
      email: 'wes@middle.example',
    });
    assert.match(
      (await districtAdmin.get(again.location!)).body,
      /This person is already on your staff. The work email wes@middle.example is kept for Springfield Middle School/,
    );
  });
});

describe('organizations', () => {
  test('an inactive organization does not serve the add-staff or designate forms', async () => {
    await addOrganization('00350909', 'Springfield Closed School', 'school', '00350000');
    await portal.db.updateTable('organization').set({ status: 'inactive' }).where('code', '=', '00350909').execute();
    for (const path of ['staff/new', 'administrators/new']) {
      const res = await department.get(`/directory/organizations/00350909/${path}`);
      assert.equal(res.status, 409, path);
      assert.match(res.body, /<h1>Springfield Closed School is inactive<\/h1>/);
      assert.doesNotMatch(res.body, /name="firstName"|name="username"/, 'no form');
    }
  });

  test('an error that is about no one field is in the summary without a field', async () => {
    const { person } = await staffMember('00350505', 'Pam', 'Partial');
    await districtAdmin.get('/directory/organizations/00350505/staff/new');
    const res = await districtAdmin.post('/directory/organizations/00350505/staff/new', {
      ...identityFields({ ...person, firstName: 'Pamela' }),
      email: '',
    });
    assert.equal(res.status, 409);
    assert.deepEqual(errorSummary(res.body), [
      'These details conflict with an existing profile. The conflict has been sent to be resolved',
    ]);
    assert.doesNotMatch(res.body, /id="firstName-error"/, 'not on First name');
    assert.match(res.body, /<li>These details conflict/, 'no link to a field');
  });

  test('the district page lists its schools, with links', async () => {
    const page = await districtAdmin.get('/directory/organizations/00350000');
    assert.match(page.body, /<h2>Schools<\/h2>/);
    assert.match(page.body, /<a href="\/directory\/organizations\/00350505">Springfield High School<\/a>/);
    assert.match(page.body, /<a href="\/directory\/organizations\/00350303">Springfield Middle School<\/a>/);
    assert.doesNotMatch(page.body, /Shelbyville/);
    assert.doesNotMatch((await districtAdmin.get('/directory/organizations/00350505')).body, /<h2>Schools<\/h2>/);
  });

  test('the district’s staff search includes its schools’ staff, saying where they work', async () => {
    const { profile } = await staffMember('00350303', 'Sam', 'Schoolstaff');
    await staffMember('00400505', 'Sal', 'Schoolstaff');
    const page = await districtAdmin.get('/directory/organizations/00350000?q=schoolstaff');
    assert.match(page.body, /<p>1 person<\/p>/);
    assert.match(page.body, new RegExp(`<a href="/directory/people/${profile.id}">Schoolstaff, Sam</a>`));
    assert.match(page.body, /<td data-label="Organization">Springfield Middle School<\/td>/);
  });
});

describe('who administers an organization', () => {
  test('a school without its own administrator shows its district’s, at the district level, publicly and on its page', async () => {
    await addOrganization('00350707', 'Springfield Elementary', 'school', '00350000');
    const list = await new Browser(portal.app).get('/directory-administrators?q=00350707');
    assert.match(
      list.body,
      /Springfield Elementary \(00350707\)<\/th><td data-label="Directory Administrator">Dale District<\/td><td data-label="Acts as">District administrator \(Springfield Public Schools\)<\/td>/,
    );
    const page = await department.get('/directory/organizations/00350707');
    assert.doesNotMatch(page.body, /None designated/);
    assert.match(page.body, /Dale District · District administrator \(Springfield Public Schools\)/);
    assert.doesNotMatch(
      page.body,
      /Revoke<span class="usa-sr-only"> Dale District/,
      'revoked on the district’s page, not here',
    );
  });

  test('a school’s own administrator is listed at the school level', async () => {
    await addOrganization('00350808', 'Springfield Tech', 'school', '00350000');
    await adminOf('00350808', 'Tess', 'Tech', '10.20.0.4');
    const list = await new Browser(portal.app).get('/directory-administrators?q=00350808');
    assert.match(
      list.body,
      /<td data-label="Directory Administrator">Tess Tech<\/td><td data-label="Acts as">School administrator<\/td>/,
    );
    assert.match(list.body, /Dale District/);
  });

  test('a district administrator picks a school’s new administrator from its staff', async () => {
    await addOrganization('00350606', 'Springfield Arts', 'school', '00350000');
    const { profile } = await staffMember('00350606', 'Pia', 'Picked');
    const outsider = await educator('Otto', 'Outsider');
    const form = await districtAdmin.get('/directory/organizations/00350606/administrators/new');
    assert.match(
      form.body,
      new RegExp(`<option value="${profile.id}">Picked, Pia \\(${profile.user_name}\\)</option>`),
    );
    assert.doesNotMatch(form.body, /name="username"/, 'only the department types a User Name');
    const refused = await districtAdmin.post('/directory/organizations/00350606/administrators/new', {
      profileId: outsider.profile.id,
      email: '',
      phone: '',
    });
    assert.equal(refused.status, 422);
    assert.deepEqual(errorSummary(refused.body), ['Choose a member of Springfield Arts’s staff']);
    // Typing a User Name is the department's alone: the takeover began with "any active User Name".
    const typed = await districtAdmin.post('/directory/organizations/00350606/administrators/new', {
      username: outsider.profile.user_name,
      email: '',
      phone: '',
    });
    assert.equal(typed.status, 422);
    assert.deepEqual(errorSummary(typed.body), ['Choose a member of Springfield Arts’s staff']);
    const res = await districtAdmin.post('/directory/organizations/00350606/administrators/new', {
      profileId: profile.id,
      email: '',
      phone: '',
    });
    assert.equal(res.status, 303);
    const admins = await portal.db
      .selectFrom('directory_administrator')
      .select('profile_id')
      .where('organization_id', '=', (await org('00350606')).id)
      .execute();
    assert.deepEqual(
      admins.map((a) => a.profile_id),
      [profile.id],
    );
  });

  test('the department may type a User Name, in any case', async () => {
    const { profile } = await educator('Uma', 'Username');
    await department.get('/directory/organizations/00400505/administrators/new');
    const res = await department.post('/directory/organizations/00400505/administrators/new', {
      profileId: '',
      username: profile.user_name.toLowerCase(),
      email: '',
      phone: '',
    });
    assert.equal(res.status, 303);
    assert.match(
      (await department.get('/directory/organizations/00400505')).body,
      /Uma Username · School administrator/,
    );
    const none = await department.post('/directory/organizations/00400505/administrators/new', {
      profileId: '',
      username: '',
      email: '',
      phone: '',
    });
    assert.deepEqual(errorSummary(none.body), ['Choose a staff member or enter a User Name']);
  });
});

describe('access denied', () => {
  test('a plain page visit without permission has its own title and words', async () => {
    const educatorBrowser = new Browser(portal.app, '10.20.0.5');
    const { profile } = await educator('Ed', 'Educator');
    await logIn(educatorBrowser, profile.user_name, 'Secret123');
    const res = await educatorBrowser.get('/directory/audit');
    assert.equal(res.status, 403);
    assert.match(res.body, /<title>You do not have access to this page - /);
    assert.match(res.body, /<h1>You do not have access to this page<\/h1>/);
    assert.doesNotMatch(res.body, /could not be sent/);
    const csrf = await educatorBrowser.post('/account/password', {}, { csrf: false });
    assert.equal(csrf.status, 403);
    assert.match(csrf.body, /<h1>Your form could not be sent<\/h1>/, 'a refused form still says so');
  });
});

describe('the partial-match queue', () => {
  /** Create, then Forgot, with one wrong detail: two attempts of one person. */
  async function twoAttempts(person: Person, wrong: Partial<Person>) {
    const b = new Browser(portal.app, '10.20.2.1');
    assert.equal(
      (await b.submit('/profile/new', '/profile/new/identity', identityFields({ ...person, ...wrong }))).location,
      '/profile/new/partial-match',
    );
    const r = new Browser(portal.app, '10.20.2.2');
    const recover = await r.submit(
      '/account/recover',
      '/account/recover/identity',
      identityFields({ ...person, ...wrong }),
    );
    assert.match(recover.location ?? '', /partial-match/);
  }

  test('one person trying Create and then Forgot has one case, with both attempts', async () => {
    const { person, profile } = await staffMember('00350505', 'Mia', 'Merged');
    await twoAttempts(person, { firstName: 'Maya' });
    const cases = await portal.db
      .selectFrom('match_conflict')
      .selectAll()
      .where('profile_id', '=', profile.id)
      .execute();
    assert.equal(cases.length, 1);
    assert.equal(cases[0]!.attempts, 2);
    const queue = await department.get('/directory/conflicts');
    assert.match(queue.body, /Merged, Mia/);
    assert.match(queue.body, /2 attempts/);
  });

  test('the fields that differ are in words', async () => {
    const { person } = await staffMember('00350505', 'Finn', 'Fields');
    await twoAttempts(person, { firstName: 'Fin' });
    const queue = await department.get('/directory/conflicts');
    assert.match(queue.body, /<td data-label="Fields that differ">First name<\/td>/);
    assert.doesNotMatch(queue.body, />firstName</);
  });

  test('closing a case asks for a reason and a confirmation', async () => {
    const { person, profile } = await staffMember('00350505', 'Cleo', 'Closed');
    await twoAttempts(person, { lastName: 'Klosed' });
    const row = await portal.db
      .selectFrom('match_conflict')
      .select('id')
      .where('profile_id', '=', profile.id)
      .executeTakeFirstOrThrow();
    const queue = await department.get('/directory/conflicts');
    assert.match(queue.body, new RegExp(`href="/directory/conflicts/${row.id}/resolve"`));
    const confirm = await department.get(`/directory/conflicts/${row.id}/resolve`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.body, /<h1>Close this partial match\?<\/h1>/);
    assert.match(confirm.body, /Closed, Cleo/);
    const empty = await department.post(`/directory/conflicts/${row.id}/resolve`, { reason: ' ' });
    assert.equal(empty.status, 422);
    assert.deepEqual(errorSummary(empty.body), ['Enter why you are closing this case']);
    assert.equal(
      (await portal.db.selectFrom('match_conflict').select('status').where('id', '=', row.id).executeTakeFirstOrThrow())
        .status,
      'open',
    );
    const long = await department.post(`/directory/conflicts/${row.id}/resolve`, { reason: 'x'.repeat(1001) });
    assert.deepEqual(errorSummary(long.body), ['The reason must be 1000 characters or fewer']);
    const done = await department.post(`/directory/conflicts/${row.id}/resolve`, {
      reason: 'Not the same person:\r\ncalled them back',
    });
    assert.equal(done.location, '/directory/conflicts?notice=closed');
    const closed = await portal.db
      .selectFrom('match_conflict')
      .select(['status', 'resolution_note'])
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      closed,
      { status: 'resolved', resolution_note: 'Not the same person:\r\ncalled them back' },
      'a reason may take several lines',
    );
    assert.equal(
      (
        await portal.db
          .selectFrom('audit_event')
          .select('id')
          .where('type', '=', 'conflict.resolved')
          .where('subject_id', '=', profile.id)
          .execute()
      ).length,
      1,
    );
  });

  test('a Directory Administrator sees the conflicts of their own staff only, read-only, with the fix link', async () => {
    const mine = await staffMember('00350303', 'Ada', 'Ownstaff');
    const theirs = await staffMember('00400505', 'Abe', 'Otherstaff');
    await twoAttempts(mine.person, { firstName: 'Adda' });
    await twoAttempts(theirs.person, { firstName: 'Abbe' });
    const home = await districtAdmin.get('/directory');
    assert.match(home.body, /href="\/directory\/conflicts"/);
    const queue = await districtAdmin.get('/directory/conflicts');
    assert.equal(queue.status, 200);
    assert.match(queue.body, /Ownstaff, Ada/);
    assert.doesNotMatch(queue.body, /Otherstaff/);
    assert.match(queue.body, new RegExp(`href="/directory/people/${mine.profile.id}/fix"`));
    // What was typed may be the real person's birth date and SSN: those stay with the department.
    assert.match(queue.body, /<td data-label="Submitted">Adda Ownstaff<\/td>/);
    assert.doesNotMatch(queue.body, /born|SSN ending/);
    assert.doesNotMatch(queue.body, /\/resolve"/, 'closing is the department’s');
    const row = await portal.db
      .selectFrom('match_conflict')
      .select('id')
      .where('profile_id', '=', mine.profile.id)
      .executeTakeFirstOrThrow();
    assert.equal((await districtAdmin.get(`/directory/conflicts/${row.id}/resolve`)).status, 403);
    const educatorBrowser = new Browser(portal.app, '10.20.0.6');
    const plain = await educator('Pat', 'Plain');
    await logIn(educatorBrowser, plain.profile.user_name, 'Secret123');
    assert.equal((await educatorBrowser.get('/directory/conflicts')).status, 403);
  });
});

describe('the audit log', () => {
  test('events are in words, and command-line actions say so', async () => {
    const { profile } = await staffMember('00350505', 'Cliff', 'Commandline');
    const sims = await portal.db
      .selectFrom('application')
      .selectAll()
      .where('id', '=', 'sims')
      .executeTakeFirstOrThrow();
    await grantRole(
      portal.db,
      null,
      { person: profile, org: await org('00350505'), app: sims, role: 'submitter' },
      null,
    );
    const page = await department.get(`/directory/audit?type=role.granted&user=${profile.user_name}`);
    assert.match(page.body, /<p>1 event<\/p>/);
    assert.match(
      page.body,
      /<th scope="row" data-label="Event">Role granted<\/th><td data-label="By">command line<\/td>/,
    );
    assert.match(page.body, /<option value="role.granted" selected>Role granted<\/option>/);
    const login = await department.get(`/directory/audit?type=login.succeeded&user=${districtAdminName}`);
    assert.match(login.body, /<th scope="row" data-label="Event">Logged in<\/th>/);
  });

  test('every audit event type has words', async () => {
    const { AUDIT_EVENT_WORDS } = await import('../../src/directory/audit-words.ts');
    assert.deepEqual(
      AUDIT_EVENT_TYPES.filter((t) => !AUDIT_EVENT_WORDS[t]),
      [],
    );
  });
});
