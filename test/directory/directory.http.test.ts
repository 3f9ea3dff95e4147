import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
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
    assert.match(res.location!, /^\/directory\/people\/[0-9a-f-]{36}\?notice=added-new$/);
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
    assert.match(queue.body, /firstName/);
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
