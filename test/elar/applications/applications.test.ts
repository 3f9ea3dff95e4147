import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, describe, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../../../src/database.ts';
import { elarTables } from '../../../src/elar/index.ts';
import {
  addFeeSchedule,
  applyStaffTransition,
  listApplications,
  loadApplication,
  markPaid,
  reportGateItems,
  saveSection,
  startDraft,
  submit,
  withdraw,
} from '../../../src/elar/applications/index.ts';
import {
  applicant,
  applicationsDatabase,
  BIOLOGY,
  CHEMISTRY,
  completeDraft,
  refusal,
  saveLicenses,
} from './helpers.ts';

/** Registered only in the PostgreSQL run (CI refuses skipped tests): PGlite is one process with one connection. */
const postgresOnly: typeof test = process.env.DATABASE_URL ? test : ((() => undefined) as unknown as typeof test);
let database: Awaited<ReturnType<typeof applicationsDatabase>>;
const deps = () => database.deps;
const db = () => database.db;

before(async () => {
  database = await applicationsDatabase('elar_applications');
});
after(async () => {
  await database.close();
});

async function auditTypes(subjectId: string) {
  const rows = await db()
    .selectFrom('audit_event')
    .select('type')
    .where('subject_id', '=', subjectId)
    .orderBy('at')
    .execute();
  return rows.map((r) => r.type);
}

describe('references', () => {
  test('40 drafts started at once get 40 distinct 7-digit references, in sequence, never reused', async () => {
    const started = await Promise.all(Array.from({ length: 40 }, () => startDraft(deps(), applicant(), [BIOLOGY])));
    const references = started.map((s) => (s.ok ? s.reference : 'refused'));
    assert.equal(new Set(references).size, 40);
    for (const reference of references) assert.match(reference, /^[1-9]\d{6}$/);

    // A draft refused after its reference was drawn (a second open application) leaves a gap, not a reuse.
    const person = applicant();
    const first = await startDraft(deps(), person, [CHEMISTRY]);
    await refusal(startDraft(deps(), person, [CHEMISTRY]));
    const next = await startDraft(deps(), applicant(), [CHEMISTRY]);
    assert.ok(first.ok && next.ok);
    assert.ok(
      Number(next.reference) > Number(first.reference) + 1,
      'the refused draft’s number is not handed out again',
    );
  });

  postgresOnly('two instances (two pools on one PostgreSQL database) never hand out the same reference', async () => {
    const other = await openDatabase({ databaseUrl: database.url, dataDir: 'memory://', poolSize: 8 });
    try {
      const otherDeps = { ...deps(), db: elarTables(other.db) };
      const started = await Promise.all(
        Array.from({ length: 40 }, (_, i) => startDraft(i % 2 ? otherDeps : deps(), applicant(), [BIOLOGY])),
      );
      const references = started.map((s) => (s.ok ? s.reference : 'refused'));
      assert.equal(new Set(references).size, 40);
    } finally {
      await other.close();
    }
  });
});

describe('one open application per license', () => {
  test('40 starts at once for the same license: one draft, 39 clear refusals naming it', async () => {
    const person = applicant();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, () => startDraft(deps(), person, [BIOLOGY, CHEMISTRY])),
    );
    const started = outcomes.flatMap((o) => (o.status === 'fulfilled' && o.value.ok ? [o.value] : []));
    assert.equal(started.length, 1);
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    assert.equal(refused.length, 39);
    for (const error of refused) {
      assert.equal(error.code, 'ELAR_ERR_LICENSE_ALREADY_OPEN');
      assert.equal(error.statusCode, 409);
      assert.match(error.message, new RegExp(`reference ${started[0]!.reference}`));
    }
    assert.equal((await listApplications(deps(), person.sub)).length, 1);
  });

  test('another license, or another person, or after withdrawing, a new application starts', async () => {
    const person = applicant();
    const first = await startDraft(deps(), person, [BIOLOGY]);
    assert.ok(first.ok);
    assert.ok((await startDraft(deps(), person, [CHEMISTRY])).ok, 'another license');
    assert.ok((await startDraft(deps(), applicant(), [BIOLOGY])).ok, 'another person');
    const second = await startDraft(deps(), applicant(), [BIOLOGY, BIOLOGY]);
    assert.deepEqual(!second.ok && second.errors, { licenses: 'Choose each license only once' });

    // Adding a license already open elsewhere to a draft is refused the same way.
    const other = await startDraft(deps(), person, [{ ...BIOLOGY, catalogCode: 'TCH-MATH-8-12' }]);
    assert.ok(other.ok);
    const adding = await refusal(saveLicenses(deps(), person, other.id, [BIOLOGY]));
    assert.equal(adding.code, 'ELAR_ERR_LICENSE_ALREADY_OPEN');

    await withdraw(deps(), person.sub, first.id);
    assert.ok((await startDraft(deps(), person, [BIOLOGY])).ok, 'after withdrawing');
  });
});

