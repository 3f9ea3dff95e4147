import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { designateAdministrator, grantRole } from '../../src/directory/service.ts';
import { mayUseApplication, rolesFor } from '../../src/sso/access.ts';
import {
  Browser,
  createProfile,
  errorSummary,
  identityFields,
  logIn,
  outcomeOf,
  startPortal,
  textOf,
  type TestPortal,
} from '../helpers/portal.ts';

let portal: TestPortal;
let department: Browser;
let districtAdmin: { userName: string; browser: Browser };

async function addOrganization(code: string, name: string, type: 'district' | 'school', districtCode?: string) {
  const district = districtCode
    ? await portal.db.selectFrom('organization').select('id').where('code', '=', districtCode).executeTakeFirstOrThrow()
    : undefined;
  await portal.db.insertInto('organization').values({ id: randomUUID(), code, name, type, district_id: district?.id ?? null, town: 'Springfield', phone: null }).execute();
}

before(async () => {
  portal = await startPortal({ BOOTSTRAP_ADMIN_PASSWORD: 'unused' });
  await addOrganization('00350000', 'Springfield Public Schools', 'district');
  await addOrganization('00350505', 'Springfield High School', 'school', '00350000');
  await addOrganization('00400000', 'Shelbyville Public Schools', 'district');
  await addOrganization('00400505', 'Shelbyville High School', 'school', '00400000');

  const dept = await createProfile(new Browser(portal.app), { firstName: 'Dora', lastName: 'Dept', dob: ['1', '1', '1970'], ssn: '801-11-1111' });
  await portal.db.updateTable('profile').set({ department_role: 'admin' }).where('user_name', '=', dept.userName).execute();
  department = new Browser(portal.app, '10.9.0.1');
  await logIn(department, dept.userName, 'Secret123');

  const da = await createProfile(new Browser(portal.app), { firstName: 'Dale', lastName: 'District', dob: ['2', '2', '1972'], ssn: '802-22-2222' });
  districtAdmin = { userName: da.userName, browser: new Browser(portal.app, '10.9.0.2') };
});
after(() => portal.close());

