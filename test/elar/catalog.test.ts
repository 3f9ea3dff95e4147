import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  applicationFeeCents,
  CatalogFileError,
  dollars,
  findOffering,
  importCatalog,
  listCategories,
  loadShippedCatalog,
  nextTypeUp,
  offeringsInCategory,
  offeringTitle,
  requirementTemplate,
  SHIPPED_CATALOG_FILES,
} from '../../src/elar/catalog/index.ts';
import { readCatalogFile, type KnownCodes } from '../../src/elar/catalog/catalog-file.ts';
import type { ElarDb } from '../../src/elar/index.ts';
import { freshElarDatabase } from '../helpers/elar-catalog.ts';

const shipped = (part: 'licenses' | 'requirements') =>
  readFileSync(SHIPPED_CATALOG_FILES.find((f) => f.part === part)!.path, 'utf8');
const LICENSES = shipped('licenses');
const REQUIREMENTS = shipped('requirements');
const bytes = (text: string) => Buffer.from(text, 'utf8');
const NO_KNOWN_CODES = (): KnownCodes => ({ types: new Set(), appliesTo: new Set() });

/** Every field and level LICENSURE.md names, as pages name them: "Biology (8-12)" (level "All" or none where it gives none). */
const LICENSURE_MD = [
  'Biology (8-12)',
  'Chemistry (8-12)',
  'English (5-12)',
  'Elementary (1-6)',
  'Early Childhood (PreK-2)',
  'Mathematics (1-6)',
  'Mathematics (5-8)',
  'Mathematics (8-12)',
  'Moderate Disabilities (PreK-8)',
  'Moderate Disabilities (5-12)',
  'Music (All)',
  'English as a Second Language (PreK-6)',
  'English as a Second Language (5-12)',
  'History (1-6)',
  'History (5-12)',
  'Physical Education (PreK-8)',
  'Physical Education (5-12)',
  'Visual Art (PreK-8)',
  'Visual Art (5-12)',
  'Reading (All)',
  'Instructional Technology (All)',
  'Speech Language and Hearing (All)',
  'Superintendent (All)',
  'Principal/Assistant Principal (PreK-8)',
  'Principal/Assistant Principal (5-12)',
  'Supervisor/Director (All)',
  'Special Education Administrator (All)',
  'School Business Administrator (All)',
  'School Counselor (PreK-8)',
  'School Counselor (5-12)',
  'School Nurse (All)',
  'School Psychologist (All)',
  'School Social Worker (All)',
  'Sheltered English Immersion (SEI) Teacher',
  'Sheltered English Immersion (SEI) Administrator',
];

describe('the shipped catalog files', () => {
  const licenses = readCatalogFile(bytes(LICENSES), NO_KNOWN_CODES);

  test('the license catalog reads with no rejected line, about 60 licenses and more', () => {
    assert.deepEqual(licenses.rejected, []);
    assert.equal(licenses.file?.kind, 'licenses');
    assert.ok(licenses.rows >= 60, `${licenses.rows} rows`);
  });

  test('every field and grade level LICENSURE.md names is in it, and every category and type', () => {
    const file = licenses.file!;
    assert.equal(file.kind, 'licenses');
    const titles = new Set(file.offerings.map((o) => offeringTitle({ field: o.name, gradeLevel: o.gradeLevel })));
    const missing = LICENSURE_MD.filter((title) => !titles.has(title));
    assert.deepEqual(missing, []);
    assert.deepEqual(
      file.types.map((t) => t.name),
      ['Temporary', 'Provisional', 'Initial', 'Professional', 'Military spouse', 'Endorsement'],
    );
    for (const category of ['Adult Basic Education', 'Vocational Technical', 'Administrator (Academic PreK-12)'])
      assert.ok(
        file.categories.some((c) => c.name === category),
        category,
      );
  });

  test('the requirement templates read against it with no rejected line', () => {
    const file = licenses.file!;
    assert.equal(file.kind, 'licenses');
    const known = {
      types: new Set(file.types.map((t) => t.code)),
      appliesTo: new Set([...file.categories, ...file.offerings].map((c) => c.code)),
    };
    const requirements = readCatalogFile(bytes(REQUIREMENTS), () => known);
    assert.deepEqual(requirements.rejected, []);
    assert.equal(requirements.file?.kind, 'requirements');
  });
});

