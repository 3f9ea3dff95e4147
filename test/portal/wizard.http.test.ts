import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createProfile as createProfileRecord, identityOnly, ssnFields } from '../../src/portal/accounts.ts';
import { POLICIES } from '../../src/portal/password-policy.ts';
import {
  Browser,
  contactFields,
  createProfile,
  errorSummary,
  identityFields,
  logIn,
  outcomeOf,
  startPortal,
  textOf,
  type Person,
  type TestPortal,
} from '../helpers/portal.ts';

let portal: TestPortal;
before(async () => {
  portal = await startPortal();
});
after(() => portal.close());

let n = 0;
/** A distinct person per test, so tests in this file never match each other. */
function newPerson(over: Partial<Person> = {}): Person {
  n += 1;
  return {
    firstName: 'Maria',
    lastName: `Tester${'abcdefghijklmnopqrstuvwxyz'[n % 26]}${'klmnopqrst'[n % 10]}`,
    dob: ['2', '14', '1985'],
    ssn: `${100 + n}-45-${String(1000 + n)}`,
    ...over,
  };
}

async function countProfiles(): Promise<number> {
  const row = await portal.db
    .selectFrom('profile')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('Create Profile, no match: a new profile', () => {
  test('four pages and a check-your-answers page create the profile and show User Name and MEPID once', async () => {
    const b = new Browser(portal.app);
    const person = newPerson({ firstName: 'Jordan', lastName: 'Quill' });
    const { userName, mepid, page } = await createProfile(b, person);
    assert.equal(page.status, 200);
    assert.equal(outcomeOf(page.body), 'created');
    assert.equal(userName, 'JQuill');
    assert.match(mepid, /^[1-9]\d{7}$/);
    assert.match(page.body, /No email will confirm them/);

    const row = await portal.db
      .selectFrom('profile')
      .selectAll()
      .where('user_name', '=', 'JQuill')
      .executeTakeFirstOrThrow();
    assert.equal(row.ssn_last4, person.ssn.slice(-4));
    assert.equal(
      row.ssn_hash,
      ssnFields({ ssnKey: portal.ssnKey, policy: POLICIES.agency, historySize: 10 }, person.ssn.replace(/-/g, '')).hash,
    );
    assert.match(row.password_hash!, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.match(row.hint_answer_hash!, /^\$argon2id\$/);
    assert.equal(row.hint_question, 'First pet?');

    const login = await logIn(new Browser(portal.app), userName, 'Secret123');
    assert.equal(login.status, 303);
  });

  test('a second person with the same name gets a numbered User Name', async () => {
    const first = await createProfile(new Browser(portal.app), newPerson({ firstName: 'Sam', lastName: 'Okafor' }));
    const second = await createProfile(new Browser(portal.app), newPerson({ firstName: 'Sara', lastName: 'Okafor' }));
    assert.equal(first.userName, 'SOkafor');
    assert.equal(second.userName, 'SOkafor2');
    assert.notEqual(first.mepid, second.mepid);
  });

  /** Every page up to check-your-answers, so that final submits can be raced. */
  async function readyToSubmit(person: Person): Promise<Browser> {
    const b = new Browser(portal.app);
    await b.submit('/profile/new', '/profile/new/identity', identityFields(person));
    await b.submit('/profile/new/contact', '/profile/new/contact', contactFields);
    await b.submit('/profile/new/background', '/profile/new/background', {
      previousLastName: '',
      priorLicenseNumber: '',
    });
    await b.submit('/profile/new/security', '/profile/new/security', {
      hintQuestion: 'Q?',
      hintAnswer: 'A',
      password: 'Secret123',
      passwordConfirm: 'Secret123',
    });
    await b.get('/profile/new/review');
    return b;
  }

  test('people with the same name submitting at the same moment each get their own User Name', async () => {
    const browsers = await Promise.all(
      ['1', '2', '3', '4', '5', '6'].map((d) =>
        readyToSubmit(newPerson({ firstName: 'Sam', lastName: 'Same', dob: ['3', d, '1990'] })),
      ),
    );
    const results = await Promise.all(browsers.map((b) => b.post('/profile/new/review', {})));
    assert.deepEqual(
      results.map((r) => r.status),
      [303, 303, 303, 303, 303, 303],
    );
    const names = await Promise.all(
      browsers.map(async (b) => textOf((await b.get('/profile/new/done')).body, 'data-username')),
    );
    assert.deepEqual([...names].sort(), ['SSame', 'SSame2', 'SSame3', 'SSame4', 'SSame5', 'SSame6']);
  });

  test('the same person submitting from two browsers at once gets one profile; the other browser is told it exists', async () => {
    const person = newPerson({ firstName: 'Twin', lastName: 'Submit' });
    const [a, b] = await Promise.all([readyToSubmit(person), readyToSubmit(person)]);
    const before = await countProfiles();
    const results = await Promise.all([a.post('/profile/new/review', {}), b.post('/profile/new/review', {})]);
    assert.deepEqual(
      results.map((r) => r.status),
      [303, 303],
    );
    assert.equal(await countProfiles(), before + 1);
    const pages = await Promise.all([a.follow(results[0]!), b.follow(results[1]!)]);
    assert.deepEqual(pages.map((p) => outcomeOf(p.body)).sort(), ['created', 'exact-match']);
  });

  test('the wizard answers are kept on the server, never in a cookie, and hold no SSN or password in clear', async () => {
    const b = new Browser(portal.app);
    const person = newPerson();
    await b.submit('/profile/new', '/profile/new/identity', identityFields(person));
    await b.submit('/profile/new/contact', '/profile/new/contact', contactFields);
    await b.submit('/profile/new/background', '/profile/new/background', {
      previousLastName: '',
      priorLicenseNumber: '',
    });
    await b.submit('/profile/new/security', '/profile/new/security', {
      hintQuestion: 'Q?',
      hintAnswer: 'Answer One',
      password: 'Secret123',
      passwordConfirm: 'Secret123',
    });
    for (const value of b.cookies.values()) assert.ok(value.length < 100, 'cookies hold only tokens');
    const rows = await portal.db.selectFrom('flow_state').select('data').execute();
    const stored = JSON.stringify(rows.map((r) => r.data));
    assert.ok(!stored.includes(person.ssn.replace(/-/g, '')));
    assert.ok(!stored.includes('Secret123'));
    assert.ok(!stored.includes('Answer One'));
  });

  test('double-submitting the final page creates one profile, not two', async () => {
    const b = new Browser(portal.app);
    const person = newPerson();
    await b.submit('/profile/new', '/profile/new/identity', identityFields(person));
    await b.submit('/profile/new/contact', '/profile/new/contact', contactFields);
    await b.submit('/profile/new/background', '/profile/new/background', {
      previousLastName: '',
      priorLicenseNumber: '',
    });
    await b.submit('/profile/new/security', '/profile/new/security', {
      hintQuestion: 'Q?',
      hintAnswer: 'A',
      password: 'Secret123',
      passwordConfirm: 'Secret123',
    });
    await b.get('/profile/new/review');
    const before = await countProfiles();
    const results = await Promise.all([
      b.post('/profile/new/review', {}),
      b.post('/profile/new/review', {}),
      b.post('/profile/new/review', {}),
    ]);
    for (const r of results) assert.equal(r.status, 303);
    assert.equal(await countProfiles(), before + 1);
    const again = await b.post('/profile/new/review', {});
    assert.equal(again.location, '/profile/new/done');
    assert.equal(await countProfiles(), before + 1);
  });

  test('pages visited out of order send the person to the step they are on', async () => {
    const b = new Browser(portal.app);
    assert.equal((await b.get('/profile/new/security')).location, '/profile/new');
    await b.submit('/profile/new', '/profile/new/identity', identityFields(newPerson()));
    assert.equal((await b.get('/profile/new/review')).location, '/profile/new/contact');
    assert.equal((await b.get('/profile/new/contact')).status, 200);
  });

  test('a form posted after the answers expired says so with a 409, not a 500', async () => {
    const b = new Browser(portal.app);
    await b.get('/profile/new');
    const res = await b.post('/profile/new/contact', contactFields);
    assert.equal(res.status, 409);
    assert.match(res.body, /start again/i);
  });
});

describe('Create Profile: bad input', () => {
  test('every identity field has its own message, in page order, and entered values are kept', async () => {
    const b = new Browser(portal.app);
    await b.get('/profile/new');
    const res = await b.post('/profile/new/identity', {
      firstName: '',
      middleName: '<b>',
      lastName: 'Smith',
      dobMonth: '2',
      dobDay: '30',
      dobYear: '1990',
      ssn: '12345',
    });
    assert.equal(res.status, 422);
    assert.deepEqual(errorSummary(res.body), [
      'Enter first name',
      'Middle name must only include letters, spaces, hyphens, apostrophes and full stops',
      'Date of birth must be a real date, like 3 27 1985',
      'Social Security number must be 9 digits, like 123 45 6789',
    ]);
    assert.match(res.body, /<title>Error: /);
    assert.match(res.body, /name="lastName" type="text" value="Smith"/);
    assert.match(res.body, /value="&lt;b>"/);
    assert.ok(!res.body.includes('<b>'), 'entered markup is escaped');
  });

  test('contact page: email, state and ZIP', async () => {
    const b = new Browser(portal.app);
    await b.submit('/profile/new', '/profile/new/identity', identityFields(newPerson()));
    await b.get('/profile/new/contact');
    const res = await b.post('/profile/new/contact', {
      ...contactFields,
      email: 'nope',
      state: 'XX',
      postalCode: '123',
    });
    assert.equal(res.status, 422);
    assert.deepEqual(errorSummary(res.body), [
      'Enter an email address in the correct format, like name@example.com',
      'Select your state from the list',
      'Enter a ZIP code, like 02148 or 02148-5023',
    ]);
    assert.match(res.body, /value="nope"/);
  });

  test('security page: each password rule has its own message and passwords are never sent back', async () => {
    const b = new Browser(portal.app);
    await b.submit('/profile/new', '/profile/new/identity', identityFields(newPerson()));
    await b.submit('/profile/new/contact', '/profile/new/contact', contactFields);
    await b.submit('/profile/new/background', '/profile/new/background', {
      previousLastName: '',
      priorLicenseNumber: '',
    });
    await b.get('/profile/new/security');
    const short = await b.post('/profile/new/security', {
      hintQuestion: 'Q?',
      hintAnswer: 'A',
      password: 'ab!',
      passwordConfirm: 'ab!',
    });
    assert.deepEqual(errorSummary(short.body), [
      'Password must be at least 6 characters. Password must contain only letters and numbers, with no spaces or symbols',
    ]);
    assert.ok(!short.body.includes('ab!'));
    const mismatch = await b.post('/profile/new/security', {
      hintQuestion: 'Q?',
      hintAnswer: 'A',
      password: 'Secret123',
      passwordConfirm: 'Secret124',
    });
    assert.deepEqual(errorSummary(mismatch.body), ['The passwords do not match. Enter the same password twice']);
    const missing = await b.post('/profile/new/security', {
      hintQuestion: '',
      hintAnswer: '',
      password: 'Secret123',
      passwordConfirm: 'Secret123',
    });
    assert.deepEqual(errorSummary(missing.body), [
      'Enter a password hint question',
      'Enter the answer to your hint question',
    ]);
  });

  test('a field sent twice is an error on that field, not a 500', async () => {
    const b = new Browser(portal.app);
    await b.get('/profile/new');
    const body = new URLSearchParams(identityFields(newPerson()));
    body.append('firstName', 'Other');
    body.set('_csrf', b.csrf);
    const res = await portal.app.inject({
      method: 'POST',
      url: '/profile/new/identity',
      payload: body.toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /Enter this only once/);
  });

  test('a form without a valid CSRF token is refused with 403', async () => {
    const b = new Browser(portal.app);
    await b.get('/profile/new');
    assert.equal((await b.post('/profile/new/identity', identityFields(newPerson()), { csrf: false })).status, 403);
    b.csrf = 'forged';
    assert.equal((await b.post('/profile/new/identity', identityFields(newPerson()))).status, 403);
    const stranger = new Browser(portal.app);
    assert.equal((await stranger.post('/login', { username: 'x', password: 'y' }, { csrf: false })).status, 403);
  });
});

describe('Create Profile, exact match: reminded of the User Name, reset after the hint', () => {
  test('the whole recovery: exact match, wrong hint, right hint, new password, old sessions ended', async () => {
    const person = newPerson({ firstName: 'Lee', lastName: 'Exact' });
    const { userName } = await createProfile(new Browser(portal.app), person, {
      hintQuestion: 'Best teacher?',
      hintAnswer: 'Mrs. O Brien',
      password: 'First123',
    });
    const elsewhere = new Browser(portal.app, '198.51.100.7');
    assert.equal((await logIn(elsewhere, userName, 'First123')).status, 303);

    const b = new Browser(portal.app);
    // Names typed differently (case, spacing) still match: the rule compares folded names.
    const res = await b.submit(
      '/account/recover',
      '/account/recover/identity',
      identityFields({ ...person, firstName: 'LEE', lastName: ' exact ' }),
    );
    assert.equal(res.location, '/account/recover/exact-match');
    const match = await b.get(res.location!);
    assert.equal(outcomeOf(match.body), 'exact-match');
    assert.equal(textOf(match.body, 'data-username'), userName);

    const hint = await b.get('/account/recover/hint');
    assert.match(hint.body, /Best teacher\?/);
    const wrong = await b.post('/account/recover/hint', { hintAnswer: 'mrs. o brien' });
    assert.equal(wrong.status, 422, 'case matters');
    const wrongSpace = await b.post('/account/recover/hint', { hintAnswer: 'Mrs. O Brien ' });
    assert.equal(wrongSpace.status, 422, 'spaces matter');
    assert.equal(
      (await b.get('/account/recover/password')).location,
      '/account/recover/exact-match',
      'no password step before the hint',
    );
    const right = await b.post('/account/recover/hint', { hintAnswer: 'Mrs. O Brien' });
    assert.equal(right.location, '/account/recover/password');

    await b.get('/account/recover/password');
    const reused = await b.post('/account/recover/password', { password: 'First123', passwordConfirm: 'First123' });
    assert.deepEqual(errorSummary(reused.body), [
      'You have used this password before. Choose a password you have not used on this account',
    ]);
    const done = await b.follow(
      await b.post('/account/recover/password', { password: 'Second456', passwordConfirm: 'Second456' }),
    );
    assert.equal(outcomeOf(done.body), 'password-changed');
    assert.equal(textOf(done.body, 'data-username'), userName);

    assert.equal((await elsewhere.get('/account')).status, 303, 'the session that knew the old password is ended');
    assert.equal((await logIn(new Browser(portal.app), userName, 'First123')).status, 422);
    assert.equal((await logIn(new Browser(portal.app), userName, 'Second456')).status, 303);
  });

  test('wrong hint answers are throttled and then locked (429, data-outcome="locked")', async () => {
    const person = newPerson();
    await createProfile(new Browser(portal.app), person, {
      hintQuestion: 'Q?',
      hintAnswer: 'right',
      password: 'Secret123',
    });
    const b = new Browser(portal.app);
    await b.submit('/account/recover', '/account/recover/identity', identityFields(person));
    await b.get('/account/recover/hint');
    for (let i = 0; i < 4; i++)
      assert.equal((await b.post('/account/recover/hint', { hintAnswer: `wrong${i}` })).status, 422);
    const lockedAt = Date.now();
    const locked = await b.post('/account/recover/hint', { hintAnswer: 'wrong5' });
    assert.equal(locked.status, 429);
    assert.equal(outcomeOf(locked.body), 'locked');
    // It is the password reset that waits, not signing in (the old password still works).
    assert.match(locked.body, /Resetting your password with your hint question is paused for 15 minutes/);
    assert.doesNotMatch(locked.body, /signing in/i);
    const profile = await portal.db
      .selectFrom('profile')
      .select('id')
      .where('last_name', '=', person.lastName)
      .executeTakeFirstOrThrow();
    const lock = await portal.db
      .selectFrom('login_throttle')
      .select('locked_until')
      .where('key', '=', `hint:${profile.id}`)
      .executeTakeFirstOrThrow();
    const until = lock.locked_until!.getTime();
    assert.ok(
      until >= lockedAt + 15 * 60_000 - 1000 && until <= Date.now() + 15 * 60_000 + 1000,
      'locked for LOCKOUT_MINUTES (15 by default)',
    );
    const evenRight = await b.post('/account/recover/hint', { hintAnswer: 'right' });
    assert.equal(evenRight.status, 429, 'a locked hint refuses even the right answer');
    // A new flow for the same person does not reset the count.
    const again = new Browser(portal.app, '192.0.2.99');
    await again.submit('/account/recover', '/account/recover/identity', identityFields(person));
    await again.get('/account/recover/hint');
    assert.equal((await again.post('/account/recover/hint', { hintAnswer: 'right' })).status, 429);
    const events = await portal.db
      .selectFrom('audit_event')
      .select('type')
      .where('type', 'in', ['hint.failed', 'hint.locked'])
      .where('subject_id', '=', profile.id)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      events.map((e) => e.type),
      ['hint.failed', 'hint.failed', 'hint.failed', 'hint.failed', 'hint.locked'],
    );
  });
});

describe('Create Profile, pre-created profile: completed with hint and password', () => {
  test('the person supplies security details and then sees the User Name', async () => {
    const person = newPerson({ firstName: 'Pat', lastName: 'Precreated' });
    const rules = { ssnKey: portal.ssnKey, policy: POLICIES.agency, historySize: 10 };
    const created = await portal.db.transaction().execute((tx) =>
      createProfileRecord(
        tx,
        identityOnly({
          firstName: 'Pat',
          lastName: 'Precreated',
          dateOfBirth: '1985-02-14',
          ssn: ssnFields(rules, person.ssn.replace(/-/g, '')),
        }),
        null,
      ),
    );
    assert.equal(
      (await logIn(new Browser(portal.app), created.userName, 'anything1')).status,
      422,
      'no credentials yet',
    );

    const b = new Browser(portal.app);
    const res = await b.submit('/profile/new', '/profile/new/identity', identityFields(person));
    assert.equal(res.location, '/profile/new/security');
    assert.equal(
      (await b.get('/profile/new/contact')).location,
      '/profile/new/security',
      'no contact page for a pre-created profile',
    );
    await b.submit('/profile/new/security', '/profile/new/security', {
      hintQuestion: 'Q?',
      hintAnswer: 'A',
      password: 'Secret123',
      passwordConfirm: 'Secret123',
    });
    const review = await b.get('/profile/new/review');
    assert.match(review.body, /Complete my profile/);
    const done = await b.follow(await b.post('/profile/new/review', {}));
    assert.equal(outcomeOf(done.body), 'completed');
    assert.equal(textOf(done.body, 'data-username'), created.userName);
    assert.equal(textOf(done.body, 'data-mepid'), created.mepid);
    assert.equal((await logIn(new Browser(portal.app), created.userName, 'Secret123')).status, 303);
  });
});

describe('Create Profile, partial match: stops, records the conflict, reveals nothing', () => {
  test('same SSN with another name', async () => {
    const person = newPerson({ firstName: 'Robin', lastName: 'Partial' });
    const { userName, mepid } = await createProfile(new Browser(portal.app), person);
    const b = new Browser(portal.app);
    const res = await b.submit(
      '/profile/new',
      '/profile/new/identity',
      identityFields({ ...person, firstName: 'Robyn' }),
    );
    assert.equal(res.location, '/profile/new/partial-match');
    const page = await b.get(res.location!);
    assert.equal(outcomeOf(page.body), 'partial-match');
    assert.match(page.body, /Directory Administrator/);
    assert.match(page.body, /1-781-338-6600/);
    assert.ok(!page.body.includes(userName) && !page.body.includes(mepid) && !page.body.includes('Robin'));
    assert.equal(
      (await b.get('/profile/new/contact')).location,
      '/profile/new/partial-match',
      'cannot continue past a partial match',
    );
    const conflict = await portal.db
      .selectFrom('match_conflict')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.deepEqual(conflict.conflicting_fields, ['firstName']);
    assert.ok(
      !JSON.stringify(conflict.submitted).includes(person.ssn.replace(/-/g, '')),
      'the conflict keeps only the last four',
    );
  });

  test('probing SSNs from one address is paused after as many partial matches as failed logins allow', async () => {
    const person = newPerson({ firstName: 'Pat', lastName: 'Probed' });
    await createProfile(new Browser(portal.app), person);
    const prober = new Browser(portal.app, '198.51.100.66');
    for (let i = 0; i < portal.config.lockout.ipThreshold; i++) {
      const res = await prober.submit(
        '/profile/new',
        '/profile/new/identity',
        identityFields({ ...person, firstName: `Guess${'abcdefghij'[i % 10]}` }),
      );
      assert.equal(res.location, '/profile/new/partial-match', `attempt ${i + 1}`);
    }
    const paused = await prober.submit('/profile/new', '/profile/new/identity', identityFields(newPerson()));
    assert.equal(paused.status, 429, 'any details, even new ones, wait');
    assert.equal(outcomeOf(paused.body), 'locked');
    assert.match(paused.body, /paused/);
    const elsewhere = await new Browser(portal.app, '198.51.100.67').submit(
      '/profile/new',
      '/profile/new/identity',
      identityFields(newPerson()),
    );
    assert.equal(elsewhere.location, '/profile/new/contact', 'other addresses are not affected');
  });

  test('same name and date of birth with another SSN', async () => {
    const person = newPerson({ firstName: 'Alex', lastName: 'Samebirth' });
    await createProfile(new Browser(portal.app), person);
    const b = new Browser(portal.app);
    const res = await b.submit(
      '/profile/new',
      '/profile/new/identity',
      identityFields({ ...person, ssn: '219-09-9999' }),
    );
    assert.equal(res.location, '/profile/new/partial-match');
  });

  test('a profile created by someone else while this person typed is caught at the final submit', async () => {
    const person = newPerson();
    const slow = new Browser(portal.app);
    await slow.submit('/profile/new', '/profile/new/identity', identityFields(person));
    await slow.submit('/profile/new/contact', '/profile/new/contact', contactFields);
    await slow.submit('/profile/new/background', '/profile/new/background', {
      previousLastName: '',
      priorLicenseNumber: '',
    });
    await slow.submit('/profile/new/security', '/profile/new/security', {
      hintQuestion: 'Q?',
      hintAnswer: 'A',
      password: 'Secret123',
      passwordConfirm: 'Secret123',
    });
    await createProfile(new Browser(portal.app), person);
    await slow.get('/profile/new/review');
    const before = await countProfiles();
    const res = await slow.post('/profile/new/review', {});
    assert.equal(res.location, '/profile/new/exact-match');
    assert.equal(await countProfiles(), before);
  });
});

describe('Retrieve User Name / Reset Password with no match', () => {
  test('continues as creating a new profile, and says so', async () => {
    const b = new Browser(portal.app);
    const res = await b.submit('/account/recover', '/account/recover/identity', identityFields(newPerson()));
    assert.equal(res.location, '/profile/new/contact');
    const page = await b.get(res.location!);
    assert.match(page.body, /We did not find a profile with those details/);
  });
});

describe('nist password policy: no hint questions', () => {
  test('the security page asks only for a password; an exact match is told whom to contact', async () => {
    const strict = await startPortal({ PASSWORD_POLICY: 'nist' });
    try {
      const b = new Browser(strict.app);
      const person = newPerson();
      await b.submit('/profile/new', '/profile/new/identity', identityFields(person));
      await b.submit('/profile/new/contact', '/profile/new/contact', contactFields);
      await b.submit('/profile/new/background', '/profile/new/background', {
        previousLastName: '',
        priorLicenseNumber: '',
      });
      const security = await b.get('/profile/new/security');
      assert.ok(!security.body.includes('name="hintQuestion"'));
      const common = await b.post('/profile/new/security', { password: 'password123', passwordConfirm: 'password123' });
      assert.deepEqual(errorSummary(common.body), ['This password is too common. Choose one that is harder to guess']);
      await b.post('/profile/new/security', {
        password: 'violet tractor mango',
        passwordConfirm: 'violet tractor mango',
      });
      await b.get('/profile/new/review');
      const done = await b.follow(await b.post('/profile/new/review', {}));
      assert.equal(outcomeOf(done.body), 'created');

      const again = new Browser(strict.app);
      const match = await again.follow(
        await again.submit('/account/recover', '/account/recover/identity', identityFields(person)),
      );
      assert.equal(outcomeOf(match.body), 'exact-match');
      assert.match(
        match.body,
        /contact your organization&#39;s Directory Administrator|contact your organization's Directory Administrator/,
      );
      assert.equal((await again.get('/account/recover/hint')).location, '/account/recover/exact-match');
    } finally {
      await strict.close();
    }
  });
});