describe('the department designates a district Directory Administrator, who runs their schools', () => {
  let newcomerId = '';
  const newcomer = { firstName: 'Nora', lastName: 'Newcomer', dob: ['6', '15', '1991'] as [string, string, string], ssn: '803-33-3333' };

  test('department designates; the administrator is published on the public list', async () => {
    await department.get('/directory/organizations/00350000/administrators/new');
    const res = await department.post('/directory/organizations/00350000/administrators/new', {
      username: districtAdmin.userName,
      email: 'dale@springfield.example',
      phone: '413 555 0100',
    });
    assert.equal(res.status, 303);
    const list = await new Browser(portal.app).get('/directory-administrators?q=springfield');
    assert.match(list.body, /Springfield Public Schools \(00350000\)/);
    assert.match(list.body, /dale@springfield.example/);
    assert.doesNotMatch(list.body, new RegExp(districtAdmin.userName), 'User Names are not published');
    const byCode = await new Browser(portal.app).get('/directory-administrators?q=0035');
    assert.match(byCode.body, /Dale District/);
    const none = await new Browser(portal.app).get('/directory-administrators?q=shelbyville');
    assert.match(none.body, /No Directory Administrators found/);
  });

  test('a Directory Administrator chooses the contact details published for them', async () => {
    const b = districtAdmin.browser;
    await logIn(b, districtAdmin.userName, 'Secret123');
    const page = await b.get('/directory/organizations/00350000');
    assert.match(page.body, /Change the contact details published for you/);
    const form = await b.get('/directory/organizations/00350000/administrators/me');
    assert.match(form.body, /value="dale@springfield.example"/);
    const bad = await b.post('/directory/organizations/00350000/administrators/me', { email: 'dale at springfield', phone: '' });
    assert.equal(bad.status, 422);
    assert.deepEqual(errorSummary(bad.body), ['Enter an email address in the correct format, like name@example.com']);
    const saved = await b.post('/directory/organizations/00350000/administrators/me', { email: '', phone: '413 555 0199' });
    assert.equal(saved.status, 303);
    const list = await new Browser(portal.app).get('/directory-administrators?q=00350000');
    assert.match(list.body, /413 555 0199/);
    assert.doesNotMatch(list.body, /dale@springfield.example/, 'an emptied field is no longer published');
    assert.equal((await b.get('/directory/organizations/00350505/administrators/me')).status, 403, 'not designated at the school itself');
    assert.equal((await department.get('/directory/organizations/00350000/administrators/me')).status, 404, 'the department has no designation there');
    const event = await portal.db.selectFrom('audit_event').select(['detail']).where('type', '=', 'diradmin.contactsChanged').executeTakeFirstOrThrow();
    assert.deepEqual(event.detail, { organization: '00350000' });
    await b.post('/directory/organizations/00350000/administrators/me', { email: 'dale@springfield.example', phone: '413 555 0100' });
  });

  test('the district administrator sees their district and its schools only', async () => {
    const b = districtAdmin.browser;
    await logIn(b, districtAdmin.userName, 'Secret123');
    const home = await b.get('/');
    assert.match(home.body, /Directory Administration/);
    const orgs = await b.get('/directory/organizations');
    assert.match(orgs.body, /Springfield High School/);
    assert.doesNotMatch(orgs.body, /Shelbyville/);
  });

  test('adds a new staff member to a school: a pre-created profile', async () => {
    const b = districtAdmin.browser;
    await b.get('/directory/organizations/00350505/staff/new');
    const bad = await b.post('/directory/organizations/00350505/staff/new', { firstName: '', lastName: 'X', dobMonth: '', dobDay: '', dobYear: '', ssn: '1', email: '' });
    assert.equal(bad.status, 422);
    assert.deepEqual(errorSummary(bad.body), ['Enter first name', 'Social Security number must be 9 digits, like 123 45 6789', 'Enter your date of birth']);
    const res = await b.post('/directory/organizations/00350505/staff/new', { ...identityFields(newcomer), email: 'nora@springfield.example' });
    assert.equal(res.status, 303);
    assert.match(res.location!, /^\/directory\/people\/[0-9a-f-]{36}\?notice=added-new&org=00350505$/);
    newcomerId = res.location!.split('/')[3]!.split('?')[0]!;
    const page = await b.get(res.location!);
    assert.match(page.body, /A profile was started for this person/);
    assert.match(page.body, /Not yet completed by the person/);
    const staff = await b.get('/directory/organizations/00350505?q=newcomer');
    assert.match(staff.body, /Newcomer, Nora/);
  });

  test('grants SIMS; the grant is audited with who did it', async () => {
    const b = districtAdmin.browser;
    await b.get(`/directory/people/${newcomerId}`);
    const res = await b.post(`/directory/people/${newcomerId}/roles`, { organization: '00350505', applicationRole: 'sims:user' });
    assert.equal(res.status, 303);
    const page = await b.get(`/directory/people/${newcomerId}`);
    assert.match(page.body, /<th scope="row" data-label="Application">SIMS<\/th><td data-label="Role">user<\/td>/);
    const unknownRole = await b.post(`/directory/people/${newcomerId}/roles`, { organization: '00350505', applicationRole: 'sims:superuser' });
    assert.equal(unknownRole.status, 422);
    const event = await portal.db
      .selectFrom('audit_event')
      .innerJoin('profile', 'profile.id', 'audit_event.actor_id')
      .select(['profile.user_name', 'audit_event.detail'])
      .where('audit_event.type', '=', 'role.granted')
      .executeTakeFirstOrThrow();
    assert.equal(event.user_name, districtAdmin.userName);
    assert.deepEqual(event.detail, { organization: '00350505', application: 'sims', role: 'user' });
  });

  test('the staff member completes the profile (P3 case 2) and sees SIMS on the portal home', async () => {
    const b = new Browser(portal.app, '10.9.0.3');
    const res = await b.submit('/profile/new', '/profile/new/identity', identityFields(newcomer));
    assert.equal(res.location, '/profile/new/security');
    await b.submit('/profile/new/security', '/profile/new/security', { hintQuestion: 'Q?', hintAnswer: 'A', password: 'Mine2026', passwordConfirm: 'Mine2026' });
    const done = await b.follow(await b.submit('/profile/new/review', '/profile/new/review', {}));
    assert.equal(outcomeOf(done.body), 'completed');
    const userName = textOf(done.body, 'data-username')!;
    await logIn(b, userName, 'Mine2026');
    const home = await b.get('/');
    assert.match(home.body, /<h3 class="usa-card__heading">SIMS<\/h3>/);
    assert.match(home.body, /<h3 class="usa-card__heading">ELAR<\/h3>/);
    assert.doesNotMatch(home.body, /MDCS/, 'no role, no application');
  });

  test('signs the person out everywhere without touching the password', async () => {
    const row = await portal.db.selectFrom('profile').select('user_name').where('id', '=', newcomerId).executeTakeFirstOrThrow();
    const staffSession = new Browser(portal.app, '10.9.0.3');
    await logIn(staffSession, row.user_name, 'Mine2026');
    const b = districtAdmin.browser;
    const page = await b.get(`/directory/people/${newcomerId}`);
    assert.match(page.body, /Sign out everywhere/);
    const res = await b.post(`/directory/people/${newcomerId}/sessions/end`, {});
    assert.equal(res.location, `/directory/people/${newcomerId}?notice=signed-out`);
    assert.match((await b.get(res.location!)).body, /signed out of the portal and of every application/);
    assert.equal((await staffSession.get('/account')).status, 303, 'the session is ended');
    const event = await portal.db.selectFrom('audit_event').selectAll().where('type', '=', 'sessions.ended').where('subject_id', '=', newcomerId).executeTakeFirstOrThrow();
    const actor = await portal.db.selectFrom('profile').select('id').where('user_name', '=', districtAdmin.userName).executeTakeFirstOrThrow();
    assert.equal(event.actor_id, actor.id);
    assert.equal((await logIn(new Browser(portal.app, '10.9.0.3'), row.user_name, 'Mine2026')).status, 303, 'the password still works');
  });

  test('resets the password: a temporary one shown once, changed at next login, sessions ended', async () => {
    const row = await portal.db.selectFrom('profile').select('user_name').where('id', '=', newcomerId).executeTakeFirstOrThrow();
    const staffSession = new Browser(portal.app, '10.9.0.4');
    await logIn(staffSession, row.user_name, 'Mine2026');
    const b = districtAdmin.browser;
    await b.get(`/directory/people/${newcomerId}`);
    const res = await b.post(`/directory/people/${newcomerId}/reset-password`, {});
    assert.equal(res.status, 200);
    const temporary = /data-temporary-password[^>]*>([^<]+)</.exec(res.body)![1]!;
    assert.match(temporary, /^[A-Za-z0-9]{12}$/);
    assert.equal(res.headers['cache-control'], 'no-store');
    const stored = await portal.db.selectFrom('audit_event').select('detail').where('type', '=', 'password.reset').execute();
    assert.ok(!JSON.stringify(stored).includes(temporary));
    assert.equal((await staffSession.get('/account')).status, 303, 'the old session is ended');
    const again = new Browser(portal.app, '10.9.0.5');
    const login = await logIn(again, row.user_name, temporary);
    assert.equal(login.location, '/account/password');
    assert.equal((await again.get('/')).location, '/account/password');
  });

  test('a temporary password expires unused after three days; the right one then says so, a wrong one does not', async () => {
    const row = await portal.db.selectFrom('profile').select(['user_name', 'password_expires_at']).where('id', '=', newcomerId).executeTakeFirstOrThrow();
    assert.ok(row.password_expires_at, 'the reset set an expiry');
    const hours = (row.password_expires_at.getTime() - Date.now()) / 3_600_000;
    assert.ok(hours > 71 && hours <= 72, `expires in ${hours} h`);
    const b = districtAdmin.browser;
    await b.get(`/directory/people/${newcomerId}`);
    const res = await b.post(`/directory/people/${newcomerId}/reset-password`, {});
    const temporary = /data-temporary-password[^>]*>([^<]+)</.exec(res.body)![1]!;
    await portal.db.updateTable('profile').set({ password_expires_at: new Date(Date.now() - 1000) }).where('id', '=', newcomerId).execute();
    const wrong = await logIn(new Browser(portal.app, '10.9.0.7'), row.user_name, 'NotTheTemp1');
    assert.equal(wrong.status, 422);
    assert.doesNotMatch(wrong.body, /expired/, 'only the right password learns that it expired');
    const expired = await logIn(new Browser(portal.app, '10.9.0.8'), row.user_name, temporary);
    assert.equal(expired.status, 422);
    assert.equal(outcomeOf(expired.body), 'temporary-password-expired');
    assert.match(expired.body, /temporary password has expired/);
    assert.equal(expired.location, undefined, 'no session');
    // A new reset gives a fresh one that works.
    await b.get(`/directory/people/${newcomerId}`);
    const again = /data-temporary-password[^>]*>([^<]+)</.exec((await b.post(`/directory/people/${newcomerId}/reset-password`, {})).body)![1]!;
    assert.equal((await logIn(new Browser(portal.app, '10.9.0.9'), row.user_name, again)).location, '/account/password');
  });

  test('unlocks a locked account', async () => {
    const row = await portal.db.selectFrom('profile').select('user_name').where('id', '=', newcomerId).executeTakeFirstOrThrow();
    for (let i = 0; i < 5; i++) await logIn(new Browser(portal.app, `10.9.1.${i}`), row.user_name, 'WrongWrong1');
    assert.equal((await logIn(new Browser(portal.app, '10.9.1.9'), row.user_name, 'WrongWrong1')).status, 429);
    const b = districtAdmin.browser;
    const page = await b.get(`/directory/people/${newcomerId}`);
    assert.match(page.body, /Unlock account/);
    const res = await b.post(`/directory/people/${newcomerId}/unlock`, {});
    assert.equal(res.location, `/directory/people/${newcomerId}?notice=unlocked`);
    assert.equal((await logIn(new Browser(portal.app, '10.9.1.10'), row.user_name, 'WrongWrong1')).status, 422, 'counting starts again');
    const events = await portal.db.selectFrom('audit_event').select('type').where('type', '=', 'account.unlocked').execute();
    assert.equal(events.length, 1);
  });

  test('another district\u2019s administrator cannot see or touch the staff member', async () => {
    const other = await createProfile(new Browser(portal.app), { firstName: 'Sid', lastName: 'Shelby', dob: ['3', '3', '1973'], ssn: '804-44-4444' });
    await department.get('/directory/organizations/00400000/administrators/new');
    await department.post('/directory/organizations/00400000/administrators/new', { username: other.userName, email: '', phone: '' });
    const b = new Browser(portal.app, '10.9.0.6');
    await logIn(b, other.userName, 'Secret123');
    const page = await b.get(`/directory/people/${newcomerId}`);
    assert.equal(page.status, 403);
    assert.doesNotMatch(page.body, /Newcomer/);
    const school = await b.get('/directory/organizations/00350505');
    assert.equal(school.status, 403);
    await b.get('/');
    assert.equal((await b.post(`/directory/people/${newcomerId}/reset-password`, {})).status, 403);
  });
});