describe('applying', () => {
  test('a complete draft is submitted with a server-computed fee, a timeline in plain words and an audit trail', async () => {
    const person = applicant('ella@example.test');
    const draft = await completeDraft(deps(), person, [BIOLOGY, CHEMISTRY]);
    const before = await loadApplication(deps(), person.sub, draft.id);
    assert.equal(before.state, 'draft');
    assert.deepEqual(before.fee, { cents: 12_500, scheduleVersion: 1, kept: false }, 'the fee is shown before paying');
    assert.ok(before.taskList.every((t) => t.complete));

    const submitted = await submit(deps(), person, draft.id, before.version);
    assert.equal(submitted.state, 'awaiting-payment');
    const after = await loadApplication(deps(), person.sub, draft.id);
    assert.equal(after.stateName, 'Waiting for payment');
    assert.deepEqual(after.fee, { cents: 12_500, scheduleVersion: 1, kept: true });
    assert.equal(after.draftExpiresAt, null, 'a submitted application no longer expires');
    assert.deepEqual(
      after.timeline.map((e) => e.text),
      ['You started this application.', 'You sent your application. It is waiting for payment.'],
    );
    assert.deepEqual(await auditTypes(draft.id), ['elar.application.started', 'elar.application.transitioned']);
    const jobs = await db().selectFrom('job').select(['name', 'payload']).execute();
    assert.ok(
      jobs.some(
        (j) =>
          j.name === 'elar.application.status-changed' &&
          (j.payload as { eventId: string }).eventId === after.timeline[1]!.id,
      ),
      'the notification is enqueued with the change',
    );
  });

  test('submitting is refused until every section is complete; changing an answer unsigns the affidavit', async () => {
    const person = applicant();
    const started = await startDraft(deps(), person, [BIOLOGY]);
    assert.ok(started.ok);
    const early = await refusal(submit(deps(), person, started.id));
    assert.deepEqual([early.code, early.statusCode], ['ELAR_ERR_APPLICATION_INCOMPLETE', 422]);
  });

  test('saving a section with bad answers saves nothing and says what is wrong', async () => {
    const person = applicant();
    const started = await startDraft(deps(), person, [BIOLOGY]);
    assert.ok(started.ok);
    const saved = await saveSection(deps(), person, started.id, 'character', {
      convicted: { answer: 'yes', explanation: '' },
      disciplined: { answer: 'no' },
      pendingInvestigation: { answer: 'no' },
    });
    assert.deepEqual(!saved.ok && saved.errors, {
      'convicted.explanation': 'You answered yes: explain what happened, when and where',
    });
    const view = await loadApplication(deps(), person.sub, started.id);
    assert.equal(view.sections.character, undefined);
  });
});

describe('the affidavit swears to the answers as they were', () => {
  test('a change after signing must be signed again before submitting', async () => {
    const person = applicant();
    const draft = await completeDraft(deps(), person);
    const changed = await saveSection(deps(), person, draft.id, 'employment', {
      positions: [{ employer: 'Malden Public Schools', role: 'Teacher', from: '2019-09' }],
    });
    assert.ok(changed.ok);
    const view = await loadApplication(deps(), person.sub, draft.id);
    assert.equal(view.taskList.find((t) => t.item === 'affidavit')?.complete, false);
    assert.equal((await refusal(submit(deps(), person, draft.id))).code, 'ELAR_ERR_APPLICATION_INCOMPLETE');
    await saveSection(deps(), person, draft.id, 'affidavit', { agree: true, signature: 'Ella Elar' });
    assert.equal((await submit(deps(), person, draft.id)).state, 'awaiting-payment');
    const late = await refusal(saveSection(deps(), person, draft.id, 'tests', { tests: [] }));
    assert.deepEqual([late.code, late.statusCode], ['ELAR_ERR_NOT_A_DRAFT', 409]);
  });
});