describe('reading a catalog file: every bad line listed with its reason', () => {
  test('lines with problems are listed by line number, and the file is not taken', () => {
    const text =
      LICENSES +
      [
        'license,TCH-BIO-8-12,Biology again,TCH,8-12,INI,,', // line 73
        'license,tch bio,Biology,TCH,8-12,INI,,',
        'license,TCH-NEW-1-6,New field,NOPE,1-6,INI XYZ,,',
        'licence,TCH-X,Typo,TCH,1-6,INI,,',
        'license,TCH-Y,,TCH,,INI,,',
        'type,XX,Odd,,,,XX,',
        'license,TCH-Z,Too few fields',
      ].join('\n') +
      '\n';
    const { file, rejected } = readCatalogFile(bytes(text), NO_KNOWN_CODES);
    assert.equal(file, null);
    assert.deepEqual(rejected, [
      { line: 73, reason: 'code TCH-BIO-8-12 is already on line 15' },
      {
        line: 74,
        reason: 'code "tch bio" is not a code (capital letters, digits and hyphens, at most 40, e.g. TCH-BIO-8-12)',
      },
      { line: 75, reason: 'category NOPE is not a category in this file; types XYZ is not in this file' },
      { line: 76, reason: 'kind "licence" is not category, type, license or endorsement' },
      { line: 77, reason: 'name is missing; grade_level is missing' },
      { line: 78, reason: 'advances_to names the type itself' },
      { line: 79, reason: 'has 3 fields instead of 8' },
    ]);
  });

  test('advancing in a circle is refused on the line that starts it', () => {
    const text = 'kind,code,name,category,grade_level,types,advances_to,lasts\ntype,A,A,,,,B,\ntype,B,B,,,,A,\n';
    const { rejected } = readCatalogFile(bytes(text), NO_KNOWN_CODES);
    assert.deepEqual(
      rejected.map((r) => r.line),
      [2, 3],
    );
    assert.match(rejected[0]!.reason, /goes round in a circle/);
  });

  test('requirement rows must name known types and licenses, a gate of yes or no, and one name per route', () => {
    const known = { types: new Set(['INI']), appliesTo: new Set(['TCH']) };
    const text = [
      'type,route,route_name,applies_to,item,item_name,gate,detail',
      'INI,PREP,Approved program,TCH,BACHELOR,A degree,yes,',
      'INI,PREP,Another name,,LIT,Literacy,YES,',
      'PRO,PREP,Approved program,,X,X,no,',
      'INI,PREP,Approved program,ADM,Y,Y,maybe,',
      'INI,ALL,,,FEE,Fee,yes,',
      'INI,PREP,Approved program,TCH,BACHELOR,Twice,no,',
    ].join('\r\n');
    const { file, rejected } = readCatalogFile(bytes(text), () => known);
    assert.equal(file, null);
    assert.deepEqual(rejected, [
      { line: 3, reason: 'route PREP is named "Approved program" on line 2; a route has one name' },
      { line: 4, reason: 'type PRO is not a type in the license catalog' },
      {
        line: 5,
        reason: 'applies_to ADM is not a category or license in the license catalog; gate "maybe" is not yes or no',
      },
      { line: 6, reason: 'type and route are both ALL (items every application needs), or neither is' },
      { line: 7, reason: 'item BACHELOR of INI PREP is already on line 2' },
    ]);
  });

  test('a file that is not a catalog is refused whole, saying what it should be', () => {
    const refused = (text: string | Buffer, pattern: RegExp) =>
      assert.throws(
        () => readCatalogFile(typeof text === 'string' ? bytes(text) : text, NO_KNOWN_CODES),
        (e: unknown) => e instanceof CatalogFileError && pattern.test(e.message),
      );
    refused('', /The file is empty/);
    refused('code,name,type,town,phone\n1,2,3,4,5\n', /not a catalog header.*kind,code,name/);
    refused('kind;code;name\n', /separated by commas/);
    refused(Buffer.from([0x6b, 0x69, 0xff, 0x0a]), /not UTF-8/);
    refused('kind,code,name,category,grade_level,types,advances_to,lasts\n', /no rows/);
    refused('kind,code,name,category,grade_level,types,advances_to,lasts\ncategory,"A,B\n', /not valid CSV/);
  });

  test('columns may come in any order and in any case; a BOM and CRLF line ends are read as a spreadsheet writes them', () => {
    const text =
      '\uFEFFCODE,Kind,name,category,grade_level,types,advances_to,lasts\r\nC,category,Cat,,,,,\r\nT,type,Type,,,,,\r\nC-1,license,Field,C,All,T,,\r\n';
    const { file, rejected } = readCatalogFile(bytes(text), NO_KNOWN_CODES);
    assert.deepEqual(rejected, []);
    assert.equal(file?.kind === 'licenses' && file.offerings[0]!.code, 'C-1');
  });
});

