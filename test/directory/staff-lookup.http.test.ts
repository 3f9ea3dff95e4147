import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, describe, test } from 'node:test';
import { designateAdministrator } from '../../src/directory/service.ts';
import { directoryFixture } from '../helpers/directory.ts';
import {
  Browser,
  createProfile,
  errorSummary,
  identityFields,
  logIn,
  outcomeOf,
  startPortal,
  type Person,
  type Response,
  type TestPortal,
} from '../helpers/portal.ts';

/**
 * SPEC D3, P9 (issue 11, "adding staff is an unthrottled SSN oracle"): a Directory
 * Administrator who knows a person's name and birth date could try SSNs on the add-staff
 * form with no pause. Each miss (a partial match) is audited and counted per administrator
 * and per address, like the public wizard's partial matches; the count is reserved before
 * the match runs, so parallel tries get no more than the threshold either.
 */

const THRESHOLD = 5;
const IP_THRESHOLD = 8;
const LOCKOUT_MINUTES = 9;

const victim: Person = { firstName: 'Vera', lastName: 'Victim', dob: ['3', '14', '1980'], ssn: '271-82-8182' };
const wrongSsn = (i: number) => `5${String(i).padStart(2, '0')}-12-3434`;

let portal: TestPortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

/**
 * A district, `count` Directory Administrators of it (logged in, each from `ip`, or over
 * real HTTP from 127.0.0.1 when `ip` is 'http'), and the victim's profile.
 */
async function setUp(count: number, ip: string) {
  const p = await startPortal({
    LOCKOUT_THRESHOLD: String(THRESHOLD),
    IP_LOCKOUT_THRESHOLD: String(IP_THRESHOLD),
    LOCKOUT_MINUTES: String(LOCKOUT_MINUTES),
  });
  portal = p;
  const orgId = randomUUID();
  await p.db
    .insertInto('organization')
    .values({
      id: orgId,
      code: '00610000',
      name: 'Oracle Falls Public Schools',
      type: 'district',
      district_id: null,
      town: 'Oracle Falls',
      phone: null,
    })
    .execute();
  const org = await p.db.selectFrom('organization').selectAll().where('id', '=', orgId).executeTakeFirstOrThrow();
  await createProfile(new Browser(p.app, '198.51.100.70'), victim);
  const url = ip === 'http' ? new URL(await p.app.listen({ port: 0, host: '127.0.0.1' })) : null;
  const admins: { browser: Browser; id: string }[] = [];
  for (let i = 0; i < count; i++) {
    const created = await createProfile(new Browser(p.app, '198.51.100.71'), {
      firstName: 'Ada',
      lastName: `Admin${'abc'[i]}`,
      dob: ['1', '2', '1970'],
      ssn: `60${i}-11-1111`,
    });
    const profile = await p.db
      .selectFrom('profile')
      .selectAll()
      .where('user_name', '=', created.userName)
      .executeTakeFirstOrThrow();
    await designateAdministrator(p.db, null, org, profile, { email: null, phone: null }, null);
    const browser = url ? new Browser(url) : new Browser(p.app, ip);
    assert.equal((await logIn(browser, created.userName, 'Secret123')).status, 303);
    await browser.get('/directory/organizations/00610000/staff/new');
    admins.push({ browser, id: profile.id });
  }
  return { p, admins };
}

const addStaff = (b: Browser, person: Person) =>
  b.post('/directory/organizations/00610000/staff/new', { ...identityFields(person), email: '' });

