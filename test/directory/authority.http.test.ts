import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { after, before, describe, test } from 'node:test';
import { up as designationIsNotMembership } from '../../migrations/0006_designation_is_not_membership.ts';
import { rolesOf } from '../../src/directory/department-roles/repository.ts';
import { addMember, designate as insertDesignation } from '../../src/directory/repository.ts';
import { grantRole } from '../../src/directory/service.ts';
import { audit } from '../../src/directory/audit-events.ts';
import { directoryFixture, PASSWORD, type DirectoryFixture, type FixturePerson } from '../helpers/directory.ts';
import { Browser, errorSummary, logIn, startPortal, type TestPortal } from '../helpers/portal.ts';

/**
 * Issue 11 (critical): no administrator can gain power over someone whose powers are
 * greater than theirs or lie outside their reach: department roles, and Directory
 * Administrator designations or role grants in organizations they do not administer.
 * Each test builds its own organizations and people, so each runs alone.
 */

let portal: TestPortal;
let fx: DirectoryFixture;

before(async () => {
  portal = await startPortal();
  fx = directoryFixture(portal);
});
after(() => portal.close());

const BEYOND = /has powers beyond yours/;
/** A Directory Administrator picks from the school's staff: anyone else is not on the list. */
const notOnStaff = (school: { name: string }) => `Choose a member of ${school.name}’s staff`;

/**
 * Every person action that gives a Directory Administrator power over the person, as the
 * person page's forms post them (revoking a role only takes power away: see F5, F7 below).
 */
async function personActions(b: Browser, target: FixturePerson, orgCode: string) {
  await b.get('/');
  const post = (path: string, fields: Record<string, string> = {}) =>
    b.post(`/directory/people/${target.id}${path}`, fields);
  return {
    'reset password': await post('/reset-password'),
    'sign out everywhere': await post('/sessions/end'),
    unlock: await post('/unlock'),
    'fix data form': await b.get(`/directory/people/${target.id}/fix`),
    'fix data': await (async () => {
      await b.get('/');
      return post('/fix', {
        firstName: 'Taken',
        lastName: 'Over',
        dobMonth: '1',
        dobDay: '1',
        dobYear: '1980',
        ssn: '',
        email: '',
      });
    })(),
    'grant role': await (async () => {
      await b.get('/');
      return post('/roles', { organization: orgCode, applicationRole: 'sims:user' });
    })(),
  };
}

async function assertAllRefused(b: Browser, target: FixturePerson, orgCode: string) {
  const before = await target.profile();
  const lastEvent = await portal.db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirstOrThrow();
  const results = await personActions(b, target, orgCode);
  for (const [action, res] of Object.entries(results)) {
    assert.equal(res.status, 403, `${action}: ${res.status}`);
    assert.match(res.body, BEYOND, `${action} says why`);
  }
  const afterwards = await target.profile();
  assert.equal(afterwards.password_hash, before.password_hash, 'the password is unchanged');
  assert.equal(afterwards.first_name, before.first_name, 'the data is unchanged');
  assert.equal(
    (await logIn(new Browser(portal.app, '10.99.0.1'), target.userName, PASSWORD)).status,
    303,
    'the person still signs in with their own password',
  );
  const events = await portal.db
    .selectFrom('audit_event')
    .select('type')
    .where('id', '>', String(lastEvent.id))
    .where('subject_id', '=', target.id)
    .where('type', 'not like', 'login.%')
    .execute();
  assert.deepEqual(
    events.map((e) => e.type),
    [],
    'nothing was done to them',
  );
}

/** Designates as a Directory Administrator does: by picking the person (their id) from the staff list. */
async function designate(b: Browser, orgCode: string, person: { id: string }) {
  await b.get(`/directory/organizations/${orgCode}/administrators/new`);
  return b.post(`/directory/organizations/${orgCode}/administrators/new`, {
    profileId: person.id,
    email: '',
    phone: '',
  });
}

