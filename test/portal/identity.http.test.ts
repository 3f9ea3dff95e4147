import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { migrations } from '../../migrations/index.ts';
import { migrate, openDatabase } from '../../src/database.ts';
import { findMatchCandidates } from '../../src/portal/profile-repository.ts';
import { nameKey } from '../../src/portal/identity.ts';
import {
  Browser,
  createProfile,
  errorSummary,
  identityFields,
  outcomeOf,
  startPortal,
  textOf,
  type Person,
  type TestPortal,
} from '../helpers/portal.ts';
import { throwawayDatabase } from '../helpers/throwaway-database.ts';

/**
 * Identity matching over HTTP, as a stranger would probe it: the Create Profile identity
 * page and the Retrieve User Name / Reset Password identity page. Only the outcome marker
 * (`data-outcome`) and what the page shows are asserted, not the step URLs.
 */
let portal: TestPortal;
before(async () => {
  portal = await startPortal();
});
after(() => portal.close());

let n = 0;
/** A person no other test in this file matches: own last name, own SSN. */
function newPerson(over: Partial<Person> = {}): Person {
  n += 1;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return {
    firstName: 'Jordan',
    lastName: `Ident${letters[n % 26]}${letters[Math.floor(n / 26) % 26]}`,
    dob: ['4', '12', '1986'],
    ssn: `${300 + n}-12-${String(4000 + n)}`,
    ...over,
  };
}

/** Each test its own address, so the per-address pause after partial matches never decides an outcome. */
let ip = 0;
const browser = () => new Browser(portal.app, `198.51.100.${++ip}`);

const STARTS = { create: '/profile/new', recover: '/account/recover' } as const;

/** Posts the identity page of one flow and follows to the page that says what happened. */
async function identify(mode: keyof typeof STARTS, person: Person) {
  const b = browser();
  const res = await b.submit(STARTS[mode], `${STARTS[mode]}/identity`, identityFields(person));
  const page = await b.follow(res);
  return { status: res.status, page, outcome: outcomeOf(page.body) };
}

