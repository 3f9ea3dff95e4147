import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { migrations } from '../../migrations/index.ts';
import { rolesOf } from '../../src/directory/department-roles/repository.ts';
import { grantDepartmentRole, revokeDepartmentRole } from '../../src/directory/department-roles/service.ts';
import { loadActor } from '../../src/directory/service.ts';
import { migrate, openDatabase, type Database } from '../../src/database.ts';
import type { Profile } from '../../src/portal/schema.ts';
import { bootstrapDepartmentAdministrator, createProfile, identityOnly } from '../../src/portal/accounts.ts';
import { throwawayDatabase } from '../helpers/throwaway-database.ts';

/**
 * Department roles in the database (issue 12): what the migration makes of today's
 * department staff, and the rules of granting and revoking, on PGlite or (with
 * DATABASE_URL) a real PostgreSQL where requests at once really run at once.
 */

let database: Database;
let drop = async () => {};

before(async () => {
  let databaseUrl: string | undefined;
  if (process.env.DATABASE_URL)
    ({ url: databaseUrl, drop } = await throwawayDatabase(process.env.DATABASE_URL, 'portal_test'));
  database = await openDatabase({ databaseUrl, dataDir: 'memory://', poolSize: 8 });
  await migrate(database.db);
});
after(async () => {
  await database.close();
  await drop();
});

let serial = 0;
async function person(options: { precreated?: boolean } = {}): Promise<Profile> {
  serial += 1;
  const { db } = database;
  const made = await db
    .transaction()
    .execute((tx) =>
      createProfile(
        tx,
        identityOnly({ firstName: 'Dana', lastName: `Department${'x'.repeat(serial)}` }),
        options.precreated ? null : { passwordHash: 'x', hintQuestion: null, hintAnswerHash: null },
      ),
    );
  return db.selectFrom('profile').selectAll().where('id', '=', made.id).executeTakeFirstOrThrow();
}

const auditRows = (type: string, subjectId: string) =>
  database.db
    .selectFrom('audit_event')
    .select(['actor_id', 'detail'])
    .where('type', '=', type)
    .where('subject_id', '=', subjectId)
    .execute();

describe('migration 0010', () => {
  test("today's department admins and staff become console-admin, everyone else nothing, and profile.department_role is gone", async () => {
    // Its own database: migrated only to the version before, as an existing installation is.
    let url: string | undefined;
    let dropOld = async () => {};
    if (process.env.DATABASE_URL)
      ({ url, drop: dropOld } = await throwawayDatabase(process.env.DATABASE_URL, 'portal_test'));
    const old = await openDatabase({ databaseUrl: url, dataDir: 'memory://', poolSize: 2 });
    try {
      const db = old.db;
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      assert.equal((await migrator.migrateTo('0009_staff_confirmation')).error, undefined);
      const insert = async (userName: string, role: string | null) => {
        const id = crypto.randomUUID();
        await sql`INSERT INTO profile (id, user_name, mepid, first_name, last_name, first_name_key, last_name_key, status, department_role)
                  VALUES (${id}, ${userName}, ${String(1000000 + userName.length)}, 'A', ${userName}, 'a', ${userName.toLowerCase()}, 'active', ${role})`.execute(
          db,
        );
        return id;
      };
      const admin = await insert('Admin', 'admin');
      const staff = await insert('Staffer', 'staff');
      const educator = await insert('Educator', null);
      assert.equal((await migrator.migrateToLatest()).error, undefined);
      const rows = await db
        .selectFrom('department_role')
        .select(['profile_id', 'role', 'granted_by'])
        .orderBy('profile_id')
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.profile_id, r.role, r.granted_by]).sort(),
        [
          [admin, 'console-admin', null],
          [staff, 'console-admin', null],
        ].sort(),
      );
      assert.deepEqual(await rolesOf(db, educator), []);
      const columns = await sql<{
        column_name: string;
      }>`SELECT column_name FROM information_schema.columns WHERE table_name = 'profile' AND column_name = 'department_role'`.execute(
        db,
      );
      assert.equal(columns.rows.length, 0);
    } finally {
      await old.close();
      await dropOld();
    }
  });
});

