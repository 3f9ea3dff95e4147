import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, describe, test } from 'node:test';
import { grantRole } from '../../src/directory/service.ts';
import { down as undoConfirmation, up as staffConfirmation } from '../../migrations/0009_staff_confirmation.ts';
import { directoryFixture, type DirectoryFixture, type FixturePerson } from '../helpers/directory.ts';
import { Browser, startPortal, type TestPortal } from '../helpers/portal.ts';

/**
 * Attack review F2 (HIGH): a Directory Administrator added someone else's existing profile
 * to their own school by name, date of birth and SSN, then reset its password. Such a
 * membership now gives no power over the person until they confirm it on their portal home.
 * F8: a reset never completes a pre-created profile for the administrator.
 */

let portal: TestPortal;
let fx: DirectoryFixture;

before(async () => {
  portal = await startPortal();
  fx = directoryFixture(portal);
});
after(() => portal.close());

const identity = (p: FixturePerson) => ({
  firstName: p.firstName,
  lastName: p.lastName,
  dobMonth: p.dob[0],
  dobDay: p.dob[1],
  dobYear: p.dob[2],
  ssn: p.ssn,
  email: '',
});

async function addByIdentity(b: Browser, orgCode: string, fields: Record<string, string>) {
  await b.get(`/directory/organizations/${orgCode}/staff/new`);
  return b.post(`/directory/organizations/${orgCode}/staff/new`, fields);
}

/** The prompt on the person's portal home, as they see it after logging in. */
async function homeOf(who: FixturePerson) {
  const b = await fx.signIn(who);
  return { b, home: await b.get('/') };
}

async function membership(orgId: string, profileId: string) {
  return portal.db
    .selectFrom('organization_member')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('profile_id', '=', profileId)
    .executeTakeFirst();
}