describe('the takeover chain is broken (issue 11)', () => {
  test('a district administrator cannot designate the department administrator at one of its schools', async () => {
    const { district, school } = await fx.districtWithSchool();
    const districtAdmin = await fx.person('Dale', 'District');
    await fx.designate(district, districtAdmin);
    const admin = await fx.person('Ada', 'Department', { departmentRoles: ['console-admin'] });
    const b = await fx.signIn(districtAdmin);

    // Not on the school's staff: the list does not offer them, and a posted id is refused the same way.
    const res = await designate(b, school.code, admin);
    assert.equal(res.status, 422);
    assert.deepEqual(errorSummary(res.body), [notOnStaff(school)]);
    assert.equal(
      (
        await portal.db
          .selectFrom('directory_administrator')
          .select('profile_id')
          .where('profile_id', '=', admin.id)
          .execute()
      ).length,
      0,
    );
    assert.equal(
      (
        await portal.db
          .selectFrom('organization_member')
          .select('profile_id')
          .where('profile_id', '=', admin.id)
          .execute()
      ).length,
      0,
    );
    assert.equal((await b.get(`/directory/people/${admin.id}`)).status, 403, 'so the person page does not open');
  });

  test('and if the department administrator were on the school staff, every person action is refused with a reason', async () => {
    const { district, school } = await fx.districtWithSchool();
    const districtAdmin = await fx.person('Dale', 'District');
    await fx.designate(district, districtAdmin);
    const admin = await fx.person('Ada', 'Department', { departmentRoles: ['console-admin'] });
    await fx.addStaff(school, admin);
    const b = await fx.signIn(districtAdmin);
    const page = await b.get(`/directory/people/${admin.id}`);
    assert.equal(page.status, 200, 'a member of the school can be seen');
    assert.match(page.body, BEYOND, 'the page says why nothing can be done');
    assert.doesNotMatch(page.body, /Reset password/);
    await assertAllRefused(b, admin, school.code);
    const designation = await designate(b, school.code, admin);
    assert.equal(designation.status, 403);
    assert.match(designation.body, BEYOND);
    assert.equal(
      (
        await portal.db
          .selectFrom('directory_administrator')
          .select('profile_id')
          .where('profile_id', '=', admin.id)
          .execute()
      ).length,
      0,
    );
  });

  test('department staff (not only the administrator) are out of reach too', async () => {
    const { district, school } = await fx.districtWithSchool();
    const districtAdmin = await fx.person('Dale', 'District');
    await fx.designate(district, districtAdmin);
    const staff = await fx.person('Stan', 'Departmentstaff', { departmentRoles: ['console-admin'] });
    await fx.addStaff(school, staff);
    await assertAllRefused(await fx.signIn(districtAdmin), staff, school.code);
  });

  test("a school's administrator cannot act on the district's administrator who is on the school's staff", async () => {
    const { district, school } = await fx.districtWithSchool();
    const districtAdmin = await fx.person('Dale', 'District');
    await fx.designate(district, districtAdmin);
    await fx.addStaff(school, districtAdmin);
    const schoolAdmin = await fx.person('Sally', 'School');
    await fx.designate(school, schoolAdmin);
    await assertAllRefused(await fx.signIn(schoolAdmin), districtAdmin, school.code);
  });

  test("another district's administrator can neither be designated nor reset", async () => {
    const a = await fx.districtWithSchool('Alpha');
    const b = await fx.districtWithSchool('Beta');
    const adminA = await fx.person('Andy', 'Alpha');
    await fx.designate(a.district, adminA);
    const adminB = await fx.person('Bea', 'Beta');
    await fx.designate(b.district, adminB);
    const browser = await fx.signIn(adminA);
    assert.deepEqual(errorSummary((await designate(browser, a.school.code, adminB)).body), [notOnStaff(a.school)]);
    // Even on A's staff list, B's administrator is out of A's reach.
    await fx.addStaff(a.school, adminB);
    await assertAllRefused(browser, adminB, a.school.code);
    const res = await designate(browser, a.school.code, adminB);
    assert.equal(res.status, 403);
    assert.match(res.body, BEYOND);
  });

  test('a role in an organization the administrator does not run puts the person out of reach', async () => {
    const a = await fx.districtWithSchool('Alpha');
    const b = await fx.districtWithSchool('Beta');
    const adminA = await fx.person('Andy', 'Alpha');
    await fx.designate(a.district, adminA);
    const shared = await fx.person('Shay', 'Shared');
    await fx.addStaff(a.school, shared);
    const sims = await portal.db
      .selectFrom('application')
      .selectAll()
      .where('id', '=', 'sims')
      .executeTakeFirstOrThrow();
    await grantRole(portal.db, null, { person: await shared.profile(), org: b.school, app: sims, role: 'user' }, null);
    await assertAllRefused(await fx.signIn(adminA), shared, a.school.code);
  });

  test('adding staff refuses a person with greater powers', async () => {
    const { district, school } = await fx.districtWithSchool();
    const districtAdmin = await fx.person('Dale', 'District');
    await fx.designate(district, districtAdmin);
    const admin = await fx.person('Ada', 'Department', { departmentRoles: ['console-admin'] });
    const b = await fx.signIn(districtAdmin);
    await b.get(`/directory/organizations/${school.code}/staff/new`);
    const res = await b.post(`/directory/organizations/${school.code}/staff/new`, {
      firstName: admin.firstName,
      lastName: admin.lastName,
      dobMonth: admin.dob[0],
      dobDay: admin.dob[1],
      dobYear: admin.dob[2],
      ssn: admin.ssn,
      email: '',
    });
    assert.equal(res.status, 403);
    assert.match(res.body, BEYOND);
    assert.equal(
      (
        await portal.db
          .selectFrom('organization_member')
          .select('profile_id')
          .where('profile_id', '=', admin.id)
          .execute()
      ).length,
      0,
    );
  });

  test('the same administrator still acts on a plain educator and on a fellow administrator of their organizations', async () => {
    const { district, school } = await fx.districtWithSchool();
    const districtAdmin = await fx.person('Dale', 'District');
    await fx.designate(district, districtAdmin);
    const teacher = await fx.person('Tess', 'Teacher');
    await fx.addStaff(school, teacher);
    const schoolAdmin = await fx.person('Sally', 'School');
    await fx.designate(school, schoolAdmin);
    const b = await fx.signIn(districtAdmin);
    for (const target of [teacher, schoolAdmin]) {
      await b.get(`/directory/people/${target.id}`);
      const res = await b.post(`/directory/people/${target.id}/reset-password`, {});
      assert.equal(res.status, 200, target.lastName);
    }
    const res = await designate(b, school.code, teacher);
    assert.equal(res.status, 303, 'a member of the school can be designated');
  });

  test('the department can still act on a district administrator', async () => {
    const { district } = await fx.districtWithSchool();
    const districtAdmin = await fx.person('Dale', 'District');
    await fx.designate(district, districtAdmin);
    const dept = await fx.signIn(await fx.person('Dora', 'Dept', { departmentRoles: ['console-admin'] }));
    await dept.get(`/directory/people/${districtAdmin.id}`);
    assert.equal((await dept.post(`/directory/people/${districtAdmin.id}/reset-password`, {})).status, 200);
  });

  test('a Directory Administrator cannot designate someone who is not in their organizations', async () => {
    const { district, school } = await fx.districtWithSchool();
    const districtAdmin = await fx.person('Dale', 'District');
    await fx.designate(district, districtAdmin);
    const stranger = await fx.person('Stella', 'Stranger');
    const b = await fx.signIn(districtAdmin);
    const res = await designate(b, school.code, stranger);
    assert.equal(res.status, 422);
    assert.deepEqual(errorSummary(res.body), [notOnStaff(school)]);
    assert.equal((await b.get(`/directory/people/${stranger.id}`)).status, 403);
  });
});

