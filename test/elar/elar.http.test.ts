import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { migrations } from '../../migrations/index.ts';
import { grantRole } from '../../src/directory/service.ts';
import { insertDepartmentRole } from '../../src/directory/department-roles/repository.ts';
import { revokeDepartmentRole } from '../../src/directory/department-roles/service.ts';
import { elarTables } from '../../src/elar/index.ts';
import { loadElarSession } from '../../src/elar/sessions.ts';
import { migrate, openDatabase } from '../../src/database.ts';
import type { Application, Organization } from '../../src/directory/schema.ts';
import { Browser, createProfile, startPortal, textOf, type TestPortal } from '../helpers/portal.ts';
import { listenAhead } from '../helpers/server.ts';
import { signInToElar as signInToElarAs } from '../helpers/elar.ts';
import { throwawayDatabase } from '../helpers/throwaway-database.ts';

/** ELAR is a relying party of the portal: discovery over HTTP, code + PKCE, back-channel logout. */
let portal: TestPortal;
let origin: string;
let userName: string;
let port: Awaited<ReturnType<typeof listenAhead>>;
/** ELAR's own tables, in the same database when ELAR is co-hosted. */
const elarDb = () => elarTables(portal.db);
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

before(async () => {
  port = await listenAhead();
  origin = port.origin;
  portal = await startPortal({ PUBLIC_URL: origin });
  port.serve(portal.app);
  ({ userName } = await createProfile(new Browser(portal.app), {
    firstName: 'Ella',
    lastName: 'Elar',
    dob: ['2', '3', '1984'],
    ssn: '803-45-6789',
  }));
});
after(async () => {
  await portal.close();
  await port.close();
});

const signInToElar = (b: Browser) => signInToElarAs(b, userName);

/** The ELAR session rows of this browser (its cookie's hash). */
async function elarSessionsOf(b: Browser) {
  const token = b.cookies.get('elar_session');
  assert.ok(token, 'the browser holds an ELAR session cookie');
  return elarDb()
    .selectFrom('elar.session')
    .select(['created_at', 'expires_at'])
    .where('id_hash', '=', tokenHash(token))
    .execute();
}

/** Makes this browser's ELAR session look as if it had started (and, with 'both', been last used) `minutes` earlier. */
async function age(b: Browser, minutes: number, which: 'created_at' | 'both' = 'both') {
  await elarDb()
    .updateTable('elar.session')
    .set({
      created_at: sql<Date>`created_at - make_interval(mins => ${minutes})`,
      ...(which === 'both' ? { expires_at: sql<Date>`expires_at - make_interval(mins => ${minutes})` } : {}),
    })
    .where('id_hash', '=', tokenHash(b.cookies.get('elar_session')!))
    .execute();
}

describe('ELAR sessions follow the portal session limits (30 minutes idle, 12 hours in all)', () => {
  test('idle for longer than SESSION_IDLE_MINUTES, ELAR asks for a new sign-in', async () => {
    const b = new Browser(portal.app, '10.6.1.1', origin);
    await signInToElar(b);
    await age(b, 31);
    const res = await b.get('/elar');
    assert.equal(res.status, 303);
    assert.match(res.location!, /\/oidc\/auth\?/);
  });

  test('each ELAR page keeps the session alive for another idle period', async () => {
    const b = new Browser(portal.app, '10.6.1.2', origin);
    await signInToElar(b);
    const [started] = await elarSessionsOf(b);
    const idleMs = started!.expires_at.getTime() - started!.created_at.getTime();
    assert.ok(Math.abs(idleMs - 30 * 60_000) < 5_000, `a new session lasts the idle limit, not ${idleMs} ms`);
    await age(b, 20);
    assert.equal((await b.get('/elar')).status, 200);
    await age(b, 20);
    assert.equal((await b.get('/elar')).status, 200, '40 minutes after sign-in, but used 20 minutes ago');
  });

  test('past SESSION_ABSOLUTE_HOURS, even a session in use ends', async () => {
    const b = new Browser(portal.app, '10.6.1.3', origin);
    await signInToElar(b);
    await age(b, 12 * 60 + 1, 'created_at');
    const res = await b.get('/elar');
    assert.equal(res.status, 303);
    assert.match(res.location!, /\/oidc\/auth\?/);
    assert.equal((await elarSessionsOf(b)).length, 0, 'the ended session is gone');
  });
});