describe('partial matches: queue, fix, retry', () => {
  test('a partial match appears in the department queue; fixing the record lets the person continue', async () => {
    const person = { firstName: 'Pia', lastName: 'Partial', dob: ['9', '9', '1989'] as [string, string, string], ssn: '805-55-5555' };
    // The record was entered with a typo in the first name.
    await districtAdmin.browser.get('/directory/organizations/00350505/staff/new');
    const added = await districtAdmin.browser.post('/directory/organizations/00350505/staff/new', { ...identityFields({ ...person, firstName: 'Pya' }), email: '' });
    const id = added.location!.split('/')[3]!.split('?')[0]!;

    const b = new Browser(portal.app, '10.9.0.7');
    const res = await b.submit('/profile/new', '/profile/new/identity', identityFields(person));
    assert.equal(res.location, '/profile/new/partial-match');

    const queue = await department.get('/directory/conflicts');
    assert.match(queue.body, /Partial, Pya/);
    assert.match(queue.body, /<td data-label="Fields that differ">First name<\/td>/);
    assert.match(queue.body, /SSN ending 5555/);
    assert.doesNotMatch(queue.body, /805-55-5555|805555555/);

    await districtAdmin.browser.get(`/directory/people/${id}/fix`);
    const fixed = await districtAdmin.browser.post(`/directory/people/${id}/fix`, { ...identityFields(person), ssn: '', email: '' });
    assert.equal(fixed.location, `/directory/people/${id}?notice=fixed`);
    assert.match((await department.get('/directory/conflicts')).body, /There are no open partial matches/);

    const retry = new Browser(portal.app, '10.9.0.8');
    assert.equal((await retry.submit('/profile/new', '/profile/new/identity', identityFields(person))).location, '/profile/new/security');
  });

  test('fixing an SSN to one that belongs to someone else is refused', async () => {
    const row = await portal.db.selectFrom('profile').select('id').where('last_name', '=', 'Partial').executeTakeFirstOrThrow();
    await department.get(`/directory/people/${row.id}/fix`);
    const res = await department.post(`/directory/people/${row.id}/fix`, { firstName: 'Pia', lastName: 'Partial', dobMonth: '9', dobDay: '9', dobYear: '1989', ssn: '801-11-1111', email: '' });
    assert.equal(res.status, 409);
    assert.match(res.body, /belongs to another profile/);
  });
});