async function countProfiles(): Promise<number> {
  const row = await portal.db
    .selectFrom('profile')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function lastConflictFields(): Promise<string[]> {
  const row = await portal.db
    .selectFrom('match_conflict')
    .select('conflicting_fields')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  return row.conflicting_fields;
}

describe('each identity field, alone, as the only difference: a partial match, never the User Name', () => {
  const changes: Array<[field: string, change: (p: Person) => Partial<Person>]> = [
    ['firstName', () => ({ firstName: 'Jordyn' })],
    ['lastName', (p) => ({ lastName: `${p.lastName}x` })],
    ['dateOfBirth', () => ({ dob: ['4', '13', '1986'] })],
    ['ssn', (p) => ({ ssn: p.ssn.replace('-12-', '-13-') })],
  ];
  for (const mode of ['create', 'recover'] as const) {
    for (const [field, change] of changes) {
      test(`${mode === 'create' ? 'Create Profile' : 'Retrieve User Name'}: ${field} differs`, async () => {
        const person = newPerson();
        const { userName, mepid } = await createProfile(browser(), person);
        const other = { ...person, ...change(person) };
        assert.notDeepEqual(identityFields(other), identityFields(person));
        const before = await countProfiles();

        const { page, outcome } = await identify(mode, other);
        assert.equal(outcome, 'partial-match');
        assert.equal(textOf(page.body, 'data-username'), undefined, 'no User Name element');
        assert.ok(
          !page.body.includes(userName) && !page.body.includes(mepid),
          'neither the User Name nor the MEPID appears',
        );
        assert.deepEqual(await lastConflictFields(), [field]);
        assert.equal(await countProfiles(), before, 'no second profile');
      });
    }
  }

  test('the same four with another middle name is the same person: the middle name is never compared', async () => {
    const person = newPerson({ middleName: 'Ann' });
    const { userName } = await createProfile(browser(), person);
    for (const middleName of ['Beth', '']) {
      const { page, outcome } = await identify('recover', { ...person, middleName });
      assert.equal(outcome, 'exact-match', `middle name "${middleName}"`);
      assert.equal(textOf(page.body, 'data-username'), userName);
    }
  });
});

describe('look-alike letters (Unicode confusables) do not make a second person', () => {
  test('an all-Cyrillic "Јоу Роре" with the birth date of Joy Pope and another SSN is a partial match, not a new profile', async () => {
    const person = newPerson({ firstName: 'Joy', lastName: 'Pope' });
    const { userName } = await createProfile(browser(), person);
    const before = await countProfiles();
    const lookAlike = {
      ...person,
      firstName: '\u0408\u043e\u0443',
      lastName: '\u0420\u043e\u0440\u0435',
      ssn: '219-09-1234',
    };
    for (const mode of ['create', 'recover'] as const) {
      const { page, outcome } = await identify(mode, lookAlike);
      assert.equal(outcome, 'partial-match', mode);
      assert.ok(!page.body.includes(userName));
    }
    assert.deepEqual(await lastConflictFields(), ['ssn']);
    assert.equal(await countProfiles(), before);
  });

  test('the look-alike name with the same SSN is the same person: the User Name is reminded', async () => {
    const person = newPerson({ firstName: 'Cox', lastName: 'Pope' });
    const { userName } = await createProfile(browser(), person);
    const { page, outcome } = await identify('recover', {
      ...person,
      firstName: '\u0421\u043e\u0445',
      lastName: '\u0420\u043e\u0440\u0435',
    });
    assert.equal(outcome, 'exact-match');
    assert.equal(textOf(page.body, 'data-username'), userName);
  });

  test('fullwidth letters are the same name', async () => {
    const person = newPerson({ firstName: 'Joy', lastName: 'Fullwidth' });
    await createProfile(browser(), person);
    const { outcome } = await identify('create', { ...person, firstName: '\uff2a\uff4f\uff59', ssn: '219-09-5678' });
    assert.equal(outcome, 'partial-match');
  });

  test('a name that mixes alphabets is refused with a message naming them, for every name field', async () => {
    const b = browser();
    await b.get('/profile/new');
    // "Jоrdan" with a Cyrillic о, "Rivеra" with a Cyrillic е, a middle name with a Greek ο.
    const res = await b.post('/profile/new/identity', {
      ...identityFields(newPerson({ firstName: 'J\u043erdan', middleName: 'Le\u03bfn', lastName: 'Riv\u0435ra' })),
    });
    assert.equal(res.status, 422);
    assert.deepEqual(errorSummary(res.body), [
      'First name mixes letters from different alphabets (Latin and Cyrillic): type it again in one alphabet',
      'Middle name mixes letters from different alphabets (Latin and Greek): type it again in one alphabet',
      'Last name mixes letters from different alphabets (Latin and Cyrillic): type it again in one alphabet',
    ]);
  });
});

describe('identity input rules over HTTP', () => {
  test('an SSN starting with 9 is refused with its own message, on both flows', async () => {
    for (const mode of ['create', 'recover'] as const) {
      const b = browser();
      const res = await b.submit(
        STARTS[mode],
        `${STARTS[mode]}/identity`,
        identityFields(newPerson({ ssn: '912-34-5678' })),
      );
      assert.equal(res.status, 422, mode);
      assert.deepEqual(errorSummary(res.body), [
        'Enter a Social Security number: numbers starting with 9 are not Social Security numbers',
      ]);
    }
  });

  test('a 2-digit year asks for 4 digits', async () => {
    const b = browser();
    const res = await b.submit(
      '/profile/new',
      '/profile/new/identity',
      identityFields(newPerson({ dob: ['4', '12', '86'] })),
    );
    assert.equal(res.status, 422);
    assert.deepEqual(errorSummary(res.body), ['Enter the year of birth with 4 digits, like 1985']);
  });
});

describe('profiles stored before look-alike folding', () => {
  test('the migration recomputes their name keys, so they match the new way', async () => {
    const serverUrl = process.env.DATABASE_URL;
    const server = serverUrl ? await throwawayDatabase(serverUrl, 'portal_test') : undefined;
    const database = await openDatabase({ databaseUrl: server?.url, dataDir: 'memory://', poolSize: 2 });
    try {
      // The schema as it was before the migration, with keys made by the old rule
      // (NFKD, no accents, lower case, letters and digits), look-alikes kept as they were.
      const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0006'));
      const old = await new Migrator({
        db: database.db,
        provider: { getMigrations: async () => before },
      }).migrateToLatest();
      assert.equal(old.error, undefined);
      const oldKey = (s: string) =>
        s
          .normalize('NFKD')
          .replace(/\p{M}/gu, '')
          .toLowerCase()
          .replace(/[^\p{L}\p{N}]/gu, '');
      const people = [
        { id: '00000000-0000-4000-8000-000000000001', first: 'J\u043erdan', last: 'Rivera', mepid: '10000001' },
        { id: '00000000-0000-4000-8000-000000000002', first: 'Maria', last: "O'Neil-Díaz", mepid: '10000002' },
        {
          id: '00000000-0000-4000-8000-000000000003',
          first: 'S\u00f8ren',
          last: '\u0420\u043e\u0440\u0435',
          mepid: '10000003',
        },
      ];
      for (const p of people) {
        await sql`INSERT INTO profile (id, user_name, mepid, first_name, last_name, first_name_key, last_name_key, date_of_birth, status)
          VALUES (${p.id}, ${`U${p.mepid}`}, ${p.mepid}, ${p.first}, ${p.last}, ${oldKey(p.first)}, ${oldKey(p.last)}, '1986-04-12', 'precreated')`.execute(
          database.db,
        );
      }
      assert.notEqual(oldKey('J\u043erdan'), nameKey('Jordan'), 'the old keys really differ');

      await migrate(database.db);
      const rows = await database.db
        .selectFrom('profile')
        .select(['id', 'first_name', 'last_name', 'first_name_key', 'last_name_key'])
        .orderBy('id')
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.first_name_key, r.last_name_key]),
        people.map((p) => [nameKey(p.first), nameKey(p.last)]),
      );
      assert.deepEqual(
        rows.map((r) => [r.first_name_key, r.last_name_key]),
        [
          ['jordan', 'rivera'],
          ['rnaria', 'oneildiaz'],
          ['soren', 'pope'],
        ],
      );
      const found = await findMatchCandidates(database.db, {
        firstNameKey: nameKey('Jordan'),
        lastNameKey: nameKey('Rivera'),
        dateOfBirth: '1986-04-12',
        ssnHash: 'none',
      });
      assert.deepEqual(
        found.map((c) => c.id),
        [people[0]!.id],
        'the Latin spelling finds the profile stored with a Cyrillic letter',
      );
      const maria = await findMatchCandidates(database.db, {
        firstNameKey: nameKey('MARIA'),
        lastNameKey: nameKey('oneil diaz'),
        dateOfBirth: '1986-04-12',
        ssnHash: 'none',
      });
      assert.deepEqual(
        maria.map((c) => c.id),
        [people[1]!.id],
        'a name without look-alikes still matches as it did',
      );
    } finally {
      await database.close();
      await server?.drop();
    }
  });
});