describe('ELAR signs in through the portal', () => {
  test('the Welcome Page shows the profile from the ID token, and Change Password', async () => {
    const b = new Browser(portal.app, '10.6.0.1', origin);
    const page = await signInToElar(b);
    assert.equal(page.status, 200);
    assert.match(page.body, /ELAR Welcome Page/);
    assert.equal(textOf(page.body, 'data-username'), userName);
    assert.match(textOf(page.body, 'data-mepid') ?? '', /^\d{8}$/);
    assert.match(page.body, /href="\/account\/password"/);
  });

  test('ELAR is told the profile’s email, so an application can write to the person without asking again', async () => {
    const b = new Browser(portal.app, '10.6.0.2', origin);
    await signInToElar(b);
    const session = await elarDb()
      .selectFrom('elar.session')
      .select('claims')
      .where('id_hash', '=', tokenHash(b.cookies.get('elar_session')!))
      .executeTakeFirstOrThrow();
    assert.equal((session.claims as Record<string, unknown>).email, 'person@example.org');
  });

  test('portal logout reaches ELAR by back-channel: its session ends too', async () => {
    const b = new Browser(portal.app, '10.6.0.2', origin);
    const elarSessions = async () => (await elarDb().selectFrom('elar.session').selectAll().execute()).length;
    const before = await elarSessions();
    await signInToElar(b);
    assert.equal(await elarSessions(), before + 1, 'signed in to ELAR');
    await b.get('/');
    await b.post('/logout', {});
    await portal.jobs.runDue();
    assert.equal(await elarSessions(), before, 'the back-channel logout ended the ELAR session');
    const res = await b.get('/elar');
    assert.equal(res.status, 303);
    assert.match(res.location!, /\/oidc\/auth\?/, 'signed out of ELAR: it starts a new sign-in');
  });

  test('logging out from ELAR ends the portal session as well (RP-initiated logout)', async () => {
    const b = new Browser(portal.app, '10.6.0.3', origin);
    await signInToElar(b);
    const out = await b.post('/elar/logout', {});
    assert.match(out.location!, /\/oidc\/session\/end\?/);
    const done = await b.get(out.location!);
    assert.equal(done.status, 303, 'ELAR asked already: no second question');
    assert.equal(done.location, `${origin}/elar/logged-out`);
    assert.equal((await b.get('/account')).status, 303, 'the portal session is over');
  });

  test('a forged or missing back-channel logout token is refused', async () => {
    const b = new Browser(portal.app, '10.6.0.4', origin);
    assert.equal(
      (await b.post('/elar/backchannel-logout', { logout_token: 'e30.e30.sig' }, { csrf: false })).status,
      400,
    );
    assert.equal((await b.post('/elar/backchannel-logout', {}, { csrf: false })).status, 400);
  });

  test('a callback without a sign-in in progress is a clear 400', async () => {
    const res = await new Browser(portal.app, '10.6.0.5', origin).get('/elar/callback?code=abc&state=def');
    assert.equal(res.status, 400);
    assert.match(res.body, /Signing in to ELAR did not complete/);
  });
});