describe('a revoked designation leaves no power behind', () => {
  test('the district administrator loses reach over a revoked school administrator who was never on staff', async () => {
    const { district, school } = await fx.districtWithSchool();
    const districtAdmin = await fx.person('Dale', 'District');
    await fx.designate(district, districtAdmin);
    const schoolAdmin = await fx.person('Sally', 'School');
    await fx.designate(school, schoolAdmin);
    const b = await fx.signIn(districtAdmin);
    assert.equal(
      (await b.get(`/directory/people/${schoolAdmin.id}`)).status,
      200,
      'the designation puts them in reach',
    );
    const staffList = await b.get(`/directory/organizations/${school.code}`);
    assert.doesNotMatch(
      staffList.body.split('Staff')[1] ?? '',
      /School, Sally/,
      'a designation does not put them on the staff list',
    );

    const res = await b.post(`/directory/organizations/${school.code}/administrators/${schoolAdmin.id}/revoke`, {});
    assert.equal(res.status, 303);
    assert.equal((await b.get(`/directory/people/${schoolAdmin.id}`)).status, 403, 'nothing is left that reaches them');
    const sally = await fx.signIn(schoolAdmin);
    assert.equal((await sally.get('/directory')).status, 403, 'and they have no powers left');
    assert.equal((await sally.get(`/directory/organizations/${school.code}`)).status, 403);
  });
});

