import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { quoteFee, submit } from '../../../src/elar/applications/index.ts';
import { scheduleInForce } from '../../../src/elar/applications/fees.ts';
import * as repo from '../../../src/elar/applications/repository.ts';
import {
  applicant,
  applicationsDatabase,
  BIOLOGY,
  CHEMISTRY,
  completeDraft,
  refusal,
} from '../applications/helpers.ts';

/**
 * Attack review s18: what a submission charges and for what.
 * S3 (PostgreSQL): submit reads the licenses and quotes the fee before it locks the draft, so
 * a license added in another tab while the submit waits is sent unpaid for.
 * S4: a license the Department stopped offering while it sat in a draft is still sent and charged.
 */
const postgresOnly: typeof test = process.env.DATABASE_URL ? test : ((() => undefined) as unknown as typeof test);
let database: Awaited<ReturnType<typeof applicationsDatabase>>;

before(async () => {
  database = await applicationsDatabase('elar_attack_s18');
});
after(async () => {
  await database.close();
});

const row = (id: string) =>
  database.db
    .selectFrom('application')
    .select(['state', 'version', 'fee_cents'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

describe('the fee kept at submission is the fee for the licenses sent', () => {
  postgresOnly(
    'a license added while a submit waits on the draft is either refused or charged for, never sent free',
    async () => {
      const person = applicant();
      const draft = await completeDraft(database.deps, person, [BIOLOGY]);
      const { version } = await row(draft.id);

      // Another tab adds Chemistry: addLicense's own statements (touchDraft, replaceLicenses), held
      // open as a slow request would be, so the submit below runs while it is in flight.
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let changed!: () => void;
      const draftChanged = new Promise<void>((resolve) => (changed = resolve));
      const adding = database.db.transaction().execute(async (trx) => {
        assert.ok(await repo.touchDraft(trx, draft.id, person.sub));
        await repo.replaceLicenses(trx, draft.id, person.sub, [BIOLOGY, CHEMISTRY]);
        changed();
        await released;
      });
      await draftChanged;
      // The submitting tab's form carries the version the add will leave (a counter anyone can predict).
      const submitting = submit(database.deps, person, draft.id, version + 1).then(
        () => 'sent' as const,
        (error: { code?: string }) => error.code ?? 'error',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      release();
      await adding;
      const outcome = await submitting;

      const after = await row(draft.id);
      const licenses = await repo.licensesOf(database.db, [draft.id]);
      assert.equal(licenses.length, 2);
      if (outcome !== 'sent') return assert.equal(after.state, 'draft');
      const schedule = scheduleInForce(await repo.feeSchedules(database.db), new Date());
      assert.equal(
        after.fee_cents,
        quoteFee(schedule, licenses.length).cents,
        `two licenses sent for the fee of ${after.fee_cents} cents (one license's)`,
      );
    },
  );

  test('a license no longer offered is not sent (nor charged for) from a draft that held it before', async () => {
    const person = applicant();
    const draft = await completeDraft(database.deps, person, [CHEMISTRY]);
    // The Department stops offering it (an operator's catalog import marks it inactive).
    await database.db
      .updateTable('license_offering')
      .set({ active: false })
      .where('code', '=', CHEMISTRY.catalogCode)
      .execute();
    try {
      const refused = await refusal(submit(database.deps, person, draft.id));
      assert.ok(refused.statusCode >= 400 && refused.statusCode < 500, `a clear 4xx, got ${refused.statusCode}`);
      assert.equal((await row(draft.id)).state, 'draft');
    } finally {
      await database.db
        .updateTable('license_offering')
        .set({ active: true })
        .where('code', '=', CHEMISTRY.catalogCode)
        .execute();
    }
  });
});