describe('optimistic concurrency', () => {
  test('two changes from the same version: exactly one wins, the other is told it changed', async () => {
    const person = applicant();
    const draft = await completeDraft(deps(), person);
    const { version } = await loadApplication(deps(), person.sub, draft.id);
    const outcomes = await Promise.allSettled([
      submit(deps(), person, draft.id, version),
      withdraw(deps(), person.sub, draft.id, { expectedVersion: version }),
    ]);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    assert.equal(lost.reason.code, 'ELAR_ERR_APPLICATION_CHANGED');
    assert.equal(lost.reason.statusCode, 409);
    const view = await loadApplication(deps(), person.sub, draft.id);
    assert.equal(view.version, version + 1);
    assert.equal(view.timeline.length, 2, 'one change, one timeline entry');
  });

  test('40 submits of the same draft at once: one submission', async () => {
    const person = applicant();
    const draft = await completeDraft(deps(), person);
    const { version } = await loadApplication(deps(), person.sub, draft.id);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, () => submit(deps(), person, draft.id, version)),
    );
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    for (const o of outcomes) if (o.status === 'rejected') assert.equal(o.reason.code, 'ELAR_ERR_APPLICATION_CHANGED');
    const view = await loadApplication(deps(), person.sub, draft.id);
    assert.equal(view.timeline.filter((e) => e.state === 'awaiting-payment').length, 1);
    assert.equal(
      (await auditTypes(draft.id)).filter((t) => t === 'elar.application.transitioned').length,
      1,
      'one audit row',
    );
  });

  test('a page without a version still cannot move a state twice', async () => {
    const person = applicant();
    const draft = await completeDraft(deps(), person);
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => submit(deps(), person, draft.id)));
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    for (const o of outcomes) {
      if (o.status === 'rejected') {
        assert.ok(['ELAR_ERR_APPLICATION_CHANGED', 'ELAR_ERR_TRANSITION_REFUSED'].includes(o.reason.code));
      }
    }
  });
});

describe('fees are versioned', () => {
  test('a schedule change does not change a fee already quoted', async () => {
    const person = applicant();
    const early = await completeDraft(deps(), person, [BIOLOGY, CHEMISTRY]);
    await submit(deps(), person, early.id);
    const waiting = await completeDraft(deps(), person, [{ ...BIOLOGY, catalogCode: 'TCH-MATH-5-8' }]);

    const version = await db()
      .transaction()
      .execute((trx) =>
        addFeeSchedule(trx, { firstLicenseCents: 12_000, additionalLicenseCents: 3_000, effectiveFrom: new Date() }),
      );
    try {
      assert.equal(version, 2);
      assert.deepEqual((await loadApplication(deps(), person.sub, early.id)).fee, {
        cents: 12_500,
        scheduleVersion: 1,
        kept: true,
      });
      assert.deepEqual((await loadApplication(deps(), person.sub, waiting.id)).fee, {
        cents: 12_000,
        scheduleVersion: 2,
        kept: false,
      });
      await submit(deps(), person, waiting.id);
      assert.deepEqual((await loadApplication(deps(), person.sub, waiting.id)).fee, {
        cents: 12_000,
        scheduleVersion: 2,
        kept: true,
      });
    } finally {
      // Back to the agency's schedule for the other tests in this file.
      await db()
        .transaction()
        .execute((trx) =>
          addFeeSchedule(trx, {
            firstLicenseCents: 10_000,
            additionalLicenseCents: 2_500,
            effectiveFrom: new Date(Date.now() + 1),
          }),
        );
    }
  });
});

