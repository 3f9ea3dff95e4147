import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  Browser,
  contactFields,
  createProfile,
  identityFields,
  logIn,
  outcomeOf,
  startPortal,
  textOf,
  type Person,
  type TestPortal,
} from '../helpers/portal.ts';

/**
 * How a person moves through the Create Profile and Retrieve User Name / Reset Password
 * pages: changing answers, reloading or bookmarking a step, coming back after the answers
 * expired, and what the final pages show a second time.
 */

let portal: TestPortal;
before(async () => {
  portal = await startPortal();
});
after(() => portal.close());

let n = 0;
function newPerson(over: Partial<Person> = {}): Person {
  n += 1;
  const letter = 'abcdefghijklmnopqrstuvwxyz'[n % 26];
  return {
    firstName: 'Noor',
    lastName: `Stepper${letter}`,
    dob: ['8', '21', '1983'],
    ssn: `${300 + n}-61-${String(2000 + n)}`,
    ...over,
  };
}

const h1 = (html: string) =>
  /<h1[^>]*>(.*?)<\/h1>/s
    .exec(html)?.[1]
    ?.replace(/<[^>]+>/g, '')
    .trim();
const stepIndicator = (html: string) => {
  const labels = [...html.matchAll(/usa-step-indicator__segment-label">([^<]+)</g)].map((m) => m[1]!.trim());
  const current = /usa-step-indicator__current-step">(\d+)</.exec(html)?.[1];
  return { labels, current: current === undefined ? undefined : Number(current) };
};
const RECOVERY_STEPS = ['Your details', 'Your User Name', 'Hint question', 'New password'];

/** Every page up to Check your answers. */
async function atReview(person: Person): Promise<Browser> {
  const b = new Browser(portal.app);
  await b.submit('/profile/new', '/profile/new/identity', identityFields(person));
  await b.submit('/profile/new/contact', '/profile/new/contact', contactFields);
  await b.submit('/profile/new/background', '/profile/new/background', {
    previousLastName: 'Formerly',
    priorLicenseNumber: '',
  });
  await b.submit('/profile/new/security', '/profile/new/security', {
    hintQuestion: 'Favourite river?',
    hintAnswer: 'Charles',
    password: 'Secret123',
    passwordConfirm: 'Secret123',
  });
  return b;
}

describe('Change from Check your answers', () => {
  test('changing the identity keeps the other three pages and returns to Check your answers', async () => {
    const person = newPerson();
    const b = await atReview(person);
    assert.equal((await b.get('/profile/new/review')).status, 200);
    const identityPage = await b.get('/profile/new');
    assert.match(identityPage.body, /name="lastName" type="text" value="Stepper/);
    assert.match(
      identityPage.body,
      /Enter it again: we keep only a protected fingerprint of it/,
      'the SSN was never kept, so it is asked again',
    );
    const changed = await b.post('/profile/new/identity', identityFields({ ...person, middleName: 'Amal' }));
    assert.equal(changed.location, '/profile/new/review');
    const review = await b.get('/profile/new/review');
    assert.equal(review.status, 200);
    for (const kept of [
      'Noor Amal Stepper',
      contactFields.email,
      '75 Pleasant Street',
      'Formerly',
      'Favourite river?',
    ]) {
      assert.ok(review.body.includes(kept), `the review still shows ${kept}`);
    }
    const done = await b.follow(await b.post('/profile/new/review', {}));
    assert.equal(outcomeOf(done.body), 'created');
    const row = await portal.db
      .selectFrom('profile')
      .selectAll()
      .where('user_name', '=', textOf(done.body, 'data-username')!)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [row.middle_name, row.email, row.previous_last_name, row.hint_question],
      ['Amal', contactFields.email, 'Formerly', 'Favourite river?'],
    );
    assert.equal(
      (await logIn(new Browser(portal.app), row.user_name, 'Secret123')).status,
      303,
      'the password chosen before the change is kept',
    );
  });

  test('changing the contact details returns to Check your answers with the rest intact', async () => {
    const b = await atReview(newPerson());
    const changed = await b.submit('/profile/new/contact', '/profile/new/contact', {
      ...contactFields,
      city: 'Medford',
    });
    assert.equal(changed.location, '/profile/new/review');
    const review = await b.get('/profile/new/review');
    for (const kept of ['Medford, MA 02148', 'Formerly', 'Favourite river?'])
      assert.ok(review.body.includes(kept), `the review shows ${kept}`);
  });

  test('the phone number is shown as people write it', async () => {
    const review = await (await atReview(newPerson())).get('/profile/new/review');
    assert.match(review.body, /<dt>Phone number<\/dt><dd>781-338-6600 <a href="\/profile\/new\/contact">/);
  });

  test('an identity that now matches someone else does not carry the answers over', async () => {
    const existing = newPerson();
    await createProfile(new Browser(portal.app), existing);
    const b = await atReview(newPerson());
    const res = await b.submit('/profile/new', '/profile/new/identity', identityFields(existing));
    assert.equal(res.location, '/profile/new/exact-match');
    const flows = await portal.db.selectFrom('flow_state').select('data').execute();
    const mine = flows
      .map((f) => f.data as { contact?: unknown; match?: { kind: string } })
      .filter((d) => d.match?.kind === 'exact');
    assert.equal(mine.filter((d) => d.contact !== undefined).length, 0);
  });
});

describe('every step URL answers a plain GET', () => {
  const createSteps = [
    '/profile/new',
    '/profile/new/identity',
    '/profile/new/contact',
    '/profile/new/background',
    '/profile/new/security',
    '/profile/new/review',
    '/profile/new/done',
    '/profile/new/partial-match',
    '/profile/new/exact-match',
  ];
  const recoverSteps = [
    '/account/recover',
    '/account/recover/identity',
    '/account/recover/exact-match',
    '/account/recover/partial-match',
    '/account/recover/hint',
    '/account/recover/password',
    '/account/recover/done',
  ];

  test('without answers: the identity page itself, or a redirect to the start of that flow', async () => {
    for (const path of [...createSteps, ...recoverSteps]) {
      const res = await new Browser(portal.app).get(path);
      const start = path.startsWith('/account/recover') ? '/account/recover' : '/profile/new';
      if (res.status === 303) assert.equal(res.location, start, path);
      else {
        assert.equal(res.status, 200, path);
        assert.equal(h1(res.body), 'Tell us who you are', path);
        assert.match(res.body, new RegExp(`action="${start}/identity"`), path);
      }
    }
    assert.equal((await new Browser(portal.app).get('/profile/new/identity')).status, 200);
    assert.equal((await new Browser(portal.app).get('/account/recover/identity')).status, 200);
  });

  test('reloading the identity URL after an error shows the form again with the answers', async () => {
    const b = new Browser(portal.app);
    await b.submit('/profile/new', '/profile/new/identity', identityFields(newPerson()));
    const again = await b.get('/profile/new/identity');
    assert.equal(again.status, 200);
    assert.match(again.body, /name="lastName" type="text" value="Stepper/);
  });

  test('halfway through: every step URL is a page or a redirect to a page', async () => {
    const b = new Browser(portal.app);
    await b.submit('/profile/new', '/profile/new/identity', identityFields(newPerson()));
    for (const path of [...createSteps, ...recoverSteps]) {
      const res = await b.get(path);
      const page = await b.follow(res);
      assert.equal(page.status, 200, `${path} → ${res.location}`);
    }
  });
});

describe('Retrieve User Name / Reset Password has its own words and steps', () => {
  test('identity, User Name, hint and new password pages carry the recovery step indicator', async () => {
    const person = newPerson();
    const { userName } = await createProfile(new Browser(portal.app), person, {
      hintQuestion: 'Town of birth?',
      hintAnswer: 'Lowell',
      password: 'First123',
    });
    const b = new Browser(portal.app);
    const start = await b.get('/account/recover');
    assert.deepEqual(stepIndicator(start.body), { labels: RECOVERY_STEPS, current: 1 });
    const res = await b.post('/account/recover/identity', identityFields(person));
    assert.equal(res.location, '/account/recover/exact-match');
    const match = await b.get(res.location!);
    assert.equal(outcomeOf(match.body), 'exact-match');
    assert.equal(textOf(match.body, 'data-username'), userName);
    assert.deepEqual(stepIndicator(match.body), { labels: RECOVERY_STEPS, current: 2 });
    const hint = await b.get('/account/recover/hint');
    assert.deepEqual(stepIndicator(hint.body), { labels: RECOVERY_STEPS, current: 3 });
    assert.equal(
      (await b.post('/account/recover/hint', { hintAnswer: 'Lowell' })).location,
      '/account/recover/password',
    );
    const password = await b.get('/account/recover/password');
    assert.deepEqual(stepIndicator(password.body), { labels: RECOVERY_STEPS, current: 4 });
  });

  test('no profile found from Forgot: the pages that follow say a profile is being created', async () => {
    const b = new Browser(portal.app);
    const res = await b.submit('/account/recover', '/account/recover/identity', identityFields(newPerson()));
    assert.equal(res.location, '/profile/new/contact');
    const contact = await b.get(res.location!);
    assert.match(contact.body, /<span class="portal-caption">Create a profile<\/span>/);
    assert.deepEqual(stepIndicator(contact.body), {
      labels: ['Identity', 'Contact details', 'Background', 'Security'],
      current: 2,
    });
  });

  test('a partial match reached from Forgot speaks of retrieving the User Name, not of setting up a profile', async () => {
    const person = newPerson();
    await createProfile(new Browser(portal.app), person);
    const b = new Browser(portal.app);
    const res = await b.submit(
      '/account/recover',
      '/account/recover/identity',
      identityFields({ ...person, ssn: '219-09-9998' }),
    );
    assert.equal(res.location, '/account/recover/partial-match');
    const page = await b.get(res.location!);
    assert.equal(outcomeOf(page.body), 'partial-match');
    assert.equal(h1(page.body), 'We could not retrieve your User Name');
    assert.doesNotMatch(page.body, /setting up your profile/);
    assert.match(page.body, /Find your Directory Administrator/);
  });

  test('an expired recovery says it expired and offers to start recovery again', async () => {
    const person = newPerson();
    await createProfile(new Browser(portal.app), person);
    const b = new Browser(portal.app);
    await b.submit('/account/recover', '/account/recover/identity', identityFields(person));
    await b.get('/account/recover/hint');
    await portal.db
      .updateTable('flow_state')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();

    const page = await b.get('/account/recover/hint');
    assert.equal(page.status, 200);
    assert.equal(h1(page.body), 'Your answers have expired');
    assert.match(page.body, /Retrieve User Name \/ Reset Password/);
    assert.match(page.body, /<a class="usa-button" href="\/account\/recover">Start again<\/a>/);
    assert.doesNotMatch(page.body, /Create a profile<\/h1>|Tell us who you are/);

    const posted = await b.post('/account/recover/hint', { hintAnswer: 'Rex the Dog' });
    assert.equal(posted.status, 409);
    assert.equal(h1(posted.body), 'Your answers have expired');
    assert.match(posted.body, /href="\/account\/recover">Start again/);
  });

  test('an expired Create Profile offers to start creating again', async () => {
    const b = new Browser(portal.app);
    await b.submit('/profile/new', '/profile/new/identity', identityFields(newPerson()));
    await portal.db
      .updateTable('flow_state')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    const page = await b.get('/profile/new/contact');
    assert.equal(h1(page.body), 'Your answers have expired');
    assert.match(page.body, /href="\/profile\/new">Start again/);
  });
});

describe('User Name and MEPID are shown once', () => {
  test('a reload of the created page does not show them again', async () => {
    const b = new Browser(portal.app);
    const { userName, mepid, page } = await createProfile(b, newPerson());
    assert.equal(textOf(page.body, 'data-username'), userName);
    const again = await b.get('/profile/new/done');
    assert.equal(again.status, 200);
    assert.equal(outcomeOf(again.body), 'created');
    assert.equal(textOf(again.body, 'data-username'), undefined);
    assert.ok(!again.body.includes(userName) && !again.body.includes(mepid), 'neither the User Name nor the MEPID');
    assert.match(again.body, /shown only once/);
  });

  test('the User Name reminder and the password-changed page are shown once too', async () => {
    const person = newPerson();
    const { userName } = await createProfile(new Browser(portal.app), person, {
      hintQuestion: 'Q?',
      hintAnswer: 'Answer',
      password: 'First123',
    });
    const b = new Browser(portal.app);
    const match = await b.follow(
      await b.submit('/account/recover', '/account/recover/identity', identityFields(person)),
    );
    assert.equal(textOf(match.body, 'data-username'), userName);
    const matchAgain = await b.get('/account/recover/exact-match');
    assert.equal(outcomeOf(matchAgain.body), 'exact-match');
    assert.ok(!matchAgain.body.includes(userName));
    assert.match(matchAgain.body, /href="\/account\/recover\/hint"/, 'the reset is still offered');
    await b.submit('/account/recover/hint', '/account/recover/hint', { hintAnswer: 'Answer' });
    const done = await b.follow(
      await b.submit('/account/recover/password', '/account/recover/password', {
        password: 'Second456',
        passwordConfirm: 'Second456',
      }),
    );
    assert.equal(textOf(done.body, 'data-username'), userName);
    const doneAgain = await b.get('/account/recover/done');
    assert.equal(outcomeOf(doneAgain.body), 'password-changed');
    assert.ok(!doneAgain.body.includes(userName));
  });

  test('two reloads at once: only one of them shows the User Name', async () => {
    const b = await atReview(newPerson());
    await b.post('/profile/new/review', {});
    const pages = await Promise.all([
      b.get('/profile/new/done'),
      b.get('/profile/new/done'),
      b.get('/profile/new/done'),
    ]);
    assert.equal(pages.filter((p) => textOf(p.body, 'data-username') !== undefined).length, 1);
  });

  test('logging out clears the wizard of this browser', async () => {
    const b = new Browser(portal.app);
    const { userName } = await createProfile(b, newPerson());
    const flowCookie = [...b.cookies.keys()].find((k) => k.endsWith('portal_flow'));
    assert.ok(flowCookie, 'the wizard has a cookie');
    const flowsBefore = await portal.db.selectFrom('flow_state').select('id_hash').execute();
    await logIn(b, userName, 'Secret123');
    await b.get('/account');
    const out = await b.post('/logout', {});
    assert.equal(out.location, '/?signedOut=1');
    assert.equal(b.cookies.has(flowCookie), false, 'the cookie is cleared');
    const flowsAfter = await portal.db.selectFrom('flow_state').select('id_hash').execute();
    assert.equal(flowsAfter.length, flowsBefore.length - 1, 'the answers are deleted');
    assert.equal((await b.get('/profile/new/done')).location, '/profile/new');
  });

  test('signing out everywhere clears the wizard of this browser too', async () => {
    const b = new Browser(portal.app);
    const { userName } = await createProfile(b, newPerson());
    const flowCookie = [...b.cookies.keys()].find((k) => k.endsWith('portal_flow'))!;
    await logIn(b, userName, 'Secret123');
    await b.get('/account');
    const out = await b.post('/account/sessions/end', {});
    assert.equal(out.location, '/?signedOut=1');
    assert.equal(b.cookies.has(flowCookie), false);
    assert.equal((await b.get('/profile/new/done')).location, '/profile/new');
  });
});