describe('department console', () => {
  test('find a person by last name, "Last, First", User Name or MEPID', async () => {
    const byLast = await department.get('/directory/people?q=newcomer');
    assert.match(byLast.body, /Newcomer, Nora/);
    const byBoth = await department.get('/directory/people?q=Newcomer%2C%20No');
    assert.match(byBoth.body, /Newcomer, Nora/);
    const mepid = textOf(byLast.body.replace(/<td data-label="MEPID">/, '<td data-mepid>'), 'data-mepid')!;
    assert.match((await department.get(`/directory/people?q=${mepid}`)).body, /Newcomer, Nora/);
  });

  test('audit log filters by event and by User Name, newest first, paged', async () => {
    const all = await department.get('/directory/audit');
    assert.match(all.body, /events<\/p>/);
    const grants = await department.get('/directory/audit?type=role.granted');
    assert.match(grants.body, /1 event</);
    const byUser = await department.get(`/directory/audit?user=${districtAdmin.userName}&type=staff.added`);
    assert.match(byUser.body, /2 events</);
    const page2 = await department.get('/directory/audit?page=2');
    assert.equal(page2.status, 200);
    const bogus = await department.get('/directory/audit?type=%3Cscript%3E&page=-4');
    assert.equal(bogus.status, 200);
  });

  test('the application catalog is there on a fresh start', async () => {
    const page = await department.get('/directory/applications');
    for (const name of ['Directory Administration', 'ELAR', 'MDCS', 'SIMS', 'Drop Box Central', 'NCLB Report Card Assistant', 'TechPlan', 'Data collections']) {
      assert.match(page.body, new RegExp(name));
    }
  });
});