describe('staff added by identity must confirm (attack F2)', () => {
  test('an outside administrator who adds an existing educator gets no power over them until they confirm', async () => {
    const alpha = await fx.districtWithSchool('Alpha');
    const beta = await fx.districtWithSchool('Beta');
    const admin = await fx.person('Alan', 'Alpha');
    await fx.designate(alpha.school, admin);
    const vic = await fx.person('Vic', 'Tim');
    await fx.addStaff(beta.school, vic);
    const before = await vic.profile();

    const b = await fx.signIn(admin);
    const added = await addByIdentity(b, alpha.school.code, identity(vic));
    assert.equal(added.status, 303);
    assert.equal(
      added.location,
      `/directory/organizations/${alpha.school.code}?notice=added-pending`,
      'back to the staff list, not to the person',
    );
    const list = await b.follow(added);
    assert.match(list.body, /They must confirm that .* is their employer before you can act on them/);
    assert.match(list.body, /Tim, Vic/);
    assert.match(list.body, /Waiting for the person to confirm/);
    assert.doesNotMatch(list.body, new RegExp(`/directory/people/${vic.id}`), 'no link to the person page');
    assert.doesNotMatch(list.body, new RegExp(vic.userName), 'their User Name is not shown');

    const again = await addByIdentity(b, alpha.school.code, { ...identity(vic), email: 'vic@alpha.example' });
    assert.equal(
      again.location,
      `/directory/organizations/${alpha.school.code}?notice=already-pending`,
      'adding again opens nothing either',
    );
    assert.match((await b.follow(again)).body, /already on your staff list, and must still confirm/);

    const page = await b.get(`/directory/people/${vic.id}`);
    assert.equal(page.status, 403, 'the person page does not open');
    assert.doesNotMatch(page.body, new RegExp(vic.userName));
    assert.equal((await b.get(`/directory/people/${vic.id}/reset-password`)).status, 403);
    await b.get('/');
    const attempts = {
      reset: await b.post(`/directory/people/${vic.id}/reset-password`, {}),
      'sign out everywhere': await b.post(`/directory/people/${vic.id}/sessions/end`, {}),
      unlock: await b.post(`/directory/people/${vic.id}/unlock`, {}),
      fix: await b.post(`/directory/people/${vic.id}/fix`, { ...identity(vic), firstName: 'Taken' }),
      grant: await b.post(`/directory/people/${vic.id}/roles`, {
        organization: alpha.school.code,
        applicationRole: 'sims:user',
      }),
    };
    for (const [action, res] of Object.entries(attempts)) {
      assert.equal(res.status, 403, `${action}: ${res.status}`);
      assert.doesNotMatch(res.body, new RegExp(vic.userName), `${action} shows none of their data`);
    }
    const unchanged = await vic.profile();
    assert.equal(unchanged.password_hash, before.password_hash);
    assert.equal(unchanged.first_name, 'Vic');
    assert.equal(
      (await portal.db.selectFrom('role_grant').select('id').where('profile_id', '=', vic.id).execute()).length,
      0,
    );

    // Vic is asked on their portal home, and confirms.
    const { b: vb, home } = await homeOf(vic);
    assert.match(
      home.body,
      new RegExp(
        `${alpha.school.name} added you to its staff on [A-Z][a-z]+ \\d{1,2}, \\d{4} \\(by Alan Alpha\\)\\. Is this your employer\\?`,
      ),
    );
    const confirmed = await vb.post(`/account/memberships/${alpha.school.id}/confirm`, {});
    assert.equal(confirmed.status, 303);
    const after = await vb.follow(confirmed);
    assert.match(after.body, new RegExp(`You confirmed ${alpha.school.name} as your employer`));
    assert.doesNotMatch(after.body, /Is this your employer\?/, 'asked once');
    assert.notEqual((await membership(alpha.school.id, vic.id))?.confirmed_at, null);
    const events = await portal.db
      .selectFrom('audit_event')
      .select(['type', 'actor_id'])
      .where('subject_id', '=', vic.id)
      .where('type', '=', 'staff.confirmed')
      .execute();
    assert.deepEqual(events, [{ type: 'staff.confirmed', actor_id: vic.id }]);

    // Now the administrator acts for the person's confirmed employer.
    await b.get(`/directory/people/${vic.id}`);
    const reset = await b.post(`/directory/people/${vic.id}/reset-password`, {});
    assert.equal(reset.status, 200);
    assert.match(reset.body, /data-temporary-password/);
  });

  test('"This is not my employer" takes the person off that staff', async () => {
    const { school } = await fx.districtWithSchool('Decline');
    const admin = await fx.person('Dora', 'Decline');
    await fx.designate(school, admin);
    const eve = await fx.person('Eve', 'Elsewhere');
    const b = await fx.signIn(admin);
    assert.equal((await addByIdentity(b, school.code, identity(eve))).status, 303);

    // A role the Department gave her there meanwhile goes with the membership.
    const sims = await portal.db
      .selectFrom('application')
      .selectAll()
      .where('id', '=', 'sims')
      .executeTakeFirstOrThrow();
    await grantRole(portal.db, null, { person: await eve.profile(), org: school, app: sims, role: 'user' }, null);
    assert.equal((await membership(school.id, eve.id))?.confirmed_at, null, 'still waiting for Eve');

    const { b: eb, home } = await homeOf(eve);
    assert.match(home.body, /This is not my employer/);
    const declined = await eb.post(`/account/memberships/${school.id}/decline`, {});
    assert.equal(declined.status, 303);
    const after = await eb.follow(declined);
    assert.match(after.body, new RegExp(`You are not on the staff of ${school.name}`));
    assert.equal(await membership(school.id, eve.id), undefined, 'the membership is gone');
    const events = await portal.db
      .selectFrom('audit_event')
      .select('type')
      .where('subject_id', '=', eve.id)
      .where('type', 'in', ['staff.declined', 'staff.confirmed'])
      .execute();
    assert.deepEqual(
      events.map((e) => e.type),
      ['staff.declined'],
    );
    assert.deepEqual(
      await portal.db.selectFrom('role_grant').select('role').where('profile_id', '=', eve.id).execute(),
      [],
      'the role there is gone',
    );
    const revoked = await portal.db
      .selectFrom('audit_event')
      .select(['type', 'actor_id'])
      .where('subject_id', '=', eve.id)
      .where('type', '=', 'role.revoked')
      .execute();
    assert.deepEqual(revoked, [{ type: 'role.revoked', actor_id: eve.id }]);
    assert.equal((await b.get(`/directory/people/${eve.id}`)).status, 403);
    // Answering twice, or for an organization that never added them, changes nothing.
    await eb.get('/');
    assert.equal((await eb.post(`/account/memberships/${school.id}/confirm`, {})).status, 404);
    assert.equal(await membership(school.id, eve.id), undefined);
  });

  test('a person cannot confirm another person’s membership, nor one already confirmed', async () => {
    const { school } = await fx.districtWithSchool('Other');
    const admin = await fx.person('Oma', 'Other');
    await fx.designate(school, admin);
    const pat = await fx.person('Pat', 'Pending');
    const sam = await fx.person('Sam', 'Staffer');
    await fx.addStaff(school, sam);
    const b = await fx.signIn(admin);
    await addByIdentity(b, school.code, identity(pat));
    const { b: sb } = await homeOf(sam);
    // Sam has a confirmed membership there: declining it by hand is not how one leaves a staff.
    assert.equal((await sb.post(`/account/memberships/${school.id}/decline`, {})).status, 404);
    assert.notEqual(await membership(school.id, sam.id), undefined);
    assert.equal((await membership(school.id, pat.id))?.confirmed_at, null, 'Pat’s stays pending');
  });

  test('the Department’s additions are confirmed at once', async () => {
    const { school } = await fx.districtWithSchool('Dept');
    const department = await fx.person('Dee', 'Department', { departmentRoles: ['console-admin'] });
    const schoolAdmin = await fx.person('Sid', 'School');
    await fx.designate(school, schoolAdmin);
    const tess = await fx.person('Tess', 'Teacher');
    const d = await fx.signIn(department);
    const added = await addByIdentity(d, school.code, identity(tess));
    assert.equal(added.location, `/directory/people/${tess.id}?notice=added-existing&org=${school.code}`);
    assert.notEqual((await membership(school.id, tess.id))?.confirmed_at, null);
    const { home } = await homeOf(tess);
    assert.doesNotMatch(home.body, /Is this your employer\?/);
    const b = await fx.signIn(schoolAdmin);
    assert.equal((await b.get(`/directory/people/${tess.id}/reset-password`)).status, 200);
  });

  test('adding someone already within the administrator’s reach to another of their schools needs no confirmation', async () => {
    const { district, school } = await fx.districtWithSchool('Reach');
    const other = await fx.districtWithSchool('Far');
    const districtAdmin = await fx.person('Rhea', 'Reach');
    await fx.designate(district, districtAdmin);
    const ray = await fx.person('Ray', 'Already');
    await fx.addStaff(district, ray);
    const b = await fx.signIn(districtAdmin);
    const added = await addByIdentity(b, school.code, identity(ray));
    assert.equal(added.location, `/directory/people/${ray.id}?notice=added-existing&org=${school.code}`);
    assert.notEqual((await membership(school.id, ray.id))?.confirmed_at, null);
    // The same person added elsewhere by an outsider still waits.
    const outsider = await fx.person('Otto', 'Outsider');
    await fx.designate(other.school, outsider);
    const o = await fx.signIn(outsider);
    assert.equal(
      (await addByIdentity(o, other.school.code, identity(ray))).location,
      `/directory/organizations/${other.school.code}?notice=added-pending`,
    );
  });

  test('a profile the administrator started (no credentials yet) is theirs to act on at once', async () => {
    const { school } = await fx.districtWithSchool('New');
    const admin = await fx.person('Nia', 'New');
    await fx.designate(school, admin);
    const b = await fx.signIn(admin);
    const added = await addByIdentity(b, school.code, {
      firstName: 'Newt',
      lastName: 'Hire',
      dobMonth: '4',
      dobDay: '4',
      dobYear: '1977',
      ssn: '523-11-2233',
      email: '',
    });
    const id = /people\/([0-9a-f-]{36})\?notice=added-new/.exec(added.location ?? '')?.[1];
    assert.ok(id, added.location);
    assert.equal((await b.get(`/directory/people/${id}`)).status, 200);
    assert.notEqual((await membership(school.id, id))?.confirmed_at, null);
  });

  test('memberships made before the rule stay confirmed (migration backfill)', async () => {
    const { school } = await fx.districtWithSchool('Old');
    const admin = await fx.person('Olga', 'Old');
    await fx.designate(school, admin);
    const ola = await fx.person('Ola', 'Oldtimer');
    await undoConfirmation(portal.db as never);
    try {
      await sql`INSERT INTO organization_member (organization_id, profile_id, added_by) VALUES (${school.id}, ${ola.id}, ${admin.id})`.execute(
        portal.db,
      );
    } finally {
      await staffConfirmation(portal.db as never);
    }
    assert.notEqual((await membership(school.id, ola.id))?.confirmed_at, null);
    const b = await fx.signIn(admin);
    assert.equal((await b.get(`/directory/people/${ola.id}/reset-password`)).status, 200);
  });
});

