import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../../src/database.ts';
import { migrations } from '../../../migrations/index.ts';
import { migrate } from '../../../src/platform/db.ts';
import { loadShippedCatalog } from '../../../src/elar/catalog/index.ts';
import { elarTables } from '../../../src/elar/index.ts';
import { licensesAskedFor, loadApplication, startDraft } from '../../../src/elar/applications/index.ts';
import { addLicense } from '../../../src/elar/applications/service.ts';
import { throwawayDatabase } from '../../helpers/throwaway-database.ts';
import { applicant, applicationsDatabase, BIOLOGY, CHEMISTRY, refusal, saveLicenses } from './helpers.ts';

/**
 * The licenses of an application are the catalog's: its codes for the license, the type and
 * the route, checked against the catalog, and named on every page in the catalog's words.
 */
let database: Awaited<ReturnType<typeof applicationsDatabase>>;
const deps = () => database.deps;

before(async () => {
  database = await applicationsDatabase('elar_catalog_licenses');
});
after(() => database.close());

async function errorsFor(licenses: unknown) {
  const started = await startDraft(deps(), applicant(), licenses);
  assert.ok(!started.ok, 'refused');
  return started.errors;
}

describe('choosing licenses from the catalog', () => {
  test('a draft keeps the catalog codes, and its page names each license, type and route in words', async () => {
    const person = applicant();
    const started = await startDraft(deps(), person, [
      { catalogCode: 'tch-bio-8-12', typeCode: 'ini', route: 'prep' },
      { catalogCode: 'SEI-TEACHER', typeCode: 'END', route: 'SEI-TEST' },
    ]);
    assert.ok(started.ok);
    const application = await loadApplication(deps(), person.sub, started.id);
    assert.deepEqual(application.licenses, [
      {
        catalogCode: 'TCH-BIO-8-12',
        typeCode: 'INI',
        route: 'PREP',
        name: 'Biology (8-12), Initial license',
        routeName: 'Approved preparation program',
      },
      {
        catalogCode: 'SEI-TEACHER',
        typeCode: 'END',
        route: 'SEI-TEST',
        name: 'Sheltered English Immersion (SEI) Teacher endorsement',
        routeName: 'SEI test',
      },
    ]);
    assert.equal(application.fee.cents, 12_500, '$100 for the first license, $25 for the second');
  });

  test('the licenses of many people’s applications are read at once, each application’s in its order, named as its page names them', async () => {
    const [first, second] = [applicant(), applicant()];
    const one = await startDraft(deps(), first, [
      CHEMISTRY,
      { catalogCode: 'SEI-TEACHER', typeCode: 'END', route: 'SEI-TEST' },
    ]);
    const other = await startDraft(deps(), second, [BIOLOGY]);
    assert.ok(one.ok && other.ok);
    const nobodys = randomUUID();
    const asked = await licensesAskedFor(database.db, [one.id, other.id, nobodys]);
    assert.deepEqual(asked.get(one.id), (await loadApplication(deps(), first.sub, one.id)).licenses);
    assert.deepEqual(asked.get(other.id), (await loadApplication(deps(), second.sub, other.id)).licenses);
    assert.deepEqual(
      asked.get(one.id)?.map((l) => l.name),
      ['Chemistry (8-12), Initial license', 'Sheltered English Immersion (SEI) Teacher endorsement'],
    );
    assert.equal(asked.has(nobodys), false, 'an application with no licenses has no entry');
    assert.equal((await licensesAskedFor(database.db, [])).size, 0);
  });

  test('a license the catalog does not have, or no longer offers, is refused with a message', async () => {
    assert.deepEqual(await errorsFor([{ ...BIOLOGY, catalogCode: 'TCH-UNDERWATER-BASKETS' }]), {
      '0.catalogCode': 'Choose a license from the list: we could not find the one chosen',
    });
    await database.db
      .updateTable('license_offering')
      .set({ active: false })
      .where('code', '=', 'TCH-DANCE-ALL')
      .execute();
    try {
      assert.deepEqual(await errorsFor([CHEMISTRY, { ...BIOLOGY, catalogCode: 'TCH-DANCE-ALL' }]), {
        '1.catalogCode': 'Dance (All) is no longer offered: choose another license',
      });
    } finally {
      await database.db
        .updateTable('license_offering')
        .set({ active: true })
        .where('code', '=', 'TCH-DANCE-ALL')
        .execute();
    }
  });

  test('a type the license is not issued as, or the old type words, are refused', async () => {
    // Reading specialists are not issued Temporary licenses.
    assert.deepEqual(await errorsFor([{ catalogCode: 'SPT-READ-ALL', typeCode: 'TMP', route: 'OTHER-STATE' }]), {
      '0.typeCode': 'Reading (All) is not issued as that type of license: choose one of the types listed',
    });
    assert.deepEqual(await errorsFor([{ ...BIOLOGY, typeCode: 'initial' }]), {
      '0.typeCode': 'Biology (8-12) is not issued as that type of license: choose one of the types listed',
    });
    assert.deepEqual(await errorsFor([{ ...BIOLOGY, typeCode: '' }]), { '0.typeCode': 'Choose the type of license' });
  });

  test('a route that is not in the type’s requirement template is refused', async () => {
    assert.deepEqual(await errorsFor([{ ...BIOLOGY, route: 'MASTERS' }]), {
      '0.route': 'Choose one of the routes to Biology (8-12), Initial license listed on the page',
    });
    // National Board certification is a route for teachers only.
    assert.deepEqual(await errorsFor([{ catalogCode: 'PSP-NURSE-ALL', typeCode: 'PRO', route: 'NATIONAL-BOARD' }]), {
      '0.route': 'Choose one of the routes to School Nurse (All), Professional license listed on the page',
    });
    assert.ok(
      (await startDraft(deps(), applicant(), [{ catalogCode: 'PSP-NURSE-ALL', typeCode: 'PRO', route: 'MASTERS' }])).ok,
    );
  });

  test('a draft’s licenses are replaced only by licenses the catalog issues; someone else’s draft is not found', async () => {
    const person = applicant();
    const started = await startDraft(deps(), person, [BIOLOGY]);
    assert.ok(started.ok);
    const saved = await saveLicenses(deps(), person, started.id, [BIOLOGY, { ...CHEMISTRY, route: 'NATIONAL-BOARD' }]);
    assert.deepEqual(!saved.ok && Object.keys(saved.errors), ['1.route']);
    assert.equal((await loadApplication(deps(), person.sub, started.id)).licenses.length, 1, 'nothing saved');
    const theirs = await refusal(saveLicenses(deps(), applicant(), started.id, [CHEMISTRY]));
    assert.equal(theirs.code, 'ELAR_ERR_APPLICATION_NOT_FOUND');
  });

  test('licenses added at once (two tabs, a double click) are each kept once', async () => {
    const person = applicant();
    const started = await startDraft(deps(), person, [BIOLOGY]);
    assert.ok(started.ok);
    const codes = ['TCH-PHYS-8-12', 'TCH-ESS-5-8', 'TCH-ESS-8-12', 'TCH-GSCI-1-6', 'TCH-GSCI-5-8', 'TCH-ENG-5-12'];
    const added = await Promise.all([
      ...codes.map((catalogCode) => addLicense(deps(), person, started.id, { ...BIOLOGY, catalogCode })),
      ...Array.from({ length: 4 }, () => addLicense(deps(), person, started.id, CHEMISTRY)),
    ]);
    assert.equal(added.filter((a) => a.ok).length, codes.length + 1, 'each different license, and chemistry once');
    for (const refused of added.filter((a) => !a.ok)) {
      assert.deepEqual(refused.errors, { '0.catalogCode': 'This application already asks for that license' });
    }
    const application = await loadApplication(deps(), person.sub, started.id);
    assert.deepEqual(
      application.licenses.map((l) => l.catalogCode).sort(),
      [BIOLOGY.catalogCode, CHEMISTRY.catalogCode, ...codes].sort(),
    );
    assert.equal(application.fee.cents, 10_000 + 7 * 2_500);
  });

  test('the database itself refuses a license or a type that is not in the catalog', async () => {
    const person = applicant();
    const started = await startDraft(deps(), person, [BIOLOGY]);
    assert.ok(started.ok);
    for (const [catalogCode, typeCode] of [
      ['TCH-NOT-A-LICENSE', 'INI'],
      ['TCH-BIO-8-12', 'initial'],
    ]) {
      await assert.rejects(
        sql`UPDATE elar.application_license SET catalog_code = ${catalogCode}, type_code = ${typeCode}
            WHERE application_id = ${started.id}`.execute(database.db),
        (error: { code?: string }) => error.code === '23503',
      );
    }
  });
});

