import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { enqueue } from '../../../src/platform/jobs/queue.ts';
import { JobRunner } from '../../../src/platform/jobs/runner.ts';
import { createOutbox } from '../../../src/platform/mail/outbox.ts';
import {
  EXPIRE_DRAFTS_JOB,
  loadApplication,
  noticesOf,
  registerApplicationJobs,
  startDraft,
  submit,
  type ApplicationJobDeps,
} from '../../../src/elar/applications/index.ts';
import { applicant, applicationsDatabase, BIOLOGY, completeDraft } from './helpers.ts';

let database: Awaited<ReturnType<typeof applicationsDatabase>>;
let runner: JobRunner;
let jobDeps: ApplicationJobDeps;
const db = () => database.db;

before(async () => {
  database = await applicationsDatabase('elar_drafts');
  // Mail on, so that what would be sent is queued in ELAR's outbox, where the test reads it.
  jobDeps = {
    db: database.db,
    settings: database.deps.settings,
    outbox: createOutbox({ smtpUrl: 'smtp://127.0.0.1:1', from: 'ELAR <elar@example.gov>' }),
    publicUrl: 'https://portal.example.gov',
  };
  runner = new JobRunner(database.db);
  registerApplicationJobs(runner, jobDeps);
  // The mail itself is the platform's (tested there); here it is enough that it is queued.
  runner.handle('mail.send', async () => undefined);
});
after(async () => {
  await database.close();
});

/** Puts a draft's deletion date `days` from now, as time passing would. */
async function expiresIn(id: string, days: number) {
  await db()
    .updateTable('application')
    .set({ draft_expires_at: sql`now() + make_interval(secs => ${days * 86_400})` })
    .where('id', '=', id)
    .execute();
}

async function runExpiry() {
  await enqueue(db(), EXPIRE_DRAFTS_JOB);
  await runner.runDue();
}

async function mailTo(address: string) {
  return db().selectFrom('mail_outbox').select(['subject', 'body_text']).where('to_address', '=', address).execute();
}

describe('drafts are kept for a time, with reminders', () => {
  test('a new draft is kept 180 days', async () => {
    const person = applicant();
    const started = await startDraft(database.deps, person, [BIOLOGY]);
    assert.ok(started.ok);
    const view = await loadApplication(database.deps, person.sub, started.id);
    const days = (view.draftExpiresAt!.getTime() - view.createdAt.getTime()) / 86_400_000;
    assert.ok(Math.abs(days - 180) < 0.01, `kept ${days} days`);
  });

  test('reminders at 14 and 7 days, once each; then deletion with the timeline, audited, and a notice', async () => {
    const withEmail = applicant('reminded@example.test');
    const withoutEmail = applicant(null);
    const in10 = await completeDraft(database.deps, withEmail, [BIOLOGY]);
    const in3 = await completeDraft(database.deps, withEmail, [{ ...BIOLOGY, catalogCode: 'TCH-MUS-ALL' }]);
    const in30 = await completeDraft(database.deps, withEmail, [{ ...BIOLOGY, catalogCode: 'TCH-ART-5-12' }]);
    const expired = await completeDraft(database.deps, withoutEmail, [BIOLOGY]);
    const submittedLate = await completeDraft(database.deps, withoutEmail, [
      { ...BIOLOGY, catalogCode: 'TCH-ESL-5-12' },
    ]);
    await submit(database.deps, withoutEmail, submittedLate.id);
    await expiresIn(in10.id, 10);
    await expiresIn(in3.id, 3);
    await expiresIn(in30.id, 30);
    await expiresIn(expired.id, -1);
    await db()
      .updateTable('application')
      .set({ draft_expires_at: sql`now() - interval '1 day'` })
      .where('id', '=', submittedLate.id)
      .execute();

    await runExpiry();

    const notices = await noticesOf(db(), withEmail.sub);
    assert.deepEqual(
      notices.map((n) => [n.application_reference, n.kind]).sort(),
      [
        [in10.reference, 'draft-expires-14'],
        [in3.reference, 'draft-expires-7'],
      ].sort(),
    );
    assert.match(
      notices.find((n) => n.kind === 'draft-expires-7')!.text,
      new RegExp(`^Your draft application ${in3.reference} will be deleted in 7 days, on `),
    );
    const mail = await mailTo('reminded@example.test');
    assert.equal(mail.length, 2, 'each reminder emailed once');
    assert.ok(mail.every((m) => m.body_text.includes('https://portal.example.gov/elar')));

    // Deleted, with its timeline; its person told in ELAR (no email: none in the claims); audited.
    const gone = await db().selectFrom('application').select('id').where('id', '=', expired.id).executeTakeFirst();
    assert.equal(gone, undefined);
    const timeline = await db()
      .selectFrom('application_event')
      .select('id')
      .where('application_id', '=', expired.id)
      .execute();
    assert.deepEqual(timeline, []);
    const [deletedNotice] = await noticesOf(db(), withoutEmail.sub);
    assert.equal(deletedNotice?.kind, 'draft-deleted');
    assert.match(deletedNotice!.text, /was deleted because it was not submitted within 180 days/);
    const audited = await db()
      .selectFrom('audit_event')
      .select(['type', 'detail'])
      .where('subject_id', '=', expired.id)
      .where('type', '=', 'elar.application.draftDeleted')
      .execute();
    assert.equal(audited.length, 1);
    assert.equal((audited[0]!.detail as { reference: string }).reference, expired.reference);

    // A submitted application is never deleted, whatever its old draft date said.
    assert.equal((await loadApplication(database.deps, withoutEmail.sub, submittedLate.id)).state, 'awaiting-payment');

    // Running again (tomorrow, or a second instance) reminds and deletes nothing twice.
    await runExpiry();
    assert.equal((await noticesOf(db(), withEmail.sub)).length, 2);
    assert.equal((await mailTo('reminded@example.test')).length, 2);
    assert.equal((await noticesOf(db(), withoutEmail.sub)).length, 1);

    // When the 10-day draft comes within 7 days, its second reminder follows.
    await expiresIn(in10.id, 6);
    await runExpiry();
    assert.deepEqual(
      (await noticesOf(db(), withEmail.sub))
        .filter((n) => n.application_reference === in10.reference)
        .map((n) => n.kind)
        .sort(),
      ['draft-expires-14', 'draft-expires-7'],
    );
  });

  test('a status change is emailed once to an address the person gave, however often its job runs', async () => {
    const person = applicant('status@example.test');
    const draft = await completeDraft(database.deps, person);
    await submit(database.deps, person, draft.id);
    await runner.runDue();
    const view = await loadApplication(database.deps, person.sub, draft.id);
    const event = view.timeline.at(-1)!;
    await enqueue(db(), 'elar.application.status-changed', { applicationId: draft.id, eventId: event.id });
    await runner.runDue();
    const mail = await mailTo('status@example.test');
    assert.deepEqual(
      mail.map((m) => m.subject),
      [`Your license application ${draft.reference}: Waiting for payment`],
    );
    assert.match(mail[0]!.body_text, /^You sent your application\. It is waiting for payment\./);
    assert.doesNotMatch(mail[0]!.body_text, /awaiting-payment/, 'no internal codes');
  });
});