describe('a reset never completes a pre-created profile (attack F8)', () => {
  test('resetting a pre-created profile is refused with a clear message and its status stays', async () => {
    const { school } = await fx.districtWithSchool('Pre');
    const admin = await fx.person('Pia', 'Pre');
    await fx.designate(school, admin);
    const b = await fx.signIn(admin);
    const added = await addByIdentity(b, school.code, {
      firstName: 'Real',
      lastName: 'Person',
      dobMonth: '3',
      dobDay: '3',
      dobYear: '1975',
      ssn: '512-34-5678',
      email: '',
    });
    const id = /people\/([0-9a-f-]{36})\?notice=added-new/.exec(added.location ?? '')?.[1];
    assert.ok(id, added.location);
    const form = await b.get(`/directory/people/${id}/reset-password`);
    assert.equal(form.status, 409);
    assert.match(form.body, /This profile is not completed yet: the person completes it with Create a profile/);
    const reset = await b.post(`/directory/people/${id}/reset-password`, {});
    assert.equal(reset.status, 409);
    assert.doesNotMatch(reset.body, /data-temporary-password/);
    const profile = await fx.profileOf(id);
    assert.equal(profile.status, 'precreated');
    assert.equal(profile.password_hash, null);
    const events = await portal.db
      .selectFrom('audit_event')
      .select('type')
      .where('subject_id', '=', id)
      .where('type', '=', 'password.reset')
      .execute();
    assert.equal(events.length, 0);
    // The real person completes it themselves.
    const real = new Browser(portal.app, '198.51.100.10');
    await real.get('/profile/new');
    const r = await real.post('/profile/new/identity', {
      firstName: 'Real',
      middleName: '',
      lastName: 'Person',
      dobMonth: '3',
      dobDay: '3',
      dobYear: '1975',
      ssn: '512-34-5678',
    });
    assert.equal(r.status, 303);
    assert.doesNotMatch(r.location ?? '', /exact/, 'not sent to log in to an account someone else holds');
  });
});