describe('only the owner reaches an application', () => {
  test('another person gets the same 404 as for an application that does not exist, and changes nothing', async () => {
    const owner = applicant();
    const draft = await completeDraft(deps(), owner);
    const stranger = applicant();
    const missing = [randomUUID(), 'not-an-id', "1' OR '1'='1"];
    for (const id of [draft.id, ...missing]) {
      for (const attempt of [
        () => loadApplication(deps(), stranger.sub, id),
        () => saveSection(deps(), stranger, id, 'tests', { tests: [] }),
        () => saveLicenses(deps(), stranger, id, [BIOLOGY]),
        () => submit(deps(), stranger, id),
        () => withdraw(deps(), stranger.sub, id),
        () => reportGateItems(deps(), stranger.sub, id, ['literacy-test']),
      ]) {
        const refused = await refusal(attempt());
        assert.deepEqual([refused.code, refused.statusCode], ['ELAR_ERR_APPLICATION_NOT_FOUND', 404]);
      }
    }
    assert.deepEqual(await listApplications(deps(), stranger.sub), []);
    const view = await loadApplication(deps(), owner.sub, draft.id);
    assert.equal(view.state, 'draft');
    assert.equal(view.timeline.length, 1);
  });
});

describe('payment and gate items', () => {
  test('paid without gate items: Not Ready; reporting them makes it Ready for Review; the same payment again changes nothing', async () => {
    const person = applicant();
    const draft = await completeDraft(deps(), person);
    await submit(deps(), person, draft.id);
    const paid = await db()
      .transaction()
      .execute((trx) => markPaid(trx, deps().settings, draft.id, 'pay_1'));
    assert.deepEqual(paid, { state: 'not-ready', alreadyPaid: false, payable: true });
    const again = await db()
      .transaction()
      .execute((trx) => markPaid(trx, deps().settings, draft.id, 'pay_1'));
    assert.deepEqual(again, { state: 'not-ready', alreadyPaid: true, payable: true });

    assert.equal((await reportGateItems(deps(), person.sub, draft.id, ['literacy-test'])).state, 'not-ready');
    assert.equal(
      (await reportGateItems(deps(), person.sub, draft.id, ['bachelors-transcript'])).state,
      'ready-for-review',
    );
    const view = await loadApplication(deps(), person.sub, draft.id);
    assert.deepEqual(
      view.timeline.map((e) => e.state),
      ['draft', 'awaiting-payment', 'not-ready', 'ready-for-review'],
    );
    assert.match(view.timeline[2]!.text, /^We have your payment\. An evaluator will look at your application when/);
    const closed = await refusal(reportGateItems(deps(), person.sub, draft.id, ['literacy-test']));
    assert.equal(closed.code, 'ELAR_ERR_GATE_ITEMS_CLOSED');
    const unknown = await refusal(reportGateItems(deps(), person.sub, draft.id, ['a-pony']));
    assert.equal(unknown.code, 'ELAR_ERR_GATE_ITEM_UNKNOWN');
  });

  test('paid with gate items already on file: straight to Ready for Review; a rolled-back payment leaves nothing', async () => {
    const person = applicant();
    const draft = await completeDraft(deps(), person);
    await reportGateItems(deps(), person.sub, draft.id, ['literacy-test', 'bachelors-transcript']);
    await submit(deps(), person, draft.id);
    await assert.rejects(
      db()
        .transaction()
        .execute(async (trx) => {
          await markPaid(trx, deps().settings, draft.id, 'pay_lost');
          throw new Error('the payment’s own write failed');
        }),
    );
    assert.equal((await loadApplication(deps(), person.sub, draft.id)).state, 'awaiting-payment');
    const paid = await db()
      .transaction()
      .execute((trx) => markPaid(trx, deps().settings, draft.id, 'pay_2'));
    assert.equal(paid.state, 'ready-for-review');
  });

  test('staff move an application only as the table allows them', async () => {
    const person = applicant();
    const draft = await completeDraft(deps(), person);
    await reportGateItems(deps(), person.sub, draft.id, ['literacy-test', 'bachelors-transcript']);
    await submit(deps(), person, draft.id);
    await db()
      .transaction()
      .execute((trx) => markPaid(trx, deps().settings, draft.id, 'pay_3'));
    const payments = { kind: 'staff' as const, sub: 'staff-p', staffRoles: ['payments' as const] };
    const evaluator = { kind: 'staff' as const, sub: 'staff-e', staffRoles: ['licensure-evaluator' as const] };
    const supervisor = { kind: 'staff' as const, sub: 'staff-s', staffRoles: ['licensure-supervisor' as const] };
    assert.equal(
      (await refusal(applyStaffTransition(deps(), payments, draft.id, 'start-review'))).code,
      'ELAR_ERR_FORBIDDEN',
    );
    assert.equal((await applyStaffTransition(deps(), evaluator, draft.id, 'start-review')).state, 'in-review');
    assert.equal(
      (await refusal(applyStaffTransition(deps(), evaluator, draft.id, 'approve'))).code,
      'ELAR_ERR_FORBIDDEN',
    );
    const noReason = await refusal(applyStaffTransition(deps(), supervisor, draft.id, 'withdraw'));
    assert.equal(noReason.code, 'ELAR_ERR_REASON_REQUIRED');
    const withdrawn = await applyStaffTransition(deps(), supervisor, draft.id, 'withdraw', {
      reason: 'Duplicate of another application',
    });
    assert.equal(withdrawn.state, 'withdrawn');
    const view = await loadApplication(deps(), person.sub, draft.id);
    assert.equal(view.timeline.at(-1)!.reason, 'Duplicate of another application');
    assert.equal((await refusal(withdraw(deps(), person.sub, draft.id))).code, 'ELAR_ERR_TRANSITION_REFUSED');
  });
});

