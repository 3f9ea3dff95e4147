import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { designateAdministrator, grantRole, registerApplication } from '../../src/directory/service.ts';
import type { Organization } from '../../src/directory/schema.ts';
import { secretBox } from '../../src/platform/secrets.ts';
import { mayUseApplication, rolesFor } from '../../src/directory/access-repository.ts';
import { directoryFixture, PASSWORD, type DirectoryFixture, type FixturePerson } from '../helpers/directory.ts';
import {
  Browser,
  errorSummary,
  identityFields,
  logIn,
  outcomeOf,
  textOf,
  startPortal,
  type Person,
  type TestPortal,
} from '../helpers/portal.ts';

/**
 * Directory Administration over HTTP. Every test builds its own organizations and people
 * (test/helpers/directory.ts), so each runs alone (`--test-name-pattern`) and one failure
 * does not take the next ones with it.
 */

let portal: TestPortal;
let fx: DirectoryFixture;

before(async () => {
  portal = await startPortal({ BOOTSTRAP_ADMIN_PASSWORD: 'unused' });
  fx = directoryFixture(portal);
});
after(() => portal.close());

/** A department administrator, signed in. */
async function department(): Promise<Browser> {
  return fx.signIn(await fx.person('Dora', 'Dept', { departmentRoles: ['console-admin'] }));
}

/** A district with a school, and the district's Directory Administrator (designated by the department), signed in. */
async function districtAdministrator(name = 'Springfield') {
  const orgs = await fx.districtWithSchool(name);
  const admin = await fx.person('Dale', 'District');
  await fx.designate(orgs.district, admin);
  return { ...orgs, admin, browser: await fx.signIn(admin) };
}

/** A staff member of the organization with password PASSWORD. */
async function staffMember(org: Organization, firstName = 'Tess', lastName = 'Teacher'): Promise<FixturePerson> {
  const person = await fx.person(firstName, lastName);
  await fx.addStaff(org, person);
  return person;
}

let ssnSerial = 0;
/** Someone the portal has never seen, with a fresh SSN. */
function newPerson(firstName: string, lastName: string): Person {
  ssnSerial += 1;
  return {
    firstName,
    lastName,
    dob: ['6', String(ssnSerial), '1991'],
    ssn: `8${String(ssnSerial).padStart(2, '0')}-33-${String(3000 + ssnSerial)}`,
  };
}

/** The administrator adds someone new as staff: a pre-created profile; returns its id. */
async function addNewStaff(b: Browser, org: Organization, person: Person, email = ''): Promise<string> {
  await b.get(`/directory/organizations/${org.code}/staff/new`);
  const res = await b.post(`/directory/organizations/${org.code}/staff/new`, { ...identityFields(person), email });
  assert.equal(res.status, 303);
  return res.location!.split('/')[3]!.split('?')[0]!;
}

const temporaryOf = (html: string) => /data-temporary-password[^>]*>([^<]+)</.exec(html)![1]!;