describe('department console: organizations', () => {
  test('adds an organization: each rule has its own message, the values are kept', async () => {
    await department.get('/directory/organizations/new');
    const empty = await department.post('/directory/organizations/new', {});
    assert.equal(empty.status, 422);
    assert.deepEqual(errorSummary(empty.body), [
      'Enter the organization’s name',
      'Enter the organization code as 8 digits, like 00350505',
      'Select the kind of organization',
    ]);
    const cases: Array<[Record<string, string>, string]> = [
      [{ code: '00500505', type: 'district' }, "A district's code must end in 0000"],
      [{ code: '00500000', type: 'school' }, "A school's code cannot end in 0000 (that is its district's code)"],
      [{ code: '00500505', type: 'school' }, 'There is no district with code 00500000. Add the district first'],
      [{ code: '00350000', type: 'district' }, 'An organization with code 00350000 already exists'],
    ];
    for (const [fields, message] of cases) {
      const res = await department.post('/directory/organizations/new', { name: 'Ogunquit Public Schools', town: 'Ogunquit', phone: '', ...fields });
      assert.equal(res.status, 422, message);
      assert.deepEqual(errorSummary(res.body), [message]);
      assert.match(res.body, /value="Ogunquit Public Schools"/, 'the values are kept');
    }
  });

  test('adds a district and then its school; both audited', async () => {
    const district = await department.post('/directory/organizations/new', { name: 'Ogunquit Public Schools', code: '00500000', type: 'district', town: 'Ogunquit', phone: '207 555 0100' });
    assert.equal(district.status, 303);
    assert.equal(district.location, '/directory/organizations/00500000?notice=added');
    const school = await department.post('/directory/organizations/new', { name: 'Ogunquit Village School', code: '00500015', type: 'school', town: '', phone: '' });
    assert.equal(school.status, 303);
    const page = await department.get('/directory/organizations/00500015');
    assert.match(page.body, /School 00500015 · Ogunquit Public Schools/);
    const events = await portal.db.selectFrom('audit_event').select('detail').where('type', '=', 'organization.added').orderBy('id').execute();
    assert.deepEqual(events.map((e) => e.detail), [
      { organization: '00500000', type: 'district' },
      { organization: '00500015', type: 'school' },
    ]);
  });

  test('an inactive organization takes no staff, roles or administrators, its roles give no access, and it leaves the public list', async () => {
    const org = async () => portal.db.selectFrom('organization').selectAll().where('code', '=', '00500015').executeTakeFirstOrThrow();
    const staffer = await createProfile(new Browser(portal.app), { firstName: 'Ivy', lastName: 'Inactive', dob: ['3', '3', '1983'], ssn: '811-44-4444' });
    const person = await portal.db.selectFrom('profile').selectAll().where('user_name', '=', staffer.userName).executeTakeFirstOrThrow();
    const sims = await portal.db.selectFrom('application').selectAll().where('id', '=', 'sims').executeTakeFirstOrThrow();
    await grantRole(portal.db, null, { person, org: await org(), app: sims, role: 'user' }, null);
    await designateAdministrator(portal.db, null, await org(), person, { email: 'ivy@ogunquit.example', phone: null }, null);
    assert.match((await new Browser(portal.app).get('/directory-administrators?q=00500015')).body, /ivy@ogunquit.example/);
    assert.equal(await mayUseApplication(portal.db, person.id, 'sims'), true);

    await department.get('/directory/organizations/00500015/edit');
    const bad = await department.post('/directory/organizations/00500015/edit', { name: '', town: 'Ogunquit', phone: '', status: 'closed' });
    assert.equal(bad.status, 422);
    assert.deepEqual(errorSummary(bad.body), ['Enter the organization’s name', 'Select whether the organization is active']);
    const saved = await department.post('/directory/organizations/00500015/edit', { name: 'Ogunquit Village School', town: 'Ogunquit', phone: '', status: 'inactive' });
    assert.equal(saved.status, 303);
    const page = await department.get('/directory/organizations/00500015');
    assert.match(page.body, /This organization is inactive/);
    assert.doesNotMatch(page.body, /Add a staff member/);

    assert.equal(await mayUseApplication(portal.db, person.id, 'sims'), false);
    assert.deepEqual(await rolesFor(portal.db, person.id, 'sims'), []);
    const home = new Browser(portal.app, '10.9.0.8');
    await logIn(home, staffer.userName, 'Secret123');
    assert.doesNotMatch((await home.get('/')).body, /<h3 class="usa-card__heading">SIMS<\/h3>/);
    assert.doesNotMatch((await new Browser(portal.app).get('/directory-administrators?q=00500015')).body, /ivy@ogunquit.example/);

    const inactive = 'Ogunquit Village School is inactive. The Department can make it active again on its page';
    await department.get('/directory/organizations/00500015/staff/new');
    const staff = await department.post('/directory/organizations/00500015/staff/new', { ...identityFields({ firstName: 'Ned', lastName: 'New', dob: ['1', '2', '1990'], ssn: '812-55-5555' }), email: '' });
    assert.equal(staff.status, 422);
    assert.deepEqual(errorSummary(staff.body), [inactive]);
    await department.get(`/directory/people/${person.id}`);
    const grant = await department.post(`/directory/people/${person.id}/roles`, { organization: '00500015', applicationRole: 'mdcs:user' });
    assert.equal(grant.status, 422);
    assert.deepEqual(errorSummary(grant.body), [inactive]);
    await department.get('/directory/organizations/00500015/administrators/new');
    const designate = await department.post('/directory/organizations/00500015/administrators/new', { username: districtAdmin.userName, email: '', phone: '' });
    assert.equal(designate.status, 422);
    assert.deepEqual(errorSummary(designate.body), [inactive]);
    assert.equal((await portal.db.selectFrom('profile').select('id').where('last_name', '=', 'New').execute()).length, 0, 'nobody was added');

    await department.post('/directory/organizations/00500015/edit', { name: 'Ogunquit Village School', town: 'Ogunquit', phone: '', status: 'active' });
    assert.equal(await mayUseApplication(portal.db, person.id, 'sims'), true, 'made active again, the roles it kept work again');
    const updates = await portal.db.selectFrom('audit_event').select('detail').where('type', '=', 'organization.updated').orderBy('id').execute();
    assert.deepEqual(updates.map((e) => e.detail), [
      { organization: '00500015', status: 'inactive' },
      { organization: '00500015', status: 'active' },
    ]);
  });
});