describe('memberships that only an old designation made', () => {
  test('are removed by the migration; real staff memberships stay', async () => {
    const { district, school } = await fx.districtWithSchool();
    const districtAdmin = await fx.person('Dale', 'District');
    await fx.designate(district, districtAdmin);
    const designatedOnly = await fx.person('Olga', 'Oldstyle');
    const alsoStaff = await fx.person('Sara', 'Staffalready');
    await fx.addStaff(school, alsoStaff);
    const roleHolder = await fx.person('Rob', 'Roleholder');
    // What designating did before: designation, membership and audit in one transaction.
    const oldDesignate = (who: FixturePerson) =>
      portal.db.transaction().execute(async (tx) => {
        await insertDesignation(tx, {
          organizationId: school.id,
          profileId: who.id,
          email: null,
          phone: null,
          designatedBy: null,
        });
        await addMember(tx, school.id, who.id, null);
        await audit(tx, { type: 'diradmin.designated', subjectId: who.id, detail: { organization: school.code } });
      });
    for (const who of [designatedOnly, alsoStaff, roleHolder]) await oldDesignate(who);
    const sims = await portal.db
      .selectFrom('application')
      .selectAll()
      .where('id', '=', 'sims')
      .executeTakeFirstOrThrow();
    await grantRole(
      portal.db,
      null,
      { person: await roleHolder.profile(), org: school, app: sims, role: 'user' },
      null,
    );
    const members = async () =>
      (
        await portal.db
          .selectFrom('organization_member')
          .select('profile_id')
          .where('organization_id', '=', school.id)
          .execute()
      )
        .map((m) => m.profile_id)
        .sort();

    await designationIsNotMembership(portal.db as unknown as Kysely<unknown>);
    assert.deepEqual(await members(), [alsoStaff.id, roleHolder.id].sort());
    // Revoked now, the designated-only person is out of every administrator's reach.
    const b = await fx.signIn(districtAdmin);
    assert.equal(
      (await b.post(`/directory/organizations/${school.code}/administrators/${designatedOnly.id}/revoke`, {})).status,
      303,
    );
    assert.equal((await b.get(`/directory/people/${designatedOnly.id}`)).status, 403);
  });
});