describe('the department designates a district Directory Administrator, who runs their schools', () => {
  test('department designates; the administrator is published on the public list', async () => {
    const { district } = await fx.districtWithSchool('Springfield');
    const other = await fx.districtWithSchool('Shelbyville');
    const da = await fx.person('Dale', 'District');
    const dept = await department();
    await dept.get(`/directory/organizations/${district.code}/administrators/new`);
    const res = await dept.post(`/directory/organizations/${district.code}/administrators/new`, {
      username: da.userName,
      email: 'dale@springfield.example',
      phone: '413 555 0100',
    });
    assert.equal(res.status, 303);
    const list = await new Browser(portal.app).get(`/directory-administrators?q=${district.code}`);
    assert.match(list.body, new RegExp(`${district.name} \\(${district.code}\\)`));
    assert.match(list.body, /dale@springfield.example/);
    assert.doesNotMatch(list.body, new RegExp(da.userName), 'User Names are not published');
    const byName = await new Browser(portal.app).get(
      `/directory-administrators?q=${encodeURIComponent(district.name.toLowerCase())}`,
    );
    assert.match(byName.body, /Dale District/);
    const none = await new Browser(portal.app).get(`/directory-administrators?q=${other.district.code}`);
    assert.match(none.body, /No Directory Administrators found/);
  });

  test('a Directory Administrator chooses the contact details published for them', async () => {
    const { district, school } = await fx.districtWithSchool();
    const da = await fx.person('Dale', 'District');
    await designateAdministrator(
      portal.db,
      null,
      district,
      await da.profile(),
      { email: 'dale@springfield.example', phone: '413 555 0100' },
      null,
    );
    const b = await fx.signIn(da);
    const page = await b.get(`/directory/organizations/${district.code}`);
    assert.match(page.body, /Change the contact details published for you/);
    const form = await b.get(`/directory/organizations/${district.code}/administrators/me`);
    assert.match(form.body, /value="dale@springfield.example"/);
    const bad = await b.post(`/directory/organizations/${district.code}/administrators/me`, {
      email: 'dale at springfield',
      phone: '',
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(errorSummary(bad.body), ['Enter an email address in the correct format, like name@example.com']);
    const saved = await b.post(`/directory/organizations/${district.code}/administrators/me`, {
      email: '',
      phone: '413 555 0199',
    });
    assert.equal(saved.status, 303);
    const list = await new Browser(portal.app).get(`/directory-administrators?q=${district.code}`);
    assert.match(list.body, /413 555 0199/);
    assert.doesNotMatch(list.body, /dale@springfield.example/, 'an emptied field is no longer published');
    assert.equal(
      (await b.get(`/directory/organizations/${school.code}/administrators/me`)).status,
      403,
      'not designated at the school itself',
    );
    assert.equal(
      (await (await department()).get(`/directory/organizations/${district.code}/administrators/me`)).status,
      404,
      'the department has no designation there',
    );
    const events = await portal.db
      .selectFrom('audit_event')
      .select(['detail'])
      .where('type', '=', 'diradmin.contactsChanged')
      .where('actor_id', '=', da.id)
      .execute();
    assert.deepEqual(
      events.map((e) => e.detail),
      [{ organization: district.code }],
    );
  });

  test('the district administrator sees their district and its schools only', async () => {
    const { school, browser } = await districtAdministrator();
    const other = await fx.districtWithSchool('Shelbyville');
    const home = await browser.get('/');
    assert.match(home.body, /Directory Administration/);
    const orgs = await browser.get('/directory/organizations');
    assert.match(orgs.body, new RegExp(school.name));
    assert.doesNotMatch(orgs.body, new RegExp(other.district.name));
    assert.doesNotMatch(orgs.body, /Shelbyville/);
  });

  test('adds a new staff member to a school: a pre-created profile', async () => {
    const { school, browser: b } = await districtAdministrator();
    const newcomer = newPerson('Nora', 'Newcomer');
    await b.get(`/directory/organizations/${school.code}/staff/new`);
    const bad = await b.post(`/directory/organizations/${school.code}/staff/new`, {
      firstName: '',
      lastName: 'X',
      dobMonth: '',
      dobDay: '',
      dobYear: '',
      ssn: '1',
      email: '',
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(errorSummary(bad.body), [
      'Enter first name',
      'Social Security number must be 9 digits, like 123 45 6789',
      'Enter your date of birth',
    ]);
    const res = await b.post(`/directory/organizations/${school.code}/staff/new`, {
      ...identityFields(newcomer),
      email: 'nora@springfield.example',
    });
    assert.equal(res.status, 303);
    assert.match(res.location!, new RegExp(`^/directory/people/[0-9a-f-]{36}\\?notice=added-new&org=${school.code}$`));
    const page = await b.get(res.location!);
    assert.match(page.body, /A profile was started for this person/);
    assert.match(page.body, /Not yet completed by the person/);
    const staff = await b.get(`/directory/organizations/${school.code}?q=newcomer`);
    assert.match(staff.body, /Newcomer, Nora/);
  });

  test('grants SIMS; the grant is audited with who did it', async () => {
    const { school, admin, browser: b } = await districtAdministrator();
    const teacher = await staffMember(school);
    await b.get(`/directory/people/${teacher.id}`);
    const res = await b.post(`/directory/people/${teacher.id}/roles`, {
      organization: school.code,
      applicationRole: 'sims:user',
    });
    assert.equal(res.status, 303);
    const page = await b.get(`/directory/people/${teacher.id}`);
    assert.match(page.body, /<th scope="row" data-label="Application">SIMS<\/th><td data-label="Role">user<\/td>/);
    const unknownRole = await b.post(`/directory/people/${teacher.id}/roles`, {
      organization: school.code,
      applicationRole: 'sims:superuser',
    });
    assert.equal(unknownRole.status, 422);
    const events = await portal.db
      .selectFrom('audit_event')
      .innerJoin('profile', 'profile.id', 'audit_event.actor_id')
      .select(['profile.user_name', 'audit_event.detail'])
      .where('audit_event.type', '=', 'role.granted')
      .where('audit_event.subject_id', '=', teacher.id)
      .execute();
    assert.deepEqual(events, [
      { user_name: admin.userName, detail: { organization: school.code, application: 'sims', role: 'user' } },
    ]);
  });

  test('the staff member completes the profile (P3 case 2) and sees SIMS on the portal home', async () => {
    const { school, browser: admin } = await districtAdministrator();
    const newcomer = newPerson('Nora', 'Newcomer');
    const id = await addNewStaff(admin, school, newcomer);
    await admin.get(`/directory/people/${id}`);
    assert.equal(
      (await admin.post(`/directory/people/${id}/roles`, { organization: school.code, applicationRole: 'sims:user' }))
        .status,
      303,
    );

    const b = new Browser(portal.app, '10.9.0.3');
    const res = await b.submit('/profile/new', '/profile/new/identity', identityFields(newcomer));
    assert.equal(res.location, '/profile/new/security');
    await b.submit('/profile/new/security', '/profile/new/security', {
      hintQuestion: 'Q?',
      hintAnswer: 'A',
      password: 'Mine2026',
      passwordConfirm: 'Mine2026',
    });
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
    const { school, admin, browser: b } = await districtAdministrator();
    const teacher = await staffMember(school);
    const staffSession = await fx.signIn(teacher);
    const page = await b.get(`/directory/people/${teacher.id}`);
    assert.match(page.body, /Sign out everywhere/);
    const res = await b.post(`/directory/people/${teacher.id}/sessions/end`, {});
    assert.equal(res.location, `/directory/people/${teacher.id}?notice=signed-out`);
    assert.match((await b.get(res.location!)).body, /signed out of the portal and of every application/);
    assert.equal((await staffSession.get('/account')).status, 303, 'the session is ended');
    const events = await portal.db
      .selectFrom('audit_event')
      .select('actor_id')
      .where('type', '=', 'sessions.ended')
      .where('subject_id', '=', teacher.id)
      .execute();
    assert.deepEqual(events, [{ actor_id: admin.id }]);
    assert.equal(
      (await logIn(new Browser(portal.app, '10.9.0.3'), teacher.userName, PASSWORD)).status,
      303,
      'the password still works',
    );
  });

  test('resets the password: a temporary one shown once, changed at next login, sessions ended', async () => {
    const { school, browser: b } = await districtAdministrator();
    const teacher = await staffMember(school);
    const staffSession = await fx.signIn(teacher);
    await b.get(`/directory/people/${teacher.id}`);
    const res = await b.post(`/directory/people/${teacher.id}/reset-password`, {});
    assert.equal(res.status, 200);
    const temporary = temporaryOf(res.body);
    assert.match(temporary, /^[A-Za-z0-9]{12}$/);
    assert.equal(res.headers['cache-control'], 'no-store');
    const stored = await portal.db
      .selectFrom('audit_event')
      .select('detail')
      .where('type', '=', 'password.reset')
      .where('subject_id', '=', teacher.id)
      .execute();
    assert.equal(stored.length, 1);
    assert.ok(!JSON.stringify(stored).includes(temporary));
    assert.equal((await staffSession.get('/account')).status, 303, 'the old session is ended');
    const again = new Browser(portal.app, '10.9.0.5');
    const login = await logIn(again, teacher.userName, temporary);
    assert.equal(login.location, '/account/password');
    assert.equal((await again.get('/')).location, '/account/password');
  });

  test('a temporary password expires unused after three days; the right one then says so, a wrong one does not', async () => {
    const { school, browser: b } = await districtAdministrator();
    const teacher = await staffMember(school);
    await b.get(`/directory/people/${teacher.id}`);
    const first = await b.post(`/directory/people/${teacher.id}/reset-password`, {});
    assert.equal(first.status, 200);
    const row = await teacher.profile();
    assert.ok(row.password_expires_at, 'the reset set an expiry');
    const hours = (row.password_expires_at.getTime() - Date.now()) / 3_600_000;
    assert.ok(hours > 71 && hours <= 72, `expires in ${hours} h`);
    await b.get(`/directory/people/${teacher.id}`);
    const temporary = temporaryOf((await b.post(`/directory/people/${teacher.id}/reset-password`, {})).body);
    await portal.db
      .updateTable('profile')
      .set({ password_expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', teacher.id)
      .execute();
    const wrong = await logIn(new Browser(portal.app, '10.9.0.7'), teacher.userName, 'NotTheTemp1');
    assert.equal(wrong.status, 422);
    assert.doesNotMatch(wrong.body, /expired/, 'only the right password learns that it expired');
    const expired = await logIn(new Browser(portal.app, '10.9.0.8'), teacher.userName, temporary);
    assert.equal(expired.status, 422);
    assert.equal(outcomeOf(expired.body), 'temporary-password-expired');
    assert.match(expired.body, /temporary password has expired/);
    assert.equal(expired.location, undefined, 'no session');
    // A new reset gives a fresh one that works.
    await b.get(`/directory/people/${teacher.id}`);
    const again = temporaryOf((await b.post(`/directory/people/${teacher.id}/reset-password`, {})).body);
    assert.equal(
      (await logIn(new Browser(portal.app, '10.9.0.9'), teacher.userName, again)).location,
      '/account/password',
    );
  });

  test('unlocks a locked account', async () => {
    const { school, browser: b } = await districtAdministrator();
    const teacher = await staffMember(school);
    for (let i = 0; i < 5; i++) await logIn(new Browser(portal.app, `10.9.1.${i}`), teacher.userName, 'WrongWrong1');
    assert.equal((await logIn(new Browser(portal.app, '10.9.1.9'), teacher.userName, 'WrongWrong1')).status, 429);
    const page = await b.get(`/directory/people/${teacher.id}`);
    assert.match(page.body, /Unlock account/);
    const res = await b.post(`/directory/people/${teacher.id}/unlock`, {});
    assert.equal(res.location, `/directory/people/${teacher.id}?notice=unlocked`);
    assert.equal(
      (await logIn(new Browser(portal.app, '10.9.1.10'), teacher.userName, 'WrongWrong1')).status,
      422,
      'counting starts again',
    );
    const events = await portal.db
      .selectFrom('audit_event')
      .select('type')
      .where('type', '=', 'account.unlocked')
      .where('subject_id', '=', teacher.id)
      .execute();
    assert.equal(events.length, 1);
  });

  test('another district\u2019s administrator cannot see or touch the staff member', async () => {
    const { school } = await districtAdministrator();
    const teacher = await staffMember(school, 'Nora', 'Newcomer');
    const shelbyville = await fx.districtWithSchool('Shelbyville');
    const other = await fx.person('Sid', 'Shelby');
    await fx.designate(shelbyville.district, other);
    const b = await fx.signIn(other);
    const page = await b.get(`/directory/people/${teacher.id}`);
    assert.equal(page.status, 403);
    assert.doesNotMatch(page.body, /Newcomer/);
    const schoolPage = await b.get(`/directory/organizations/${school.code}`);
    assert.equal(schoolPage.status, 403);
    assert.equal((await b.post(`/directory/people/${teacher.id}/reset-password`, {})).status, 403);
    assert.equal((await teacher.profile()).must_change_password, false);
  });
});

describe('partial matches: queue, fix, retry', () => {
  test('a partial match appears in the department queue; fixing the record lets the person continue', async () => {
    const { school, browser: admin } = await districtAdministrator();
    const dept = await department();
    const person = newPerson('Pia', 'Partial');
    // The record was entered with a typo in the first name.
    const id = await addNewStaff(admin, school, { ...person, firstName: 'Pya' });

    const b = new Browser(portal.app, '10.9.0.7');
    const res = await b.submit('/profile/new', '/profile/new/identity', identityFields(person));
    assert.equal(res.location, '/profile/new/partial-match');

    const queue = await dept.get('/directory/conflicts');
    assert.match(queue.body, /Partial, Pya/);
    assert.match(queue.body, /<td data-label="Fields that differ">First name<\/td>/);
    assert.match(queue.body, new RegExp(`SSN ending ${person.ssn.slice(-4)}`));
    assert.doesNotMatch(queue.body, new RegExp(`${person.ssn}|${person.ssn.replace(/-/g, '')}`));

    await admin.get(`/directory/people/${id}/fix`);
    const fixed = await admin.post(`/directory/people/${id}/fix`, { ...identityFields(person), ssn: '', email: '' });
    assert.equal(fixed.location, `/directory/people/${id}?notice=fixed`);
    assert.doesNotMatch((await dept.get('/directory/conflicts')).body, /Partial, Pya/);

    const retry = new Browser(portal.app, '10.9.0.8');
    assert.equal(
      (await retry.submit('/profile/new', '/profile/new/identity', identityFields(person))).location,
      '/profile/new/security',
    );
  });

  test('fixing an SSN to one that belongs to someone else is refused', async () => {
    const owner = await fx.person('Owen', 'Owner');
    const other = await fx.person('Pia', 'Partial');
    const dept = await department();
    await dept.get(`/directory/people/${other.id}/fix`);
    const res = await dept.post(`/directory/people/${other.id}/fix`, {
      firstName: 'Pia',
      lastName: 'Partial',
      dobMonth: '9',
      dobDay: '9',
      dobYear: '1989',
      ssn: owner.ssn,
      email: '',
    });
    assert.equal(res.status, 409);
    assert.match(res.body, /belongs to another profile/);
    assert.equal((await other.profile()).ssn_last4, other.ssn.slice(-4), 'unchanged');
  });
});

describe('department console', () => {
  test('find a person by last name, "Last, First", User Name or MEPID', async () => {
    const found = await fx.person('Nora', 'Findable');
    const dept = await department();
    const byLast = await dept.get('/directory/people?q=findable');
    assert.match(byLast.body, /Findable, Nora/);
    const byBoth = await dept.get('/directory/people?q=Findable%2C%20No');
    assert.match(byBoth.body, /Findable, Nora/);
    assert.match((await dept.get(`/directory/people?q=${found.mepid}`)).body, /Findable, Nora/);
    assert.match((await dept.get(`/directory/people?q=${found.userName}`)).body, /Findable, Nora/);
  });

  test('audit log filters by event and by User Name, newest first, paged', async () => {
    const { school, admin, browser: b } = await districtAdministrator();
    await addNewStaff(b, school, newPerson('Al', 'Audited'));
    const second = await addNewStaff(b, school, newPerson('Bo', 'Audited'));
    await b.get(`/directory/people/${second}`);
    await b.post(`/directory/people/${second}/roles`, { organization: school.code, applicationRole: 'sims:user' });
    const dept = await department();
    const all = await dept.get('/directory/audit');
    assert.match(all.body, /events<\/p>/);
    const grants = await dept.get(`/directory/audit?type=role.granted&user=${admin.userName}`);
    assert.match(grants.body, /1 event</);
    const byUser = await dept.get(`/directory/audit?user=${admin.userName}&type=staff.added`);
    assert.match(byUser.body, /2 events</);
    const page2 = await dept.get('/directory/audit?page=2');
    assert.equal(page2.status, 200);
    const bogus = await dept.get('/directory/audit?type=%3Cscript%3E&page=-4');
    assert.equal(bogus.status, 200);
  });

  test('the application catalog is there on a fresh start', async () => {
    const page = await (await department()).get('/directory/applications');
    for (const name of [
      'Directory Administration',
      'ELAR',
      'MDCS',
      'SIMS',
      'Drop Box Central',
      'NCLB Report Card Assistant',
      'TechPlan',
      'Data collections',
    ]) {
      assert.match(page.body, new RegExp(name));
    }
  });
});

describe('department console: organizations', () => {
  test('adds an organization: each rule has its own message, the values are kept', async () => {
    const { district: existing } = await fx.districtWithSchool();
    const department_ = await department();
    await department_.get('/directory/organizations/new');
    const empty = await department_.post('/directory/organizations/new', {});
    assert.equal(empty.status, 422);
    assert.deepEqual(errorSummary(empty.body), [
      'Enter the organization’s name',
      'Enter the organization code as 8 digits, like 00350505',
      'Select the kind of organization',
    ]);
    const cases: Array<[Record<string, string>, string]> = [
      [{ code: '00510505', type: 'district' }, "A district's code must end in 0000"],
      [{ code: '00510000', type: 'school' }, "A school's code cannot end in 0000 (that is its district's code)"],
      [{ code: '00510505', type: 'school' }, 'There is no district with code 00510000. Add the district first'],
      [{ code: existing.code, type: 'district' }, `An organization with code ${existing.code} already exists`],
    ];
    for (const [fields, message] of cases) {
      const res = await department_.post('/directory/organizations/new', {
        name: 'Ogunquit Public Schools',
        town: 'Ogunquit',
        phone: '',
        ...fields,
      });
      assert.equal(res.status, 422, message);
      assert.deepEqual(errorSummary(res.body), [message]);
      assert.match(res.body, /value="Ogunquit Public Schools"/, 'the values are kept');
    }
  });

  test('adds a district and then its school; both audited', async () => {
    const department_ = await department();
    await department_.get('/directory/organizations/new');
    const district = await department_.post('/directory/organizations/new', {
      name: 'Ogunquit Public Schools',
      code: '00500000',
      type: 'district',
      town: 'Ogunquit',
      phone: '207 555 0100',
    });
    assert.equal(district.status, 303);
    assert.equal(district.location, '/directory/organizations/00500000?notice=added');
    const school = await department_.post('/directory/organizations/new', {
      name: 'Ogunquit Village School',
      code: '00500015',
      type: 'school',
      town: '',
      phone: '',
    });
    assert.equal(school.status, 303);
    const page = await department_.get('/directory/organizations/00500015');
    assert.match(page.body, /School 00500015 · Ogunquit Public Schools/);
    const events = await portal.db
      .selectFrom('audit_event')
      .select('detail')
      .where('type', '=', 'organization.added')
      .orderBy('id')
      .execute();
    assert.deepEqual(
      events.map((e) => e.detail),
      [
        { organization: '00500000', type: 'district' },
        { organization: '00500015', type: 'school' },
      ],
    );
  });

  test('an inactive organization takes no staff, roles or administrators, its roles give no access, and it leaves the public list', async () => {
    const { school: created } = await fx.districtWithSchool('Ogunquit');
    const code = created.code;
    const org = async () =>
      portal.db.selectFrom('organization').selectAll().where('code', '=', code).executeTakeFirstOrThrow();
    const staffer = await fx.person('Ivy', 'Inactive');
    const person = await staffer.profile();
    const sims = await portal.db
      .selectFrom('application')
      .selectAll()
      .where('id', '=', 'sims')
      .executeTakeFirstOrThrow();
    await grantRole(portal.db, null, { person, org: await org(), app: sims, role: 'user' }, null);
    await designateAdministrator(
      portal.db,
      null,
      await org(),
      person,
      { email: 'ivy@ogunquit.example', phone: null },
      null,
    );
    assert.match(
      (await new Browser(portal.app).get(`/directory-administrators?q=${code}`)).body,
      /ivy@ogunquit.example/,
    );
    assert.equal(await mayUseApplication(portal.db, person.id, 'sims'), true);

    const department_ = await department();
    await department_.get(`/directory/organizations/${code}/edit`);
    const bad = await department_.post(`/directory/organizations/${code}/edit`, {
      name: '',
      town: 'Ogunquit',
      phone: '',
      status: 'closed',
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(errorSummary(bad.body), [
      'Enter the organization’s name',
      'Select whether the organization is active',
    ]);
    const saved = await department_.post(`/directory/organizations/${code}/edit`, {
      name: created.name,
      town: 'Ogunquit',
      phone: '',
      status: 'inactive',
    });
    assert.equal(saved.status, 303);
    const page = await department_.get(`/directory/organizations/${code}`);
    assert.match(page.body, /This organization is inactive/);
    assert.doesNotMatch(page.body, /Add a staff member/);

    assert.equal(await mayUseApplication(portal.db, person.id, 'sims'), false);
    assert.deepEqual(await rolesFor(portal.db, person.id, 'sims'), []);
    const home = new Browser(portal.app, '10.9.0.8');
    await logIn(home, staffer.userName, PASSWORD);
    assert.doesNotMatch((await home.get('/')).body, /<h3 class="usa-card__heading">SIMS<\/h3>/);
    assert.doesNotMatch(
      (await new Browser(portal.app).get(`/directory-administrators?q=${code}`)).body,
      /ivy@ogunquit.example/,
    );

    const inactive = `${created.name} is inactive. The Department can make it active again on its page`;
    const newcomer = newPerson('Ned', 'Nevercreated');
    await department_.get(`/directory/organizations/${code}/staff/new`);
    const staff = await department_.post(`/directory/organizations/${code}/staff/new`, {
      ...identityFields(newcomer),
      email: '',
    });
    assert.equal(staff.status, 422);
    assert.deepEqual(errorSummary(staff.body), [inactive]);
    await department_.get(`/directory/people/${person.id}`);
    const grant = await department_.post(`/directory/people/${person.id}/roles`, {
      organization: code,
      applicationRole: 'mdcs:user',
    });
    assert.equal(grant.status, 422);
    assert.deepEqual(errorSummary(grant.body), [inactive]);
    const someone = await fx.person('Sol', 'Someone');
    await department_.get(`/directory/organizations/${code}/administrators/new`);
    const designate = await department_.post(`/directory/organizations/${code}/administrators/new`, {
      username: someone.userName,
      email: '',
      phone: '',
    });
    assert.equal(designate.status, 422);
    assert.deepEqual(errorSummary(designate.body), [inactive]);
    assert.equal(
      (await portal.db.selectFrom('profile').select('id').where('last_name', '=', 'Nevercreated').execute()).length,
      0,
      'nobody was added',
    );

    await department_.post(`/directory/organizations/${code}/edit`, {
      name: created.name,
      town: 'Ogunquit',
      phone: '',
      status: 'active',
    });
    assert.equal(
      await mayUseApplication(portal.db, person.id, 'sims'),
      true,
      'made active again, the roles it kept work again',
    );
    const updates = await portal.db
      .selectFrom('audit_event')
      .select('detail')
      .where('type', '=', 'organization.updated')
      .where('detail', '@>', JSON.stringify({ organization: code }))
      .orderBy('id')
      .execute();
    assert.deepEqual(
      updates.map((e) => e.detail),
      [
        { organization: code, status: 'inactive' },
        { organization: code, status: 'active' },
      ],
    );
  });
});

describe('department console: registering applications', () => {
  let department: Browser;
  before(async () => {
    department = await fx.signIn(await fx.person('Dora', 'Dept', { departmentRoles: ['console-admin'] }));
  });
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
    assert.deepEqual(errorSummary(empty.body), [
      'Enter the application’s name',
      'Enter a client id',
      'Select who may open the application',
    ]);
    const base = {
      name: 'Gradebook',
      clientId: 'typo-book',
      access: 'restricted',
      roles: 'teacher, viewer',
      redirectUris: 'https://gradebook.example.gov/callback',
      postLogoutRedirectUris: '',
      backchannelLogoutUri: '',
      launchUrl: '',
    };
    const cases: Array<[Record<string, string>, string]> = [
      [
        { clientId: 'Grade Book' },
        'Client id must be 2 to 63 lower-case letters, digits, hyphens or underscores, starting with a letter or digit',
      ],
      [{ redirectUris: '' }, 'Enter at least one redirect URI'],
      [
        { redirectUris: 'http://gradebook.example.gov/callback' },
        'Redirect URI must use https: http://gradebook.example.gov/callback',
      ],
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
    assert.equal(
      await portal.db.selectFrom('application').select('id').where('id', '=', 'typo-book').executeTakeFirst(),
      undefined,
    );
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
    const stored = await portal.db
      .selectFrom('application')
      .selectAll()
      .where('id', '=', 'gradebook')
      .executeTakeFirstOrThrow();
    assert.deepEqual(stored.roles, ['teacher', 'viewer']);
    assert.deepEqual(stored.redirect_uris, [
      'https://gradebook.example.gov/callback',
      'https://gradebook.example.gov/other',
    ]);
    assert.equal(stored.access, 'restricted');
    assert.doesNotMatch(stored.client_secret_encrypted!, new RegExp(secret), 'stored sealed');
    assert.doesNotMatch(
      (await department.get('/directory/applications/gradebook')).body,
      new RegExp(secret),
      'never shown again',
    );

    await department.get('/directory/applications/new');
    const again = await department.post('/directory/applications/new', {
      name: 'Other',
      clientId: 'gradebook',
      access: 'open',
      redirectUris: 'https://other.example.gov/cb',
    });
    assert.equal(again.status, 422);
    assert.deepEqual(errorSummary(again.body), [
      'An application with client id gradebook is already registered. To give it a new secret, use its page',
    ]);
    assert.equal(await authenticates('gradebook', secret), true, 'the running application is not cut off');
  });

  test('a catalog entry (SIMS) is registered from its page, prefilled', async () => {
    const page = await department.get('/directory/applications/sims');
    assert.match(page.body, /does not sign in through the portal yet/);
    const form = await department.get('/directory/applications/new?clientId=sims');
    assert.match(form.body, /name="clientId" type="text" value="sims"/);
    assert.match(form.body, /value="user, submitter"/);
    const res = await department.post('/directory/applications/new', {
      name: 'SIMS',
      clientId: 'sims',
      access: 'restricted',
      roles: 'user, submitter',
      redirectUris: 'https://sims.example.gov/cb',
    });
    assert.equal(res.status, 200);
    assert.equal(await authenticates('sims', secretOf(res.body)), true);
  });

  test('issuing a new client secret stops the old one at once; audited', async () => {
    await registerApplication(
      portal.db,
      secretBox(portal.secretsKey),
      {
        id: 'reportcard',
        name: 'Report card',
        redirectUris: ['https://reportcard.example.gov/cb'],
        restricted: true,
        roles: [],
        postLogoutRedirectUris: [],
        backchannelLogoutUri: null,
        launchUrl: null,
      },
      null,
    );
    const page = await department.get('/directory/applications/reportcard');
    assert.match(page.body, /Issue a new client secret/);
    const first = secretOf(await department.post('/directory/applications/reportcard/secret', {}).then((r) => r.body));
    const second = await department.post('/directory/applications/reportcard/secret', {});
    assert.equal(second.status, 200);
    const secret = secretOf(second.body);
    assert.notEqual(secret, first);
    assert.equal(await authenticates('reportcard', first), false);
    assert.equal(await authenticates('reportcard', secret), true);
    const events = await portal.db
      .selectFrom('audit_event')
      .select('type')
      .where('detail', '@>', JSON.stringify({ application: 'reportcard' }))
      .orderBy('id')
      .execute();
    assert.deepEqual(
      events.map((e) => e.type),
      ['application.added', 'application.secretIssued', 'application.secretIssued'],
    );
    // ELAR keeps its own secret, and an application without a client has none to replace.
    assert.doesNotMatch((await department.get('/directory/applications/elar')).body, /Issue a new client secret/);
    assert.equal((await department.post('/directory/applications/elar/secret', {})).status, 404);
    assert.equal((await department.post('/directory/applications/mdcs/secret', {})).status, 404);
    assert.equal((await department.get('/directory/applications/no-such-app')).status, 404);
  });
});