describe('granting and revoking department roles', () => {
  test('a grant is stored with who granted it, audited once, and read by the next request’s actor; granting again changes nothing', async () => {
    const admin = await person();
    const evaluator = await person();
    const actor = await loadActor(database.db, admin);
    assert.equal(
      await grantDepartmentRole(database.db, actor, { person: evaluator, role: 'licensure-evaluator' }, '10.0.0.1'),
      true,
    );
    assert.equal(
      await grantDepartmentRole(database.db, actor, { person: evaluator, role: 'licensure-evaluator' }, '10.0.0.1'),
      false,
    );
    assert.equal(
      await grantDepartmentRole(database.db, null, { person: evaluator, role: 'payments' }, null),
      true,
      'a person may hold several',
    );
    const stored = await database.db
      .selectFrom('department_role')
      .select(['role', 'granted_by'])
      .where('profile_id', '=', evaluator.id)
      .orderBy('role')
      .execute();
    assert.deepEqual(stored, [
      { role: 'licensure-evaluator', granted_by: admin.id },
      { role: 'payments', granted_by: null },
    ]);
    assert.deepEqual(
      (await auditRows('departmentRole.granted', evaluator.id)).map((r) => [r.actor_id, r.detail]),
      [
        [admin.id, { role: 'licensure-evaluator' }],
        [null, { role: 'payments' }],
      ],
    );
    assert.deepEqual([...(await loadActor(database.db, evaluator)).departmentRoles].sort(), [
      'licensure-evaluator',
      'payments',
    ]);
  });

  test('the same grant asked 40 times at once is one row and one audit row', async () => {
    const helpDesk = await person();
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        grantDepartmentRole(database.db, null, { person: helpDesk, role: 'help-desk' }, null),
      ),
    );
    assert.equal(results.filter(Boolean).length, 1);
    assert.deepEqual(await rolesOf(database.db, helpDesk.id), ['help-desk']);
    assert.equal((await auditRows('departmentRole.granted', helpDesk.id)).length, 1);
  });

  test('an unknown role, and a pre-created profile, are refused with the reason; nothing is written', async () => {
    const someone = await person();
    const precreated = await person({ precreated: true });
    await assert.rejects(
      grantDepartmentRole(database.db, null, { person: someone, role: 'superuser' }, null),
      /"superuser" is not a department role: choose one of console-admin, licensure-evaluator, licensure-supervisor, payments, help-desk/,
    );
    await assert.rejects(
      grantDepartmentRole(database.db, null, { person: precreated, role: 'help-desk' }, null),
      /has not completed their profile yet/,
    );
    await assert.rejects(
      revokeDepartmentRole(database.db, null, { person: someone, role: 'superuser' }, null),
      /is not a department role/,
    );
    assert.deepEqual(await rolesOf(database.db, someone.id), []);
    assert.deepEqual(await rolesOf(database.db, precreated.id), []);
    assert.equal((await auditRows('departmentRole.granted', precreated.id)).length, 0);
  });

  test('a revocation is audited once and takes effect on the next request; revoking what is not held changes nothing', async () => {
    const evaluator = await person();
    await grantDepartmentRole(database.db, null, { person: evaluator, role: 'licensure-supervisor' }, null);
    assert.equal(
      await revokeDepartmentRole(database.db, null, { person: evaluator, role: 'licensure-supervisor' }, '10.0.0.2'),
      true,
    );
    assert.equal(
      await revokeDepartmentRole(database.db, null, { person: evaluator, role: 'licensure-supervisor' }, '10.0.0.2'),
      false,
    );
    assert.deepEqual(
      (await auditRows('departmentRole.revoked', evaluator.id)).map((r) => r.detail),
      [{ role: 'licensure-supervisor' }],
    );
    assert.equal((await loadActor(database.db, evaluator)).departmentRoles.size, 0);
  });

  test('the last console administrator keeps console-admin, however many revocations arrive at once', async () => {
    const { db } = database;
    // Start from whatever console administrators earlier tests left: revoke all but two.
    const [first, second] = [await person(), await person()];
    await grantDepartmentRole(db, null, { person: first, role: 'console-admin' }, null);
    await grantDepartmentRole(db, null, { person: second, role: 'console-admin' }, null);
    const others = await db
      .selectFrom('department_role')
      .innerJoin('profile', 'profile.id', 'department_role.profile_id')
      .selectAll('profile')
      .where('role', '=', 'console-admin')
      .where('profile.id', 'not in', [first.id, second.id])
      .execute();
    for (const other of others) await revokeDepartmentRole(db, null, { person: other, role: 'console-admin' }, null);
    // Each revokes the other at the same moment: one succeeds, the other is refused.
    const outcomes = await Promise.allSettled([
      revokeDepartmentRole(db, await loadActor(db, first), { person: second, role: 'console-admin' }, null),
      revokeDepartmentRole(db, await loadActor(db, second), { person: first, role: 'console-admin' }, null),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    assert.match(refused.reason.message, /is the last console administrator: the system must keep one/);
    const left = await db
      .selectFrom('department_role')
      .select('profile_id')
      .where('role', '=', 'console-admin')
      .execute();
    assert.equal(left.length, 1);
    const last = left[0]!.profile_id === first.id ? first : second;
    await assert.rejects(
      revokeDepartmentRole(db, null, { person: last, role: 'console-admin' }, null),
      /last console administrator/,
    );
    assert.equal(
      (await db.selectFrom('department_role').select('profile_id').where('role', '=', 'console-admin').execute())
        .length,
      1,
    );
  });

  test('the bootstrap administrator is made only while no one holds console-admin, and holds it', async () => {
    const { db } = database;
    assert.equal(
      await bootstrapDepartmentAdministrator(db, 'Bootstrap1'),
      null,
      'a console administrator exists from the tests above',
    );
    await db.deleteFrom('department_role').where('role', '=', 'console-admin').execute();
    const id = await bootstrapDepartmentAdministrator(db, 'Bootstrap1');
    assert.ok(id);
    assert.deepEqual(await rolesOf(db, id), ['console-admin']);
    assert.equal(await bootstrapDepartmentAdministrator(db, 'Another1'), null, 'only once');
  });
});