describe('staff members can be removed', () => {
  test('removing a staff member ends their membership and their roles there; audited', async () => {
    const { district, school } = await fx.districtWithSchool();
    const other = await fx.districtWithSchool('Other');
    const districtAdmin = await fx.person('Dale', 'District');
    await fx.designate(district, districtAdmin);
    const teacher = await fx.person('Tess', 'Teacher');
    const sims = await portal.db
      .selectFrom('application')
      .selectAll()
      .where('id', '=', 'sims')
      .executeTakeFirstOrThrow();
    await grantRole(portal.db, null, { person: await teacher.profile(), org: school, app: sims, role: 'user' }, null);
    await fx.addStaff(other.school, teacher);
    const b = await fx.signIn(districtAdmin);
    const page = await b.get(`/directory/people/${teacher.id}`);
    assert.match(page.body, new RegExp(`action="/directory/organizations/${school.code}/staff/${teacher.id}/remove"`));
    assert.doesNotMatch(
      page.body,
      new RegExp(`/directory/organizations/${other.school.code}/staff/`),
      'only where the administrator acts',
    );

    const res = await b.post(`/directory/organizations/${school.code}/staff/${teacher.id}/remove`, {});
    assert.equal(res.status, 303);
    assert.equal(res.location, `/directory/organizations/${school.code}?notice=removed`);
    const members = await portal.db
      .selectFrom('organization_member')
      .select('organization_id')
      .where('profile_id', '=', teacher.id)
      .execute();
    assert.deepEqual(
      members.map((m) => m.organization_id),
      [other.school.id],
      'still on the other school’s staff',
    );
    assert.equal(
      (await portal.db.selectFrom('role_grant').select('id').where('profile_id', '=', teacher.id).execute()).length,
      0,
    );
    const events = await portal.db
      .selectFrom('audit_event')
      .select(['type', 'actor_id', 'detail'])
      .where('subject_id', '=', teacher.id)
      .where('type', 'in', ['staff.removed', 'role.revoked'])
      .orderBy('id')
      .execute();
    assert.deepEqual(events, [
      {
        type: 'role.revoked',
        actor_id: districtAdmin.id,
        detail: { organization: school.code, application: 'sims', role: 'user' },
      },
      { type: 'staff.removed', actor_id: districtAdmin.id, detail: { organization: school.code } },
    ]);
    assert.equal((await b.get(`/directory/people/${teacher.id}`)).status, 403, 'out of the administrator’s reach now');
  });

  test('removing someone from an organization one does not run is refused; from one\u2019s own, whatever their powers, it is not', async () => {
    const a = await fx.districtWithSchool('Alpha');
    const b = await fx.districtWithSchool('Beta');
    const adminA = await fx.person('Andy', 'Alpha');
    await fx.designate(a.district, adminA);
    const admin = await fx.person('Ada', 'Department', { departmentRoles: ['console-admin'] });
    await fx.addStaff(a.school, admin);
    const teacherB = await fx.person('Tom', 'Betateacher');
    await fx.addStaff(b.school, teacherB);
    const browser = await fx.signIn(adminA);
    assert.equal(
      (await browser.post(`/directory/organizations/${b.school.code}/staff/${teacherB.id}/remove`, {})).status,
      403,
    );
    // Off Alpha's staff, the department administrator keeps their department role.
    assert.equal(
      (await browser.post(`/directory/organizations/${a.school.code}/staff/${admin.id}/remove`, {})).status,
      303,
    );
    const members = await portal.db
      .selectFrom('organization_member')
      .select('profile_id')
      .where('profile_id', 'in', [admin.id, teacherB.id])
      .execute();
    assert.deepEqual(
      members.map((m) => m.profile_id),
      [teacherB.id],
    );
    assert.deepEqual(await rolesOf(portal.db, admin.id), ['console-admin']);
  });
});