async function partialMatches(p: TestPortal): Promise<number> {
  const row = await p.db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('type', '=', 'match.partial')
    .where(sql<string>`detail->>'via'`, '=', 'staff.add')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function staffCount(p: TestPortal): Promise<number> {
  const row = await p.db
    .selectFrom('organization_member')
    .innerJoin('profile', 'profile.id', 'organization_member.profile_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('profile.last_name', '=', victim.lastName)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function assertPaused(res: Response) {
  assert.equal(res.status, 429);
  assert.equal(outcomeOf(res.body), 'locked');
  assert.match(res.body, /Adding staff is paused/);
  assert.match(res.body, new RegExp(`for ${LOCKOUT_MINUTES} minutes`));
}

describe('D3 add staff: SSN guesses for a known name and birth date are throttled', () => {
  test('each miss is audited; after the threshold the administrator is paused for LOCKOUT_MINUTES, even with the right SSN', async () => {
    const { p, admins } = await setUp(1, '198.51.100.80');
    const { browser, id } = admins[0]!;
    const started = Date.now();
    for (let i = 0; i < THRESHOLD; i++)
      assert.equal((await addStaff(browser, { ...victim, ssn: wrongSsn(i) })).status, 409, `guess ${i + 1}`);
    const finished = Date.now();
    assert.equal(await partialMatches(p), THRESHOLD, 'every miss is in the audit log');
    assertPaused(await addStaff(browser, victim));
    assert.equal(await staffCount(p), 0, 'the right SSN was not checked');
    assert.equal(await partialMatches(p), THRESHOLD);
    const lock = await p.db
      .selectFrom('login_throttle')
      .select('locked_until')
      .where('key', '=', `staff-lookup:${id}`)
      .executeTakeFirstOrThrow();
    const minutes = LOCKOUT_MINUTES * 60_000;
    assert.ok(
      lock.locked_until!.getTime() >= started + minutes - 1000 &&
        lock.locked_until!.getTime() <= finished + minutes + 1000,
      `locked for ${LOCKOUT_MINUTES} minutes`,
    );
    const locks = await p.db
      .selectFrom('audit_event')
      .select('actor_id')
      .where('type', '=', 'account.locked')
      .execute();
    assert.deepEqual(locks, [{ actor_id: id }], 'the pause is audited, with the administrator');
  });

  test('several administrators from one address share its counter', async () => {
    const { p, admins } = await setUp(2, '198.51.100.81');
    const [first, second] = admins;
    for (let i = 0; i < THRESHOLD; i++)
      assert.equal((await addStaff(first!.browser, { ...victim, ssn: wrongSsn(i) })).status, 409);
    for (let i = THRESHOLD; i < IP_THRESHOLD; i++)
      assert.equal((await addStaff(second!.browser, { ...victim, ssn: wrongSsn(i) })).status, 409);
    assertPaused(await addStaff(second!.browser, { ...victim, ssn: wrongSsn(99) }));
    assert.equal(await partialMatches(p), IP_THRESHOLD);
  });

  test('forty wrong SSNs and the right one at once: only the threshold is matched, the person is not added', async () => {
    // The administrator's requests over real HTTP, all at once from one address.
    const { p, admins } = await setUp(1, 'http');
    const { browser } = admins[0]!;
    const guesses = [...Array.from({ length: 40 }, (_, i) => ({ ...victim, ssn: wrongSsn(i) })), victim];
    const responses = await Promise.all(guesses.map((guess) => addStaff(browser, guess)));
    assertPaused(responses.at(-1)!);
    assert.equal(await partialMatches(p), THRESHOLD);
    assert.equal(responses.filter((r) => r.status === 409).length, THRESHOLD);
    assert.equal(responses.filter((r) => r.status === 429).length, 41 - THRESHOLD);
    assert.equal(await staffCount(p), 0);
  });
});

describe('the correction form is no SSN oracle either (outside review F1)', () => {
  const TAKEN = 'This Social Security number belongs to another profile. Call the Department help desk';

  async function correctionSetUp() {
    const p = await startPortal({
      LOCKOUT_THRESHOLD: String(THRESHOLD),
      IP_LOCKOUT_THRESHOLD: String(IP_THRESHOLD),
      LOCKOUT_MINUTES: String(LOCKOUT_MINUTES),
    });
    portal = p;
    const fx = directoryFixture(p);
    const { district, school } = await fx.districtWithSchool('Oracle');
    const admin = await fx.person('Ada', 'Admin');
    await fx.designate(district, admin);
    const staff = await fx.person('Stan', 'Staff');
    await fx.addStaff(school, staff);
    const browser = await fx.signIn(admin);
    await browser.get(`/directory/people/${staff.id}/fix`);
    const fix = (ssn: string) =>
      browser.post(`/directory/people/${staff.id}/fix`, {
        firstName: 'Stan',
        lastName: 'Staff',
        dobMonth: staff.dob[0],
        dobDay: staff.dob[1],
        dobYear: staff.dob[2],
        ssn,
        email: '',
      });
    return { p, fx, admin, staff, fix, browser, school };
  }

  async function fixMisses(p: TestPortal): Promise<number> {
    const row = await p.db
      .selectFrom('audit_event')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('type', '=', 'match.partial')
      .where(sql<string>`detail->>'via'`, '=', 'person.fix')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  test("forty other people's SSNs at once: only the threshold are answered, the rest are paused and audited as nothing", async () => {
    const { p, fx, staff, fix } = await correctionSetUp();
    const before = await staff.profile();
    const others = [];
    for (let i = 0; i < 40; i++)
      others.push(await fx.person('Other', `Person${'abcdefghijklmnopqrstuvwxyzabcdefghijklmn'[i]}`));
    const responses = await Promise.all(others.map((o) => fix(o.ssn)));
    const taken = responses.filter((r) => r.status === 409);
    assert.equal(taken.length, THRESHOLD);
    for (const r of taken) assert.deepEqual(errorSummary(r.body), [TAKEN]);
    const paused = responses.filter((r) => r.status === 429);
    assert.equal(paused.length, 40 - THRESHOLD);
    assert.equal(outcomeOf(paused[0]!.body), 'locked');
    assert.match(paused[0]!.body, /Identity checks are paused/);
    assert.match(paused[0]!.body, new RegExp(`for ${LOCKOUT_MINUTES} minutes`));
    assert.equal(await fixMisses(p), THRESHOLD, 'each answered miss is in the audit log');
    assert.equal((await staff.profile()).ssn_hash, before.ssn_hash, 'no one else’s SSN was given to the staff member');
  });

  test('the pause is the one add-staff counts: a paused administrator corrects names, not SSNs, and adds no one', async () => {
    const { p, fx, staff, fix, browser, school } = await correctionSetUp();
    const before = await staff.profile();
    for (let i = 0; i < THRESHOLD; i++) {
      const other = await fx.person('Other', `Guess${'abcde'[i]}`);
      assert.equal((await fix(other.ssn)).status, 409, `guess ${i + 1}`);
    }
    // Even the person's own SSN is no longer checked.
    const own = await fix(staff.ssn);
    assert.equal(own.status, 429);
    assert.equal(await fixMisses(p), THRESHOLD);
    await browser.get(`/directory/organizations/${school.code}/staff/new`);
    const added = await browser.post(`/directory/organizations/${school.code}/staff/new`, {
      ...identityFields(victim),
      email: '',
    });
    assertPaused(added);
    await browser.get(`/directory/people/${staff.id}/fix`);
    assert.equal((await fix('')).status, 303, 'a correction without an SSN needs no identity check');
    assert.equal((await staff.profile()).ssn_hash, before.ssn_hash);
  });
});
