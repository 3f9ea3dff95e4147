import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { DEFAULT_APPLICATION_SETTINGS, EXPIRE_DRAFTS_JOB, startDraft } from '../../../src/elar/applications/index.ts';
import { enqueue } from '../../../src/platform/jobs/queue.ts';
import { startElar, type TestElar } from '../../helpers/elar.ts';
import { applicant, BIOLOGY } from './helpers.ts';

/** Co-hosted ELAR runs the application jobs on its own runner, as `npm start` does. */
let elar: TestElar;
before(async () => {
  elar = await startElar();
});
after(() => elar.close());

test('ELAR’s job runner deletes expired drafts and tells people of changes', async () => {
  const person = applicant();
  const started = await startDraft({ db: elar.db, settings: DEFAULT_APPLICATION_SETTINGS }, person, [BIOLOGY]);
  assert.ok(started.ok);
  await elar.db
    .updateTable('application')
    .set({ draft_expires_at: sql`now() - interval '1 minute'` })
    .where('id', '=', started.id)
    .execute();
  await enqueue(elar.db, EXPIRE_DRAFTS_JOB);
  await enqueue(elar.db, 'elar.application.status-changed', { applicationId: started.id, eventId: '1' });
  assert.equal(await elar.portal.elarJobs.runDue(), 2);
  const drafts = await elar.db.selectFrom('application').select('id').where('id', '=', started.id).execute();
  assert.deepEqual(drafts, [], 'the expired draft is gone');
  const left = await elar.db.selectFrom('job').select(['name', 'last_error']).execute();
  assert.deepEqual(left, [], 'both ran and succeeded (a failed job stays queued for its retry)');
});