describe('ELAR staff come from the roles claim the portal issues for ELAR', () => {
  // Until the Department's own roles reach ELAR, an application role on the `elar` client
  // in the Department's organization produces the same claim: `{ org: '00000000', role }`.
  let department: Organization;
  let school: Organization;
  let elarApp: Application;
  before(async () => {
    const organization = (code: string, name: string) =>
      portal.db
        .insertInto('organization')
        .values({ id: randomUUID(), code, name, type: 'other', district_id: null, town: 'Malden', phone: null })
        .returningAll()
        .executeTakeFirstOrThrow();
    department = await organization('00000000', 'Department of Elementary and Secondary Education');
    school = await organization('00990505', 'Elsewhere Academy');
    elarApp = await portal.db
      .updateTable('application')
      .set({ roles: ['user', 'licensure-evaluator', 'licensure-supervisor', 'payments'] })
      .where('id', '=', 'elar')
      .returningAll()
      .executeTakeFirstOrThrow();
  });

  let serial = 0;
  /** A new educator granted these ELAR roles (with the CLI's `role grant` machinery), signed in to ELAR. */
  async function signedInWith(roles: Array<[Organization, string]>) {
    serial += 1;
    const person = {
      firstName: 'Eva',
      lastName: `Staff${'abcdefgh'[serial]}`,
      dob: ['5', String(serial + 1), '1979'] as [string, string, string],
      ssn: `804-4${serial}-678${serial}`,
    };
    const { userName: name } = await createProfile(new Browser(portal.app), person);
    const profile = await portal.db
      .selectFrom('profile')
      .selectAll()
      .where('user_name', '=', name)
      .executeTakeFirstOrThrow();
    for (const [org, role] of roles)
      await grantRole(portal.db, null, { person: profile, org, app: elarApp, role }, null);
    const b = new Browser(portal.app, `10.6.2.${serial}`, origin);
    const login = await b.follow(await b.get('/elar'));
    const returnTo = /name="returnTo" value="([^"]+)"/.exec(login.body)![1]!.replace(/&amp;/g, '&');
    const page = await b.follow(await b.post('/login', { username: name, password: 'Secret123', returnTo }));
    assert.equal(page.status, 200);
    assert.match(page.body, /ELAR Welcome Page/);
    return page.body;
  }
  const staffOn = (body: string) => /data-elar-staff="([^"]*)"/.exec(body)?.[1];

  test('a licensure evaluator of the Department is told so on the Welcome Page, with the work it allows', async () => {
    const body = await signedInWith([[department, 'licensure-evaluator']]);
    assert.equal(staffOn(body), 'licensure-evaluator');
    assert.match(body, /You are signed in as a licensure evaluator</);
    assert.match(body, /you may evaluate license applications\./);
    assert.doesNotMatch(body, /approve or deny/);
    assert.match(body, /href="\/elar\/staff"[^>]*>Go to your staff pages</, 'staff are led to their pages');
    assert.doesNotMatch(body, /soon/);
  });

  test('a supervisor who also takes payments holds both, and may decide', async () => {
    const body = await signedInWith([
      [department, 'payments'],
      [department, 'licensure-supervisor'],
    ]);
    assert.equal(staffOn(body), 'licensure-supervisor payments');
    assert.match(body, /You are signed in as a licensure supervisor and a payments officer</);
    assert.match(body, /approve or deny applications/);
    assert.match(body, /manage fees, payments and refunds/);
  });

  test('the same role in a school, given by its Directory Administrator, makes no one ELAR staff', async () => {
    const body = await signedInWith([[school, 'licensure-evaluator']]);
    assert.equal(staffOn(body), undefined);
    assert.doesNotMatch(body, /signed in as a licensure/);
  });

  test('an educator with no roles sees the Welcome Page as before, with no staff notice', async () => {
    const body = await signedInWith([]);
    assert.equal(staffOn(body), undefined);
    assert.match(body, /href="\/account\/password"/);
  });
});