describe('migration 0018', () => {
  test('licenses asked for before it keep their applications: type words become codes, unknown licenses are kept inactive', async () => {
    const serverUrl = process.env.DATABASE_URL;
    const throwaway = serverUrl ? await throwawayDatabase(serverUrl, 'elar_migration_0018') : undefined;
    const opened = await openDatabase({ databaseUrl: throwaway?.url, dataDir: 'memory://' });
    try {
      const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0018'));
      await migrate(opened.db, before);
      const db = elarTables(opened.db);
      await loadShippedCatalog(db);
      const person = applicant();
      const { id } = await db
        .insertInto('application')
        .values({ person_sub: person.sub, person_mepid: null, contact_email: null, draft_expires_at: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      await sql`
        INSERT INTO elar.application_license (application_id, position, person_sub, catalog_code, license_type, route)
        VALUES (${id}, 1, ${person.sub}, 'TCH-MUS-ALL', 'professional', 'MASTERS'),
               (${id}, 2, ${person.sub}, 'BIO-8-12', 'initial', 'approved-program')`.execute(db);

      await migrate(opened.db, migrations);

      const application = await loadApplication({ db, settings: deps().settings }, person.sub, id);
      assert.deepEqual(
        application.licenses.map((l) => [l.catalogCode, l.typeCode, l.name, l.routeName]),
        [
          ['TCH-MUS-ALL', 'PRO', 'Music (All), Professional license', "Master's degree"],
          ['BIO-8-12', 'INI', 'BIO-8-12, Initial license', 'Approved program'],
        ],
      );
      const kept = await db
        .selectFrom('license_offering')
        .select(['category_code', 'active'])
        .where('code', '=', 'BIO-8-12')
        .executeTakeFirstOrThrow();
      assert.deepEqual(kept, { category_code: 'UNLISTED', active: false }, 'kept, and never offered to anyone');
    } finally {
      await opened.close();
      await throwaway?.drop();
    }
  });
});