describe('taking power away is not power over the person (outside review F5, F7)', () => {
  /** The role grants the person still holds, as "org code: application role". */
  async function grantsOf(who: FixturePerson) {
    const rows = await portal.db
      .selectFrom('role_grant')
      .innerJoin('organization', 'organization.id', 'role_grant.organization_id')
      .select(['organization.code', 'application_id', 'role'])
      .where('profile_id', '=', who.id)
      .execute();
    return rows.map((g) => `${g.code}: ${g.application_id} ${g.role}`).sort();
  }

  test("a district revokes its own grant and removes a person from its school though they hold a role in another district; the other district's grant stays", async () => {
    const east = await fx.districtWithSchool('East');
    const west = await fx.districtWithSchool('West');
    const eastAdmin = await fx.person('Eve', 'East');
    await fx.designate(east.district, eastAdmin);
    const tod = await fx.person('Tod', 'Two');
    await fx.addStaff(east.school, tod);
    await fx.addStaff(west.school, tod);
    const sims = await portal.db
      .selectFrom('application')
      .selectAll()
      .where('id', '=', 'sims')
      .executeTakeFirstOrThrow();
    await grantRole(
      portal.db,
      null,
      { person: await tod.profile(), org: east.school, app: sims, role: 'submitter' },
      null,
    );
    await grantRole(portal.db, null, { person: await tod.profile(), org: west.school, app: sims, role: 'user' }, null);
    const b = await fx.signIn(eastAdmin);

    // Beyond reach for everything else, but the page offers what takes East's power away.
    const page = await b.get(`/directory/people/${tod.id}`);
    assert.equal(page.status, 200);
    assert.match(page.body, BEYOND);
    assert.doesNotMatch(page.body, /Reset password/);
    assert.equal(
      page.body.match(/action="\/directory\/people\/[^"]+\/roles\/revoke"/g)?.length,
      1,
      'one revoke button: East’s grant',
    );
    assert.match(page.body, new RegExp(`action="/directory/organizations/${east.school.code}/staff/${tod.id}/remove"`));
    assert.doesNotMatch(page.body, new RegExp(`/directory/organizations/${west.school.code}/staff/`));

    const revoke = await b.post(`/directory/people/${tod.id}/roles/revoke`, {
      organization: east.school.code,
      application: 'sims',
      role: 'submitter',
    });
    assert.equal(revoke.status, 303);
    assert.deepEqual(await grantsOf(tod), [`${west.school.code}: sims user`]);
    // West's grant is not East's to take.
    await b.get('/');
    const foreign = await b.post(`/directory/people/${tod.id}/roles/revoke`, {
      organization: west.school.code,
      application: 'sims',
      role: 'user',
    });
    assert.equal(foreign.status, 403);
    assert.doesNotMatch(foreign.body, BEYOND);
    assert.deepEqual(await grantsOf(tod), [`${west.school.code}: sims user`]);

    await b.get('/');
    const removed = await b.post(`/directory/organizations/${east.school.code}/staff/${tod.id}/remove`, {});
    assert.equal(removed.status, 303);
    const members = await portal.db
      .selectFrom('organization_member')
      .select('organization_id')
      .where('profile_id', '=', tod.id)
      .execute();
    assert.deepEqual(
      members.map((m) => m.organization_id),
      [west.school.id],
    );
    const events = await portal.db
      .selectFrom('audit_event')
      .select(['type', 'actor_id', 'detail'])
      .where('subject_id', '=', tod.id)
      .where('actor_id', '=', eastAdmin.id)
      .orderBy('id')
      .execute();
    assert.deepEqual(events, [
      {
        type: 'role.revoked',
        actor_id: eastAdmin.id,
        detail: { organization: east.school.code, application: 'sims', role: 'submitter' },
      },
      { type: 'staff.removed', actor_id: eastAdmin.id, detail: { organization: east.school.code } },
    ]);
  });

  test("an outside administrator's grant elsewhere does not shield a teacher from their own district's removal", async () => {
    const home = await fx.districtWithSchool('Home');
    const rogue = await fx.districtWithSchool('Rogue');
    const homeAdmin = await fx.person('Hugo', 'Home');
    await fx.designate(home.district, homeAdmin);
    const rogueAdmin = await fx.person('Rob', 'Rogue');
    await fx.designate(rogue.school, rogueAdmin);
    const teacher = await fx.person('Tina', 'Teach');
    await fx.addStaff(home.school, teacher);
    await fx.addStaff(rogue.school, teacher);
    const elar = await portal.db
      .selectFrom('application')
      .selectAll()
      .where('id', '=', 'elar')
      .executeTakeFirstOrThrow();
    await grantRole(
      portal.db,
      null,
      { person: await teacher.profile(), org: rogue.school, app: elar, role: 'user' },
      null,
    );
    const b = await fx.signIn(homeAdmin);
    await b.get(`/directory/people/${teacher.id}`);
    // Still no power over the person: a reset would hand over the role elsewhere.
    const reset = await b.post(`/directory/people/${teacher.id}/reset-password`, {});
    assert.equal(reset.status, 403);
    assert.match(reset.body, BEYOND);
    await b.get('/');
    const removed = await b.post(`/directory/organizations/${home.school.code}/staff/${teacher.id}/remove`, {});
    assert.equal(removed.status, 303);
    const members = await portal.db
      .selectFrom('organization_member')
      .select('organization_id')
      .where('profile_id', '=', teacher.id)
      .execute();
    assert.deepEqual(
      members.map((m) => m.organization_id),
      [rogue.school.id],
    );
  });
});

describe('a reset is explained to the person', () => {
  test('at the next login the forced change-password page says who reset the password and when', async () => {
    const { district, school } = await fx.districtWithSchool();
    const districtAdmin = await fx.person('Dale', 'District');
    await fx.designate(district, districtAdmin);
    const teacher = await fx.person('Tess', 'Teacher');
    await fx.addStaff(school, teacher);
    const b = await fx.signIn(districtAdmin);
    await b.get(`/directory/people/${teacher.id}`);
    const reset = await b.post(`/directory/people/${teacher.id}/reset-password`, {});
    const temporary = /data-temporary-password[^>]*>([^<]+)</.exec(reset.body)![1]!;
    const event = await portal.db
      .selectFrom('audit_event')
      .select('at')
      .where('type', '=', 'password.reset')
      .where('subject_id', '=', teacher.id)
      .executeTakeFirstOrThrow();

    const t = new Browser(portal.app, '10.98.0.1');
    const login = await logIn(t, teacher.userName, temporary);
    assert.equal(login.location, '/account/password');
    const page = await t.get('/account/password');
    const when = event.at.toISOString().slice(0, 16).replace('T', ' ');
    assert.match(
      page.body,
      new RegExp(
        `Your password was reset by Dale District, Directory Administrator, on <time datetime="[^"]+">${when} UTC</time>`,
      ),
    );
  });

  test('a person who changes their own password is told nothing of the kind', async () => {
    const teacher = await fx.person('Tess', 'Teacher');
    const t = await fx.signIn(teacher);
    assert.doesNotMatch((await t.get('/account/password')).body, /was reset by/);
  });
});

