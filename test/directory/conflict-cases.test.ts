import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Migrator } from 'kysely/migration';
import { migrations } from '../../migrations/index.ts';
import { createProfile, identityOnly } from '../../src/portal/accounts.ts';
import { openDatabase, type Database } from '../../src/database.ts';
import { recordMatchConflict } from '../../src/portal/profile-repository.ts';
import { throwawayDatabase } from '../helpers/throwaway-database.ts';

/**
 * One open partial-match case per profile: cases opened before the rule are folded into the
 * profile's first one by the migration, and attempts arriving at once add to one case.
 */

let database: Database;
let drop = async () => {};

before(async () => {
  let databaseUrl: string | undefined;
  if (process.env.DATABASE_URL)
    ({ url: databaseUrl, drop } = await throwawayDatabase(process.env.DATABASE_URL, 'portal_test'));
  database = await openDatabase({ databaseUrl, dataDir: 'memory://', poolSize: 8 });
});
after(async () => {
  await database.close();
  await drop();
});

const submitted = (firstName: string) => ({
  firstName,
  lastName: 'Rivera',
  dateOfBirth: '1986-04-12',
  ssnLast4: '6789',
});

describe('partial-match cases', () => {
  test('the migration folds the open cases of a profile into its first, keeping every field and the count', async () => {
    const { db } = database;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    assert.equal((await migrator.migrateTo('0005_temporary_password_expiry')).error, undefined);
    const twice = await db
      .transaction()
      .execute((tx) => createProfile(tx, identityOnly({ firstName: 'Jordan', lastName: 'Rivera' }), null));
    const once = await db
      .transaction()
      .execute((tx) => createProfile(tx, identityOnly({ firstName: 'Pat', lastName: 'Lee' }), null));
    const insert = (profileId: string, fields: string[], firstName: string, status: 'open' | 'resolved' = 'open') =>
      db
        .insertInto('match_conflict')
        .values({
          profile_id: profileId,
          conflicting_fields: fields,
          submitted: JSON.stringify(submitted(firstName)),
          status,
        })
        .execute();
    await insert(twice.id, ['firstName'], 'Jordon');
    await insert(twice.id, ['ssn'], 'Jordan');
    await insert(twice.id, ['lastName'], 'Jordan', 'resolved');
    await insert(once.id, ['dateOfBirth'], 'Pat');
    assert.equal((await migrator.migrateToLatest()).error, undefined);

    const open = await db.selectFrom('match_conflict').selectAll().where('status', '=', 'open').orderBy('id').execute();
    assert.deepEqual(
      open.map((c) => [c.profile_id, [...c.conflicting_fields].sort(), c.attempts]),
      [
        [twice.id, ['firstName', 'ssn'], 2],
        [once.id, ['dateOfBirth'], 1],
      ],
    );
    const merged = await db
      .selectFrom('match_conflict')
      .select(['resolution_note'])
      .where('profile_id', '=', twice.id)
      .where('status', '=', 'resolved')
      .orderBy('id')
      .execute();
    assert.deepEqual(
      merged.map((c) => c.resolution_note),
      ["Merged into the profile's first open case", null],
    );
  });

  test('ten attempts at once make one open case counting ten', async () => {
    const { db } = database;
    const person = await db
      .transaction()
      .execute((tx) => createProfile(tx, identityOnly({ firstName: 'Casey', lastName: 'Concurrent' }), null));
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        recordMatchConflict(db, person.id, i % 2 ? ['firstName'] : ['ssn'], submitted(`Casey${i}`)),
      ),
    );
    const cases = await db.selectFrom('match_conflict').selectAll().where('profile_id', '=', person.id).execute();
    assert.equal(cases.length, 1);
    assert.equal(cases[0]!.attempts, 10);
    assert.deepEqual([...cases[0]!.conflicting_fields].sort(), ['firstName', 'ssn']);
  });

  test('once a case is closed, a new attempt opens a new one', async () => {
    const { db } = database;
    const person = await db
      .transaction()
      .execute((tx) => createProfile(tx, identityOnly({ firstName: 'Nia', lastName: 'Newcase' }), null));
    await recordMatchConflict(db, person.id, ['ssn'], submitted('Nia'));
    await db.updateTable('match_conflict').set({ status: 'resolved' }).where('profile_id', '=', person.id).execute();
    await recordMatchConflict(db, person.id, ['ssn'], submitted('Nia'));
    const cases = await db
      .selectFrom('match_conflict')
      .select(['status', 'attempts'])
      .where('profile_id', '=', person.id)
      .orderBy('id')
      .execute();
    assert.deepEqual(cases, [
      { status: 'resolved', attempts: 1 },
      { status: 'open', attempts: 1 },
    ]);
  });
});
