import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadShippedCatalog } from '../../../src/elar/catalog/index.ts';
import { issueLicense, licensesHeldBy } from '../../../src/elar/licenses/index.ts';
import { applicant, applicationsDatabase } from '../applications/helpers.ts';

let database: Awaited<ReturnType<typeof applicationsDatabase>>;
const db = () => database.db;

before(async () => {
  database = await applicationsDatabase('elar_licenses');
  await loadShippedCatalog(database.db);
});
after(async () => {
  await database.close();
});

describe('licenses a person holds', () => {
  test('a person sees their own licenses, newest first, named from the catalog, each with its own number', async () => {
    const person = applicant();
    const someoneElse = applicant();
    const [initial, professional] = await db()
      .transaction()
      .execute(async (trx) => [
        await issueLicense(
          trx,
          {
            personSub: person.sub,
            catalogCode: 'TCH-BIO-8-12',
            typeCode: 'INI',
            validFrom: '2019-09-01',
            employmentYears: 3,
          },
          'operator',
        ),
        await issueLicense(
          trx,
          {
            personSub: person.sub,
            catalogCode: 'TCH-CHEM-8-12',
            typeCode: 'PRO',
            validFrom: '2022-07-01',
            validUntil: '2027-06-30',
          },
          'operator',
        ),
        await issueLicense(
          trx,
          { personSub: someoneElse.sub, catalogCode: 'TCH-BIO-8-12', typeCode: 'PRO', validFrom: '2020-01-01' },
          'operator',
        ),
      ]);

    const held = await licensesHeldBy(db(), person.sub);
    assert.deepEqual(
      held.map((l) => [l.number, l.title, l.typeName, l.status, l.validUntil]),
      [
        [professional!.number, 'Chemistry (8-12)', 'Professional', 'active', '2027-06-30'],
        [initial!.number, 'Biology (8-12)', 'Initial', 'active', null],
      ],
    );
    assert.equal(held[1]!.employmentYears, 3);
    assert.equal(held[1]!.categoryName, 'Teacher (Academic PreK-12)');
    assert.notEqual(initial!.number, professional!.number);
    assert.match(initial!.number, /^\d{6,}$/);

    const audited = await db()
      .selectFrom('audit_event')
      .select(['type', 'subject_id'])
      .where('subject_id', '=', initial!.id)
      .execute();
    assert.deepEqual(audited, [{ type: 'elar.license.issued', subject_id: initial!.id }]);
  });

  test('a license of a field or type the catalog does not know is refused, and nothing is recorded', async () => {
    const person = applicant();
    await assert.rejects(
      db()
        .transaction()
        .execute((trx) =>
          issueLicense(
            trx,
            { personSub: person.sub, catalogCode: 'NO-SUCH-FIELD', typeCode: 'INI', validFrom: '2020-01-01' },
            'operator',
          ),
        ),
      (error: { code?: string }) => error.code === '23503',
    );
    assert.deepEqual(await licensesHeldBy(db(), person.sub), []);
  });
});