describe('attack review, issue 12: a revoked department role does not live on in ELAR', () => {
  let serial = 0;
  /** A new person holding these department roles (as the console grants them), with a browser at the portal. */
  async function staffMember(roles: Array<'licensure-supervisor' | 'payments' | 'console-admin'>) {
    serial += 1;
    const { userName: name } = await createProfile(new Browser(portal.app), {
      firstName: 'Reva',
      lastName: `Revoked${'abcdefgh'[serial]}`,
      dob: ['7', String(serial + 1), '1977'],
      ssn: `806-5${serial}-123${serial}`,
    });
    const profile = await portal.db
      .selectFrom('profile')
      .selectAll()
      .where('user_name', '=', name)
      .executeTakeFirstOrThrow();
    for (const role of roles) await insertDepartmentRole(portal.db, { profileId: profile.id, role, grantedBy: null });
    return { profile, browser: new Browser(portal.app, `10.6.3.${serial}`, origin) };
  }

  /** Signs the browser in to ELAR (the portal login first, if needed); the staff roles the Welcome Page names. */
  async function elarStaffOf(b: Browser, userName: string): Promise<string | undefined> {
    let page = await b.follow(await b.get('/elar'));
    if (/action="\/login"/.test(page.body)) {
      const returnTo = /name="returnTo" value="([^"]+)"/.exec(page.body)![1]!.replace(/&amp;/g, '&');
      page = await b.follow(await b.post('/login', { username: userName, password: 'Secret123', returnTo }));
    }
    assert.equal(page.status, 200);
    assert.match(page.body, /ELAR Welcome Page/);
    return /data-elar-staff="([^"]*)"/.exec(page.body)?.[1];
  }

  test('revoked on the console: the supervisor’s ELAR session ends, and the next sign-in carries no role', async () => {
    const supervisor = await staffMember(['licensure-supervisor']);
    assert.equal(await elarStaffOf(supervisor.browser, supervisor.profile.user_name), 'licensure-supervisor');

    const admin = await staffMember(['console-admin']);
    await admin.browser.follow(
      await admin.browser.submit('/login', '/login', { username: admin.profile.user_name, password: 'Secret123' }),
    );
    await admin.browser.get('/directory/department-roles');
    const revoked = await admin.browser.post('/directory/department-roles/revoke', {
      username: supervisor.profile.user_name,
      role: 'licensure-supervisor',
    });
    assert.equal(revoked.status, 303);
    await portal.jobs.runDue();

    const next = await supervisor.browser.get('/elar');
    assert.equal(next.status, 303, 'the ELAR session is over: ELAR signs the person in again');
    assert.match(next.location!, /\/oidc\/auth\?/);
    assert.equal(await elarStaffOf(supervisor.browser, supervisor.profile.user_name), undefined);
  });

  test('revoked from the command line (no provider at hand): the ELAR session ends all the same', async () => {
    const officer = await staffMember(['payments']);
    assert.equal(await elarStaffOf(officer.browser, officer.profile.user_name), 'payments');
    // What `npm run cli -- staff revoke` runs, in a process of its own with no provider.
    assert.equal(
      await revokeDepartmentRole(portal.db, null, { person: officer.profile, role: 'payments' }, null),
      true,
    );
    await portal.jobs.runDue();

    const next = await officer.browser.get('/elar');
    assert.equal(next.status, 303, 'the ELAR session is over');
    assert.equal(await elarStaffOf(officer.browser, officer.profile.user_name), undefined);
  });
});

describe('ELAR sessions from before ELAR had its own schema', () => {
  test('an ELAR session stored by the single sign-on migration survives the move (0013) and still signs its browser in', async () => {
    let url: string | undefined;
    let drop = async () => {};
    if (process.env.DATABASE_URL)
      ({ url, drop } = await throwawayDatabase(process.env.DATABASE_URL, 'portal_elar_move'));
    const database = await openDatabase({ databaseUrl: url, dataDir: 'memory://', poolSize: 2 });
    try {
      const names = Object.keys(migrations);
      const before0013 = names[names.indexOf('0013_elar_session') - 1]!;
      const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
      assert.equal((await migrator.migrateTo(before0013)).error, undefined);
      const token = 'a-token-from-before-the-move';
      const claims = { sub: 'sub-1', preferred_username: 'EElar', given_name: 'Ella' };
      await sql`INSERT INTO elar_session (id_hash, sub, sid, claims, id_token, expires_at)
                VALUES (${tokenHash(token)}, 'sub-1', 'sid-1', ${JSON.stringify(claims)}::jsonb, 'id.token.old', now() + interval '10 minutes')`.execute(
        database.db,
      );
      await migrate(database.db);
      const session = await loadElarSession(elarTables(database.db), token, {
        idleMs: 30 * 60_000,
        absoluteMs: 12 * 3_600_000,
      });
      assert.deepEqual(session?.claims, claims);
      assert.deepEqual(session?.staffRoles, [], 'staff roles are read at the next sign-in');
      const { rows } = await sql<{
        old: string | null;
      }>`SELECT to_regclass('public.elar_session')::text AS old`.execute(database.db);
      assert.equal(rows[0]!.old, null, 'the SSO migration no longer holds an ELAR table');
    } finally {
      await database.close();
      await drop();
    }
  });
});
