import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ImportFileError, importOrganizations, type ImportReport } from '../../src/directory/org-import.ts';
import { migrate, openDatabase, type Database, type Db } from '../../src/database.ts';
import type { Organization } from '../../src/directory/schema.ts';
import { throwawayDatabase } from '../helpers/throwaway-database.ts';

/**
 * In-memory PGlite, or with DATABASE_URL a throwaway database on that server (as
 * test/helpers/portal.ts does), so the `xmax = 0` insert/update count is checked on both.
 */
async function openTestDatabase(): Promise<Database> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const database = await openDatabase({ databaseUrl: undefined, dataDir: 'memory://' });
    await migrate(database.db);
    return database;
  }
  const server = await throwawayDatabase(serverUrl, 'org_import_test');
  const database = await openDatabase({ databaseUrl: server.url, dataDir: 'memory://', poolSize: 2 });
  await migrate(database.db);
  return {
    ...database,
    close: async () => {
      await database.close();
      await server.drop();
    },
  };
}

const HEADER = 'code,name,type,town,phone';
const csv = (...lines: string[]) => lines.map((line) => `${line}\n`).join('');

/** The file as a Node stream in one chunk, as the command line will give it. */
const file = (content: string | Buffer) => Readable.from([Buffer.from(content)]);

async function* byteByByte(content: string | Buffer): AsyncGenerator<Buffer> {
  for (const byte of Buffer.from(content)) yield Buffer.from([byte]);
}

