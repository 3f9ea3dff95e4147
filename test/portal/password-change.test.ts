import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { migrate, openDatabase, type Database } from '../../src/database.ts';
import { createProfile, identityOnly, type AccountRules } from '../../src/portal/accounts.ts';
import { hashSecret, verifySecret } from '../../src/portal/hashing.ts';
import { changePassword, CURRENT_PASSWORD_WRONG } from '../../src/portal/password-change.ts';
import { POLICIES } from '../../src/portal/password-policy.ts';
import { loadSession, startSession, tokenHash } from '../../src/portal/sessions.ts';
import { throwawayDatabase } from '../helpers/throwaway-database.ts';

/**
 * Change Password as a service (src/portal/password-change.ts), on a real database, and
 * what a signed-in request carries of the person (src/portal/sessions.ts).
 */

let database: Database;
let drop = async () => {};
before(async () => {
  let databaseUrl: string | undefined;
  if (process.env.DATABASE_URL)
    ({ url: databaseUrl, drop } = await throwawayDatabase(process.env.DATABASE_URL, 'portal_test'));
  database = await openDatabase({ databaseUrl, dataDir: 'memory://', poolSize: 4 });
  await migrate(database.db);
});
after(async () => {
  await database.close();
  await drop();
});

const accounts: AccountRules = {
  policy: POLICIES.agency,
  historySize: 'all',
  ssnKey: 'test-ssn-key-0123456789abcdef0123456789',
};
const rules = { accounts, lockout: { threshold: 5, windowMs: 900_000, lockMs: 900_000 } };
const timeouts = { idleMs: 3_600_000, absoluteMs: 3_600_000 };
const client = { ip: '203.0.113.7', userAgent: 'test' };

/** A person with a password, signed in on two devices. */
async function signedInTwice(firstName: string) {
  const { db } = database;
  const passwordHash = await hashSecret('Old1Pass');
  const person = await db
    .transaction()
    .execute((tx) =>
      createProfile(
        tx,
        { ...identityOnly({ firstName, lastName: 'Changer', dateOfBirth: '1980-01-02' }), email: 'p@example.org' },
        { passwordHash, hintQuestion: 'Pet?', hintAnswerHash: passwordHash },
      ),
    );
  const here = await startSession(db, person.id, timeouts, client);
  const elsewhere = await startSession(db, person.id, timeouts, client);
  return { person, here, elsewhere };
}

async function stateOf(profileId: string) {
  const { db } = database;
  const profile = await db
    .selectFrom('profile')
    .select('password_hash')
    .where('id', '=', profileId)
    .executeTakeFirstOrThrow();
  const history = await db
    .selectFrom('password_history')
    .select(sql<string>`count(*)`.as('n'))
    .where('profile_id', '=', profileId)
    .executeTakeFirstOrThrow();
  const sessions = await db
    .selectFrom('session')
    .select(sql<string>`count(*)`.as('n'))
    .where('profile_id', '=', profileId)
    .executeTakeFirstOrThrow();
  const audits = await db
    .selectFrom('audit_event')
    .select('type')
    .where('subject_id', '=', profileId)
    .where('type', '=', 'password.changed')
    .execute();
  return {
    passwordHash: profile.password_hash!,
    history: Number(history.n),
    sessions: Number(sessions.n),
    audits: audits.length,
  };
}

describe('the session', () => {
  test('carries who the person is and what the routes decide on (department roles are read per request), never their password, hint or SSN hashes', async () => {
    const { person, here } = await signedInTwice('Sessa');
    const session = await loadSession(database.db, here, timeouts);
    assert.deepEqual(Object.keys(session!.profile).sort(), [
      'first_name',
      'id',
      'last_name',
      'must_change_password',
      'user_name',
    ]);
    assert.deepEqual(
      [session!.profile.id, session!.profile.user_name, session!.profile.first_name],
      [person.id, person.userName, 'Sessa'],
    );
  });
});

describe('changing a password', () => {
  test('sets the new password with its history row, ends the other sessions, keeps this one and records it once', async () => {
    const { person, here } = await signedInTwice('Chana');
    const before = await stateOf(person.id);
    const result = await changePassword(
      database.db,
      rules,
      { id: person.id, sessionIdHash: tokenHash(here) },
      { currentPassword: 'Old1Pass', password: 'New2Pass', passwordConfirm: 'New2Pass' },
      client.ip,
    );
    assert.deepEqual(result, { outcome: 'changed' });
    const after = await stateOf(person.id);
    assert.equal(await verifySecret(after.passwordHash, 'New2Pass'), true);
    assert.deepEqual([after.history, after.sessions, after.audits], [before.history + 1, 1, 1]);
    assert.ok(await loadSession(database.db, here, timeouts), 'the device that changed it stays signed in');
  });

  test('a wrong current password or a new one that breaks a rule changes nothing and says which field', async () => {
    const { person, here } = await signedInTwice('Wren');
    const before = await stateOf(person.id);
    const who = { id: person.id, sessionIdHash: tokenHash(here) };
    assert.deepEqual(
      await changePassword(
        database.db,
        rules,
        who,
        { currentPassword: 'Wrong9', password: 'New2Pass', passwordConfirm: 'New2Pass' },
        client.ip,
      ),
      {
        outcome: 'refused',
        errors: { currentPassword: CURRENT_PASSWORD_WRONG },
      },
    );
    const reused = await changePassword(
      database.db,
      rules,
      who,
      { currentPassword: 'Old1Pass', password: 'Old1Pass', passwordConfirm: 'Old1Pass' },
      client.ip,
    );
    assert.equal(reused.outcome === 'refused' && Object.keys(reused.errors).join(), 'password');
    assert.deepEqual(await stateOf(person.id), before);
  });

  test('when its last write fails, nothing of it is kept: the old password, its history and every session stay', async () => {
    const { db } = database;
    const { person, here } = await signedInTwice('Faye');
    const before = await stateOf(person.id);
    // A real failure inside the transaction, at its last statement: the audit row is refused.
    await sql`create function refuse_password_audit() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$`.execute(
      db,
    );
    await sql`create trigger refuse_password_audit before insert on audit_event for each row when (new.type = 'password.changed') execute function refuse_password_audit()`.execute(
      db,
    );
    try {
      await assert.rejects(
        changePassword(
          db,
          rules,
          { id: person.id, sessionIdHash: tokenHash(here) },
          { currentPassword: 'Old1Pass', password: 'New2Pass', passwordConfirm: 'New2Pass' },
          client.ip,
        ),
        /audit refused/,
      );
    } finally {
      await sql`drop trigger refuse_password_audit on audit_event`.execute(db);
      await sql`drop function refuse_password_audit()`.execute(db);
    }
    assert.deepEqual(await stateOf(person.id), before);
    assert.equal(await verifySecret(before.passwordHash, 'Old1Pass'), true);
  });
});