describe('the application fee', () => {
  test('$100 for the first license, $25 for each additional one', () => {
    assert.equal(applicationFeeCents(1), 10_000);
    assert.equal(applicationFeeCents(2), 12_500);
    assert.equal(applicationFeeCents(4), 17_500);
    assert.equal(applicationFeeCents(0), 0);
    assert.equal(dollars(12_500), '$125');
    assert.equal(dollars(1_250), '$12.50');
    assert.equal(dollars(123_456_789), '$1,234,567.89');
  });
});

describe('the catalog in the database', () => {
  let elar: ElarDb;
  let close: () => Promise<void>;
  before(async () => {
    ({ db: elar, close } = await freshElarDatabase('elar_catalog'));
  });
  // An empty catalog for each test, as on a fresh database (migrating one takes seconds).
  beforeEach(async () => {
    for (const table of [
      'requirement',
      'license_offering',
      'license_category',
      'license_type',
      'catalog_load',
    ] as const)
      await elar.deleteFrom(table).execute();
  });
  after(async () => close?.());

  /** Every catalog row, for "nothing changed" comparisons. */
  async function everything() {
    return {
      categories: await elar.selectFrom('license_category').selectAll().orderBy('code').execute(),
      types: await elar.selectFrom('license_type').selectAll().orderBy('code').execute(),
      offerings: await elar.selectFrom('license_offering').selectAll().orderBy('code').execute(),
      requirements: await elar
        .selectFrom('requirement')
        .selectAll()
        .orderBy('type_code')
        .orderBy('route_code')
        .orderBy('item_code')
        .execute(),
    };
  }

  test('a fresh database gets the shipped catalog; starting again changes nothing', async () => {
    const notes = await loadShippedCatalog(elar);
    assert.equal(notes.length, 2);
    assert.match(notes[0]!, /catalog licenses loaded .*: 71 added, 0 updated, 0 unchanged, 0 made inactive/);
    assert.match(notes[1]!, /catalog requirements loaded .*: 48 added/);
    const loaded = await everything();
    const audited = async () =>
      (await elar.selectFrom('audit_event').select('detail').where('type', '=', 'elar.catalogImported').execute()).map(
        (e) => e.detail as { part: string; origin: string; added: number },
      );
    assert.deepEqual(
      (await audited()).map(({ part, origin, added }) => ({ part, origin, added })),
      [
        { part: 'licenses', origin: 'shipped', added: 71 },
        { part: 'requirements', origin: 'shipped', added: 48 },
      ],
    );
    assert.deepEqual(await loadShippedCatalog(elar), [], 'a restart loads nothing');
    assert.equal((await audited()).length, 2, 'and records nothing');
    const again = await importCatalog(elar, bytes(LICENSES), { origin: 'shipped' });
    assert.deepEqual(again.changes, { added: 0, updated: 0, unchanged: 71, inactivated: 0 });
    assert.deepEqual(await everything(), loaded);
    assert.equal((await listCategories(elar)).length, 7);
  });

  test('a file with any bad line changes nothing, and every bad line is reported', async () => {
    await loadShippedCatalog(elar);
    const before = await everything();
    const edited = LICENSES.replace('license,TCH-BIO-8-12,Biology,', 'license,TCH-BIO-8-12,Biology (renamed),')
      .replace('license,TCH-CHEM-8-12,Chemistry,TCH,8-12,', 'license,TCH-CHEM-8-12,Chemistry,TCH,8-12,TMP NOPE ')
      .concat('license,TCH-NEW-1-6,New,TCH,1-6,INI,,\nlicense,TCH-BAD,,TCH,1-6,INI,,\n');
    const report = await importCatalog(elar, bytes(edited), { origin: 'import' });
    assert.equal(report.changes, null);
    assert.deepEqual(report.rejected, [
      { line: 16, reason: 'types NOPE is not in this file' },
      { line: 74, reason: 'name is missing' },
    ]);
    assert.deepEqual(await everything(), before, 'not the renamed Biology, not the new row');
  });

  test('an import updates, adds, and makes inactive what it leaves out; importing it again changes nothing', async () => {
    await loadShippedCatalog(elar);
    const edited =
      LICENSES.replace('license,TCH-BIO-8-12,Biology,', 'license,TCH-BIO-8-12,Biology (Life Science),')
        .split('\n')
        .filter((line) => !line.startsWith('license,TCH-CHEM-8-12,'))
        .join('\n') + 'license,TCH-ASTRO-8-12,Astronomy,TCH,8-12,INI PRO,,\n';
    const first = await importCatalog(elar, bytes(edited), { origin: 'import' });
    assert.deepEqual(first.rejected, []);
    // Every row after the removed one moved up a place: its position is part of the row.
    assert.equal(first.changes!.added, 1);
    assert.equal(first.changes!.inactivated, 1);
    const second = await importCatalog(elar, bytes(edited), { origin: 'import' });
    assert.deepEqual(second.changes, { added: 0, updated: 0, unchanged: 71, inactivated: 0 });

    const chemistry = await findOffering(elar, 'TCH-CHEM-8-12');
    assert.equal(chemistry?.active, false, 'kept for the applications that name it, but inactive');
    const teacher = await offeringsInCategory(elar, 'TCH');
    assert.ok(!teacher.some((o) => o.code === 'TCH-CHEM-8-12'), 'no longer offered');
    assert.equal(teacher.find((o) => o.code === 'TCH-BIO-8-12')?.field, 'Biology (Life Science)');
    assert.deepEqual(
      teacher.find((o) => o.code === 'TCH-ASTRO-8-12')?.types.map((t) => t.name),
      ['Initial', 'Professional'],
    );
    assert.equal(await requirementTemplate(elar, 'TCH-CHEM-8-12', 'INI'), null);

    // The operator's catalog survives a restart; an import of the old row makes it active again.
    assert.deepEqual(await loadShippedCatalog(elar), []);
    assert.equal((await findOffering(elar, 'TCH-CHEM-8-12'))?.active, false);
    const back = await importCatalog(elar, bytes(LICENSES), { origin: 'import' });
    assert.equal(back.changes!.inactivated, 1, 'Astronomy');
    assert.equal((await findOffering(elar, 'TCH-CHEM-8-12'))?.active, true);
  });

  test('requirement templates are checked against the catalog in force', async () => {
    await loadShippedCatalog(elar);
    const withChemistryGone = LICENSES.split('\n')
      .filter((line) => !line.startsWith('license,TCH-CHEM-8-12,'))
      .join('\n');
    await importCatalog(elar, bytes(withChemistryGone), { origin: 'import' });
    const report = await importCatalog(
      elar,
      bytes(`${REQUIREMENTS}INI,PREP,Approved preparation program,TCH-CHEM-8-12,LAB,Lab safety course,no,\n`),
      { origin: 'import' },
    );
    assert.deepEqual(report.rejected, [
      { line: 50, reason: 'applies_to TCH-CHEM-8-12 is not a category or license in the license catalog' },
    ]);
  });

  test('what a license needs, route by route, with the gate items marked', async () => {
    await loadShippedCatalog(elar);
    const template = (await requirementTemplate(elar, 'TCH-BIO-8-12', 'INI'))!;
    assert.equal(template.type.name, 'Initial');
    assert.deepEqual(
      template.routes.map((r) => r.name),
      ['Approved preparation program', 'After a Provisional license', 'Licensed in another state'],
    );
    const prep = template.routes[0]!;
    assert.deepEqual(
      prep.items.map((i) => i.code),
      ['APPLICATION', 'FEE', 'BACHELOR', 'LITERACY-TEST', 'SUBJECT-TEST', 'PREP-PROGRAM', 'SEI-TEACHER'],
      'the administrators’ SEI endorsement is not asked of a teacher',
    );
    assert.deepEqual(
      prep.items.filter((i) => i.gate).map((i) => i.code),
      ['APPLICATION', 'FEE', 'BACHELOR', 'LITERACY-TEST'],
    );
    const sei = (await requirementTemplate(elar, 'SEI-ADMIN', 'END'))!;
    assert.deepEqual(
      sei.routes.map((r) => r.code),
      ['SEI-ADMIN-COURSE'],
    );
    assert.equal(await requirementTemplate(elar, 'ABE-ABE-ADULT', 'TMP'), null, 'not issued as Temporary');
    assert.equal(await requirementTemplate(elar, 'NOPE', 'INI'), null);
  });

  test('advancing: Provisional → Initial → Professional, and no further', async () => {
    await loadShippedCatalog(elar);
    assert.equal((await nextTypeUp(elar, 'TCH-BIO-8-12', 'PRV'))?.name, 'Initial');
    assert.equal((await nextTypeUp(elar, 'TCH-BIO-8-12', 'INI'))?.name, 'Professional');
    assert.equal((await nextTypeUp(elar, 'TCH-BIO-8-12', 'TMP'))?.name, 'Initial');
    assert.equal(await nextTypeUp(elar, 'TCH-BIO-8-12', 'PRO'), null);
    assert.equal(await nextTypeUp(elar, 'SEI-TEACHER', 'END'), null);
    assert.equal(await nextTypeUp(elar, 'NOPE', 'INI'), null);
  });

  test('several instances starting at once load the catalog once', async () => {
    const notes = await Promise.all(Array.from({ length: 5 }, () => loadShippedCatalog(elar)));
    const added = notes.flat().filter((n) => / 71 added/.test(n));
    assert.equal(added.length, 1, notes.flat().join('\n'));
    const { offerings } = await everything();
    assert.equal(offerings.length, 58);
  });
});