describe('the correction form', () => {
  test('does not show the date of birth or the last four SSN digits', async () => {
    const { district, school } = await fx.districtWithSchool();
    const districtAdmin = await fx.person('Dale', 'District');
    await fx.designate(district, districtAdmin);
    const teacher = await fx.person('Tess', 'Teacher');
    await fx.addStaff(school, teacher);
    const b = await fx.signIn(districtAdmin);
    const form = await b.get(`/directory/people/${teacher.id}/fix`);
    assert.equal(form.status, 200);
    assert.match(form.body, /value="Tess"/, 'the names are there to correct');
    assert.doesNotMatch(form.body, new RegExp(teacher.ssn.slice(-4)), 'no SSN digits');
    for (const field of ['dobMonth', 'dobDay', 'dobYear']) {
      assert.match(form.body, new RegExp(`name="${field}"`), `${field} is there to enter`);
      assert.doesNotMatch(form.body, new RegExp(`name="${field}"[^>]*value="[^"]`), `${field} is empty`);
    }
    assert.doesNotMatch(form.body, /1980/, 'no birth year anywhere');
  });
});

describe('an inactive organization gives its administrators no power', () => {
  test("a school's administrators lose their powers over its people, and its pages refuse them", async () => {
    const { school } = await fx.districtWithSchool();
    const schoolAdmin = await fx.person('Sally', 'School');
    await fx.designate(school, schoolAdmin);
    const teacher = await fx.person('Tess', 'Teacher');
    await fx.addStaff(school, teacher);
    const b = await fx.signIn(schoolAdmin);
    assert.equal((await b.get(`/directory/people/${teacher.id}`)).status, 200);
    await portal.db.updateTable('organization').set({ status: 'inactive' }).where('id', '=', school.id).execute();

    assert.equal((await b.get('/directory')).status, 403);
    assert.equal((await b.get(`/directory/organizations/${school.code}`)).status, 403);
    assert.equal((await b.get(`/directory/organizations/${school.code}/staff/new`)).status, 403);
    assert.equal((await b.get(`/directory/people/${teacher.id}`)).status, 403);
    await b.get('/');
    assert.equal((await b.post(`/directory/people/${teacher.id}/reset-password`, {})).status, 403);
    assert.equal((await teacher.profile()).must_change_password, false);
  });

  test("an inactive district's administrator loses its schools too", async () => {
    const { district, school } = await fx.districtWithSchool();
    const districtAdmin = await fx.person('Dale', 'District');
    await fx.designate(district, districtAdmin);
    const teacher = await fx.person('Tess', 'Teacher');
    await fx.addStaff(school, teacher);
    const b = await fx.signIn(districtAdmin);
    await portal.db.updateTable('organization').set({ status: 'inactive' }).where('id', '=', district.id).execute();
    assert.equal((await b.get(`/directory/organizations/${school.code}`)).status, 403);
    assert.equal((await b.get(`/directory/people/${teacher.id}`)).status, 403);
  });

  test('a district administrator has no power over the people of its inactive school', async () => {
    const { district, school } = await fx.districtWithSchool();
    const districtAdmin = await fx.person('Dale', 'District');
    await fx.designate(district, districtAdmin);
    const teacher = await fx.person('Tess', 'Teacher');
    await fx.addStaff(school, teacher);
    await portal.db.updateTable('organization').set({ status: 'inactive' }).where('id', '=', school.id).execute();
    const b = await fx.signIn(districtAdmin);
    assert.equal((await b.get(`/directory/people/${teacher.id}`)).status, 403);
    assert.equal(
      (await b.get(`/directory/organizations/${district.code}`)).status,
      200,
      'the district itself is still theirs',
    );
  });
});