describe('department console: registering applications', () => {
  /** Whether the token endpoint accepts these client credentials (revoking an unknown token answers 200). */
  async function authenticates(clientId: string, secret: string): Promise<boolean> {
    const res = await portal.app.inject({
      method: 'POST',
      url: '/oidc/token/revocation',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: 'token=unknown',
    });
    assert.ok([200, 401].includes(res.statusCode), `revocation answered ${res.statusCode}: ${res.body}`);
    return res.statusCode === 200;
  }
  const secretOf = (html: string) => /data-client-secret[^>]*>([^<]+)</.exec(html)?.[1] ?? '';

  test('each wrong answer has its own message on its own field', async () => {
    await department.get('/directory/applications/new');
    const empty = await department.post('/directory/applications/new', {});
    assert.equal(empty.status, 422);
    assert.deepEqual(errorSummary(empty.body), ['Enter the application’s name', 'Enter a client id', 'Select who may open the application']);
    const base = { name: 'Gradebook', clientId: 'gradebook', access: 'restricted', roles: 'teacher, viewer', redirectUris: 'https://gradebook.example.gov/callback', postLogoutRedirectUris: '', backchannelLogoutUri: '', launchUrl: '' };
    const cases: Array<[Record<string, string>, string]> = [
      [{ clientId: 'Grade Book' }, 'Client id must be 2 to 63 lower-case letters, digits, hyphens or underscores, starting with a letter or digit'],
      [{ redirectUris: '' }, 'Enter at least one redirect URI'],
      [{ redirectUris: 'http://gradebook.example.gov/callback' }, 'Redirect URI must use https: http://gradebook.example.gov/callback'],
      [{ roles: 'teacher, head teacher' }, 'Role "head teacher" may only use letters, digits, hyphens and underscores'],
      [{ launchUrl: 'gradebook' }, 'Launch URL "gradebook" is not an absolute URL'],
      [{ clientId: 'elar' }, 'elar is part of the portal itself and cannot be registered'],
    ];
    for (const [fields, message] of cases) {
      const res = await department.post('/directory/applications/new', { ...base, ...fields });
      assert.equal(res.status, 422, message);
      assert.deepEqual(errorSummary(res.body), [message]);
      assert.match(res.body, /value="Gradebook"/, 'the values are kept');
    }
    assert.equal(await portal.db.selectFrom('application').select('id').where('id', '=', 'gradebook').executeTakeFirst(), undefined);
  });

  test('registers a client: the secret is shown once and works; registering the id again is refused', async () => {
    await department.get('/directory/applications/new');
    const res = await department.post('/directory/applications/new', {
      name: 'Gradebook',
      clientId: 'gradebook',
      access: 'restricted',
      roles: 'teacher, viewer',
      redirectUris: 'https://gradebook.example.gov/callback\r\nhttps://gradebook.example.gov/other',
      postLogoutRedirectUris: '',
      backchannelLogoutUri: 'https://gradebook.example.gov/backchannel',
      launchUrl: 'https://gradebook.example.gov/',
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    const secret = secretOf(res.body);
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(await authenticates('gradebook', secret), true);
    assert.equal(await authenticates('gradebook', 'not-the-secret'), false);
    const stored = await portal.db.selectFrom('application').selectAll().where('id', '=', 'gradebook').executeTakeFirstOrThrow();
    assert.deepEqual(stored.roles, ['teacher', 'viewer']);
    assert.deepEqual(stored.redirect_uris, ['https://gradebook.example.gov/callback', 'https://gradebook.example.gov/other']);
    assert.equal(stored.access, 'restricted');
    assert.doesNotMatch(stored.client_secret_encrypted!, new RegExp(secret), 'stored sealed');
    assert.doesNotMatch((await department.get('/directory/applications/gradebook')).body, new RegExp(secret), 'never shown again');

    await department.get('/directory/applications/new');
    const again = await department.post('/directory/applications/new', { name: 'Other', clientId: 'gradebook', access: 'open', redirectUris: 'https://other.example.gov/cb' });
    assert.equal(again.status, 422);
    assert.deepEqual(errorSummary(again.body), ['An application with client id gradebook is already registered. To give it a new secret, use its page']);
    assert.equal(await authenticates('gradebook', secret), true, 'the running application is not cut off');
  });

  test('a catalog entry (SIMS) is registered from its page, prefilled', async () => {
    const page = await department.get('/directory/applications/sims');
    assert.match(page.body, /does not sign in through the portal yet/);
    const form = await department.get('/directory/applications/new?clientId=sims');
    assert.match(form.body, /name="clientId" type="text" value="sims"/);
    assert.match(form.body, /value="user, submitter"/);
    const res = await department.post('/directory/applications/new', { name: 'SIMS', clientId: 'sims', access: 'restricted', roles: 'user, submitter', redirectUris: 'https://sims.example.gov/cb' });
    assert.equal(res.status, 200);
    assert.equal(await authenticates('sims', secretOf(res.body)), true);
  });

  test('issuing a new client secret stops the old one at once; audited', async () => {
    const page = await department.get('/directory/applications/gradebook');
    assert.match(page.body, /Issue a new client secret/);
    const first = secretOf(await department.post('/directory/applications/gradebook/secret', {}).then((r) => r.body));
    const second = await department.post('/directory/applications/gradebook/secret', {});
    assert.equal(second.status, 200);
    const secret = secretOf(second.body);
    assert.notEqual(secret, first);
    assert.equal(await authenticates('gradebook', first), false);
    assert.equal(await authenticates('gradebook', secret), true);
    const events = await portal.db.selectFrom('audit_event').select('type').where('detail', '@>', JSON.stringify({ application: 'gradebook' })).orderBy('id').execute();
    assert.deepEqual(events.map((e) => e.type), ['application.added', 'application.secretIssued', 'application.secretIssued']);
    // ELAR keeps its own secret, and an application without a client has none to replace.
    assert.doesNotMatch((await department.get('/directory/applications/elar')).body, /Issue a new client secret/);
    assert.equal((await department.post('/directory/applications/elar/secret', {})).status, 404);
    assert.equal((await department.post('/directory/applications/mdcs/secret', {})).status, 404);
    assert.equal((await department.get('/directory/applications/no-such-app')).status, 404);
  });
});