describe('org import', () => {
  let database: Database;
  let db: Db;
  before(async () => {
    database = await openTestDatabase();
    db = database.db;
  });
  after(() => database.close());
  beforeEach(() => db.deleteFrom('organization').execute());

  const organizations = async (): Promise<Map<string, Organization>> =>
    new Map((await db.selectFrom('organization').selectAll().execute()).map((o) => [o.code, o]));

  const expectRefused = async (content: string | Buffer | AsyncIterable<Buffer>, message: RegExp) => {
    const input = typeof content === 'string' || Buffer.isBuffer(content) ? file(content) : content;
    await assert.rejects(importOrganizations(db, input), (e: unknown) => {
      assert.ok(e instanceof ImportFileError, String(e));
      assert.match(e.message, message);
      return true;
    });
    assert.equal((await organizations()).size, 0, 'nothing is written');
  };

  const mixed = csv(
    'name,CODE,Type,phone,town',
    'Boston Latin Academy,00010505,school,617 635 9957,Boston',
    'Boston,00010000,district,,Boston',
    '  Springfield  ,00020000,District, 413 787 7100 ,Springfield',
    'Springfield Central High,00020505,school,,',
    'Collaborative for Educational Services,00030000,other,,Northampton',
    'Mass Academy for Math and Science,00040505,other,,Worcester',
  );

  test('imports districts, schools and others in any order, each school linked to its district', async () => {
    const report = await importOrganizations(db, file(mixed));
    assert.deepEqual(report, { rows: 6, inserted: 6, updated: 0, unchanged: 0, rejected: [] });
    const orgs = await organizations();
    assert.equal(orgs.get('00010505')!.district_id, orgs.get('00010000')!.id);
    assert.equal(orgs.get('00020505')!.district_id, orgs.get('00020000')!.id);
    for (const code of ['00010000', '00020000', '00030000', '00040505']) {
      assert.equal(orgs.get(code)!.district_id, null);
    }
    assert.deepEqual(
      { ...orgs.get('00020000')!, id: undefined, created_at: undefined, updated_at: undefined },
      {
        id: undefined,
        code: '00020000',
        name: 'Springfield',
        type: 'district',
        district_id: null,
        town: 'Springfield',
        phone: '413 787 7100',
        status: 'active',
        created_at: undefined,
        updated_at: undefined,
      },
    );
    assert.equal(orgs.get('00020505')!.town, null, 'an empty field is stored as null');
  });

  test('importing the same file again changes nothing, not even updated_at', async () => {
    await importOrganizations(db, file(mixed));
    const before = await organizations();
    const report = await importOrganizations(db, file(mixed));
    assert.deepEqual(report, { rows: 6, inserted: 0, updated: 0, unchanged: 6, rejected: [] });
    assert.deepEqual(await organizations(), before);
  });

  test('a changed name is an update: same id, only that row’s updated_at moves', async () => {
    await importOrganizations(db, file(mixed));
    const before = await organizations();
    const renamed = mixed.replace('Boston Latin Academy', 'Boston Latin Academy (Dorchester)');
    const report = await importOrganizations(db, file(renamed));
    assert.deepEqual(report, { rows: 6, inserted: 0, updated: 1, unchanged: 5, rejected: [] });
    const now = await organizations();
    const latin = now.get('00010505')!;
    assert.equal(latin.name, 'Boston Latin Academy (Dorchester)');
    assert.equal(latin.id, before.get('00010505')!.id);
    assert.equal(latin.district_id, before.get('00010505')!.district_id);
    assert.deepEqual(latin.created_at, before.get('00010505')!.created_at);
    assert.ok(latin.updated_at > before.get('00010505')!.updated_at);
    assert.deepEqual(now.get('00010000')!.updated_at, before.get('00010000')!.updated_at);
  });

  test('a school whose district is only in the database is linked to it', async () => {
    await importOrganizations(db, file(csv(HEADER, '00010000,Boston,district,Boston,')));
    const report = await importOrganizations(db, file(csv(HEADER, '00010600,Boston Arts Academy,school,Boston,')));
    assert.deepEqual(report, { rows: 1, inserted: 1, updated: 0, unchanged: 0, rejected: [] });
    const orgs = await organizations();
    assert.equal(orgs.get('00010600')!.district_id, orgs.get('00010000')!.id);
  });

  test('each bad row is rejected with its line and reason; the good rows are imported', async () => {
    const misquoted =
      'a quote is out of place (a field with quotes must be wholly in quotes, each inner quote doubled)';
    const content = csv(
      HEADER,
      '00010000,Boston,district,Boston,', // 2
      '00010505,Boston Latin,school,Boston', // 3
      '0001050,Short Code,school,,', // 4
      ',No Code,school,,', // 5
      '00010506,,school,,', // 6
      `00010507,${'x'.repeat(201)},school,,`, // 7
      '00010508,Wrong Type,college,,', // 8
      '00010509,Not A District Code,district,,', // 9
      '00020000,School With A District Code,school,,', // 10
      '00090505,No Such District,school,,', // 11
      '00030000,Not A District,other,,', // 12
      '00030505,Under An Other,school,,', // 13
      `00010510,Long Town,school,${'t'.repeat(101)},`, // 14
      `00010511,Long Phone,school,,${'9'.repeat(31)}`, // 15
      '00010512,"Tab\there",school,,', // 16
      '00010513,Stray "Quote",school,,', // 17
      '00010514,"Closed" Early,school,,', // 18
      '00010515,,college,,', // 19
      `00010516,${'🏫'.repeat(200)},school,,`, // 20: 200 characters, though 400 UTF-16 units
      '00010517,Good School,school,Boston,617 555 0100', // 21
    );
    const report = await importOrganizations(db, file(content));
    assert.deepEqual(report, {
      rows: 20,
      inserted: 4,
      updated: 0,
      unchanged: 0,
      rejected: [
        { line: 3, code: '00010505', reason: 'has 4 fields instead of 5' },
        { line: 4, code: null, reason: 'code "0001050" is not 8 digits' },
        { line: 5, code: null, reason: 'code is missing' },
        { line: 6, code: '00010506', reason: 'name is missing' },
        { line: 7, code: '00010507', reason: 'name is longer than 200 characters' },
        { line: 8, code: '00010508', reason: 'type "college" is not district, school or other' },
        { line: 9, code: '00010509', reason: "a district's code must end in 0000" },
        { line: 10, code: '00020000', reason: "a school's code cannot end in 0000 (that is its district's code)" },
        { line: 11, code: '00090505', reason: 'district 00090000 not found' },
        { line: 13, code: '00030505', reason: 'district 00030000 not found' },
        { line: 14, code: '00010510', reason: 'town is longer than 100 characters' },
        { line: 15, code: '00010511', reason: 'phone is longer than 30 characters' },
        { line: 16, code: '00010512', reason: 'name contains a line break, tab or other control character' },
        { line: 17, code: '00010513', reason: misquoted },
        { line: 18, code: '00010514', reason: misquoted },
        { line: 19, code: '00010515', reason: 'name is missing; type "college" is not district, school or other' },
      ],
    });
    assert.deepEqual([...(await organizations()).keys()].sort(), ['00010000', '00010516', '00010517', '00030000']);
  });

  test('a repeated code: the first row counts, later ones name its line, across batches too', async () => {
    const filler = Array.from({ length: 1500 }, (_, i) => `${String(10_000_001 + i)},Filler ${i},other,,`);
    const content = csv(
      HEADER,
      '00010000,Boston,district,,', // 2
      '00010505,First,school,,', // 3
      '00010505,Second,school,,', // 4
      '00010600,,school,,', // 5: rejected, but still the first with its code
      '00010600,Named Later,school,,', // 6
      ...filler, // 7-1506: the rows below are in a later batch
      '00010505,Third,school,,', // 1507
      '00010505,Fourth,school,,', // 1508
    );
    const report = await importOrganizations(db, file(content));
    const repeated = (line: number, code: string, first: number) => ({
      line,
      code,
      reason: `code ${code} is repeated: it is already on line ${first}`,
    });
    assert.deepEqual(report, {
      rows: 1507,
      inserted: 1502,
      updated: 0,
      unchanged: 0,
      rejected: [
        repeated(4, '00010505', 3),
        { line: 5, code: '00010600', reason: 'name is missing' },
        repeated(6, '00010600', 5),
        repeated(1507, '00010505', 3),
        repeated(1508, '00010505', 3),
      ],
    });
    assert.equal((await organizations()).get('00010505')!.name, 'First');
  });

  test('reports the first maxRejectedToReport rejections by line, found early or late', async () => {
    const content = csv(
      HEADER,
      '00090505,No District,school,,', // rejected after reading
      'bad1,A,school,,',
      'bad2,B,school,,',
      'bad3,C,school,,',
    );
    const report = await importOrganizations(db, file(content), { maxRejectedToReport: 2 });
    assert.deepEqual(report, {
      rows: 4,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      rejected: [
        { line: 2, code: '00090505', reason: 'district 00090000 not found' },
        { line: 3, code: null, reason: 'code "bad1" is not 8 digits' },
      ],
    });
  });

  test('blank lines, and rows of empty fields that spreadsheets leave, are skipped', async () => {
    const report = await importOrganizations(db, file(csv(HEADER, '', '00010000,Boston,district,,', ',,,,', '  ')));
    assert.deepEqual(report, { rows: 1, inserted: 1, updated: 0, unchanged: 0, rejected: [] });
  });

  test('a byte order mark is dropped, even split across chunks', async () => {
    const content = `\ufeff${csv(HEADER, '00010000,Boston,district,,')}`;
    assert.equal((await importOrganizations(db, file(content))).inserted, 1);
    assert.equal((await importOrganizations(db, byteByByte(content))).unchanged, 1);
  });

  test('quoted fields hold commas, doubled quotes and line breaks; lines are counted physically', async () => {
    const content = csv(
      HEADER,
      '00010000,"Boston, City of",district,"Boston",""', // 2
      '00010505,"The ""Latin"" School",school,Boston,', // 3
      '00010506,"Two', // 4
      'Lines",school,,', // 5
      '00010507,"After, a break",school,"Hyde', // 6
      'Park",', // 7
      '00010508,Plain,school,,', // 8
    );
    const report = await importOrganizations(db, file(content));
    assert.deepEqual(report, {
      rows: 5,
      inserted: 3,
      updated: 0,
      unchanged: 0,
      rejected: [
        { line: 4, code: '00010506', reason: 'name contains a line break, tab or other control character' },
        { line: 6, code: '00010507', reason: 'town contains a line break, tab or other control character' },
      ],
    });
    const orgs = await organizations();
    assert.equal(orgs.get('00010000')!.name, 'Boston, City of');
    assert.equal(orgs.get('00010000')!.phone, null);
    assert.equal(orgs.get('00010505')!.name, 'The "Latin" School');
  });

  test('lines are counted by line feeds: a CRLF in a quoted field is one line, a CR alone none', async () => {
    const content = [
      HEADER, // 1
      '00010000,"Two', // 2
      'Lines",district,,', // 3
      '00010505,Carriage\rReturn,school,,', // 4
      '00010506,Wrong Type,college,,', // 5
    ].join('\r\n');
    const report = await importOrganizations(db, file(content));
    assert.deepEqual(report.rejected, [
      { line: 2, code: '00010000', reason: 'name contains a line break, tab or other control character' },
      { line: 4, code: '00010505', reason: 'name contains a line break, tab or other control character' },
      { line: 5, code: '00010506', reason: 'type "college" is not district, school or other' },
    ]);
  });

  test('CRLF line ends, with or without one after the last row', async () => {
    const rows = [HEADER, '00010000,Boston,district,Boston,617', '00010505,"Latin, Boston",school,"Boston",""'];
    assert.equal((await importOrganizations(db, file(rows.join('\r\n')))).inserted, 2);
    assert.equal((await importOrganizations(db, file(`${rows.join('\r\n')}\r\n`))).unchanged, 2);
    const orgs = await organizations();
    assert.equal(orgs.get('00010000')!.phone, '617');
    assert.equal(orgs.get('00010505')!.town, 'Boston');
    assert.equal(orgs.get('00010505')!.phone, null);
  });

  test('one-byte chunks split multibyte characters, quoted fields and CRLFs without harm', async () => {
    const names = ['École Élémentaire', '日本語学校', 'Escuela 🏫 "La Paz", Boston'];
    const content = [
      'code,name,type,town,phone',
      '00010000,Bostón,district,Bostón,',
      ...names.map((name, i) => `0001050${i},"${name.replaceAll('"', '""')}",school,Bostón,`),
    ].join('\r\n');
    let progress = 0;
    const report = await importOrganizations(db, byteByByte(content), { onProgress: (bytes) => (progress = bytes) });
    assert.deepEqual(report, { rows: 4, inserted: 4, updated: 0, unchanged: 0, rejected: [] });
    assert.equal(progress, Buffer.byteLength(content));
    const orgs = await organizations();
    assert.deepEqual(
      names.map((_, i) => orgs.get(`0001050${i}`)!.name),
      names,
    );
    assert.equal(orgs.get('00010000')!.town, 'Bostón');
  });

  test('a file that is not UTF-8 is refused, naming the line, and nothing is written', async () => {
    await expectRefused(
      Buffer.from(csv(HEADER, '00010000,Bost\xf3n,district,,'), 'latin1'),
      /^The file is not UTF-8 text \(line 2\)\. Save it as CSV UTF-8 and try again\.$/,
    );
    // Found after 2,000 rows were staged: they are rolled back too.
    const good = Array.from({ length: 2000 }, (_, i) => `${String(10_000_001 + i)},Good ${i},other,,`);
    await expectRefused(
      Buffer.concat([Buffer.from(csv(HEADER, ...good)), Buffer.from('10009999,Mal\xe9,other,,\n', 'latin1')]),
      /\(line 2002\)/,
    );
    await expectRefused(byteByByte(Buffer.from(csv(HEADER, '00010000,Bost\xf3n,district,,'), 'latin1')), /\(line 2\)/);
    // Ends in the middle of a character.
    await expectRefused(Buffer.from([...Buffer.from(`${HEADER}\n00010000,Bost`), 0xc3]), /\(line 2\)/);
  });

  test('a bad header is refused with the columns at fault', async () => {
    const header = /^The first line must be the header code,name,type,town,phone \(columns in any order\)\. /;
    await expectRefused(csv('code,name,type,town'), new RegExp(`${header.source}Missing: phone\\.$`));
    await expectRefused(csv('code,name,type,town,phone,Region,'), /Not expected: "Region", \(blank\)\.$/);
    await expectRefused(csv('code,name,type,town,phone,name'), /\)\. Repeated: name\.$/);
    await expectRefused(csv('00010000,Boston,district,,'), /Missing: code, name, type, town, phone\./);
    await expectRefused(
      csv('code;name;type;town;phone'),
      /^Columns must be separated by commas; the header is "code;name;type;town;phone"\./,
    );
    await expectRefused('', /^The file is empty\. Its first line must be the header code,name,type,town,phone\.$/);
  });

  test('a quote never closed is refused, as is a row too long to be one', async () => {
    await expectRefused(
      csv(HEADER, '00010000,"Boston,district,,', '00010505,Latin,school,,'),
      /^The quote opened on line 2 is never closed\./,
    );
    await expectRefused(
      csv(HEADER, '00010000,"Two', 'Lines",district,"Boston,', '00010505,Latin,school,,'),
      /^The quote opened on line 3 is never closed\./,
    );
    await expectRefused(
      csv(HEADER, `00010000,"${'x'.repeat(70_000)}`),
      /^The row starting on line 2 is longer than 65536 characters: a quote may be left open/,
    );
  });

  test('a 50 MB file streams through', { timeout: 120_000 }, async (t) => {
    const rowCount = 400_000;
    const schoolsPerDistrict = 199;
    let size = 0;
    async function* generated(): AsyncGenerator<Buffer> {
      const lines = [HEADER];
      for (let i = 0; i < rowCount; i++) {
        const district = String(Math.floor(i / (schoolsPerDistrict + 1)) + 1).padStart(4, '0');
        const school = i % (schoolsPerDistrict + 1);
        const code = `${district}${String(school).padStart(4, '0')}`;
        const type = school === 0 ? 'district' : 'school';
        const name = `Organization ${code}, as long a name as the longest real ones in the state`;
        lines.push(`${code},"${name}",${type},West Springfield,(413) 555-0100`);
        if (lines.length === 500) {
          const chunk = Buffer.from(`${lines.join('\n')}\n`);
          size += chunk.length;
          yield chunk;
          lines.length = 0;
        }
      }
      const chunk = Buffer.from(`${lines.join('\n')}\n`);
      size += chunk.length;
      yield chunk;
    }
    const started = performance.now();
    let progress = 0;
    const report: ImportReport = await importOrganizations(db, generated(), {
      onProgress: (bytes) => (progress = bytes),
    });
    t.diagnostic(`${(size / 1e6).toFixed(1)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    assert.ok(size > 50e6, `${size} bytes`);
    assert.equal(progress, size);
    assert.deepEqual(report, { rows: rowCount, inserted: rowCount, updated: 0, unchanged: 0, rejected: [] });
    const unlinked = await db
      .selectFrom('organization')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('type', '=', 'school')
      .where('district_id', 'is', null)
      .executeTakeFirstOrThrow();
    assert.equal(Number(unlinked.count), 0);
  });
});
