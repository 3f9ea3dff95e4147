import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ELAR_SWEEP_JOB } from '../../src/elar/index.ts';
import { enqueue } from '../../src/platform/jobs/queue.ts';
import { createProfile } from '../helpers/portal.ts';
import { signInToElar, startElar, type TestElar } from '../helpers/elar.ts';

/** ELAR keeps its queue, outbox, audit trail and documents in its own schema, co-hosted or not. */
let elar: TestElar;
let userName: string;

before(async () => {
  elar = await startElar();
  ({ userName } = await createProfile(elar.browser('10.8.0.1'), {
    firstName: 'Olive',
    lastName: 'Owntables',
    dob: ['7', '9', '1982'],
    ssn: '804-45-6789',
  }));
});
after(() => elar.close());

async function tablesOf(schema: string) {
  const { rows } = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ${schema}`.execute(elar.portal.db);
  return rows.map((r) => r.name);
}

describe('ELAR has its own copies of the platform tables', () => {
  test('job, job_schedule, mail_outbox, audit_event and document exist in the elar schema', async () => {
    const tables = await tablesOf('elar');
    for (const name of ['job', 'job_schedule', 'mail_outbox', 'audit_event', 'document']) {
      assert.ok(tables.includes(name), `elar.${name}`);
    }
  });

  test("ELAR's audit trail is append-only, like the portal's", async () => {
    await assert.rejects(sql`TRUNCATE elar.audit_event`.execute(elar.portal.db), /append-only/);
  });

  test('signing in to ELAR is recorded in ELAR’s audit trail, with the person’s sub, and not in the portal’s', async () => {
    const b = elar.browser('10.8.0.2');
    await signInToElar(b, userName);
    const { id: sub } = await elar.portal.db
      .selectFrom('profile')
      .select('id')
      .where('user_name', '=', userName)
      .executeTakeFirstOrThrow();
    const rows = await elar.db
      .selectFrom('audit_event')
      .select(['type', 'actor_id', 'ip', 'detail'])
      .where('type', '=', 'elar.signedIn')
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.actor_id, r.ip, r.detail]),
      [[sub, '10.8.0.2', { staffRoles: null }]],
    );
    const inPortal = await elar.portal.db
      .selectFrom('audit_event')
      .select('id')
      .where('type', '=', 'elar.signedIn')
      .execute();
    assert.equal(inPortal.length, 0);
  });

  test("ELAR's jobs are on ELAR's queue: the portal's runner never takes them, ELAR's runs them", async () => {
    const b = elar.browser('10.8.0.3');
    await signInToElar(b, userName);
    const sessions = () => elar.db.selectFrom('elar.session').select('id_hash').execute();
    const before = (await sessions()).length;
    await elar.db
      .updateTable('elar.session')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    await enqueue(elar.db, ELAR_SWEEP_JOB);
    const queued = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM elar.job WHERE name = ${ELAR_SWEEP_JOB}`.execute(elar.portal.db);
    assert.equal(queued.rows[0]!.n, 1);
    assert.ok(before > 0);

    await elar.portal.jobs.runDue();
    assert.equal((await sessions()).length, before, 'the portal runner left ELAR’s job alone');
    assert.equal(await elar.portal.elarJobs.runDue(), 1);
    assert.equal((await sessions()).length, 0, 'ELAR’s sweep deleted the expired sessions');
  });
});