describe('live status', () => {
  // LISTEN from a second connection needs PostgreSQL; PGlite runs the same pg_notify (and platform/events tests its delivery).
  postgresOnly(
    'a change is announced on elar_application at commit, with its timeline id; a rolled-back one never',
    async () => {
      const listener = new pg.Client({ connectionString: database.url });
      await listener.connect();
      const heard: { applicationId: string; eventId: string; person: string }[] = [];
      listener.on('notification', (n) => heard.push(JSON.parse(n.payload!)));
      await listener.query('LISTEN elar_application');
      try {
        const person = applicant();
        const draft = await completeDraft(deps(), person);
        await submit(deps(), person, draft.id);
        await assert.rejects(
          db()
            .transaction()
            .execute(async (trx) => {
              await markPaid(trx, deps().settings, draft.id, 'pay_rolled_back');
              throw new Error('rolled back');
            }),
        );
        await db()
          .transaction()
          .execute((trx) => markPaid(trx, deps().settings, draft.id, 'pay_4'));
        const view = await loadApplication(deps(), person.sub, draft.id);
        const deadline = Date.now() + 5000;
        while (heard.filter((h) => h.applicationId === draft.id).length < 3 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
        }
        assert.deepEqual(
          heard.filter((h) => h.applicationId === draft.id),
          view.timeline.map((e) => ({ applicationId: draft.id, eventId: e.id, person: person.sub })),
        );
      } finally {
        await listener.end();
      }
    },
  );
});

describe('the timeline', () => {
  test('is in the order things happened, past a 9 to 10 in the event numbers (numbers, not text)', async () => {
    // The next events are numbered …98, …99, …00 past the highest so far: as text, the last would come first.
    const { rows } = await sql<{ top: string | null }>`SELECT max(id)::text AS top FROM elar.application_event`.execute(
      db(),
    );
    const digits = (rows[0]?.top ?? '0').length + 1;
    await sql`SELECT setval('elar.application_event_id_seq', ${10 ** digits - 3})`.execute(db());
    const person = applicant();
    const draft = await completeDraft(deps(), person, [{ ...BIOLOGY, catalogCode: 'TCH-HUM-5-8' }]);
    await submit(deps(), person, draft.id);
    await withdraw(deps(), person.sub, draft.id);
    const view = await loadApplication(deps(), person.sub, draft.id);
    assert.deepEqual(
      view.timeline.map((e) => e.state),
      ['draft', 'awaiting-payment', 'withdrawn'],
    );
  });
});
