import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createOutbox } from '../../../src/platform/mail/outbox.ts';
import {
  DEFAULT_APPLICATION_SETTINGS,
  expireDrafts,
  loadApplication,
  saveSection,
  startDraft,
  withdraw,
} from '../../../src/elar/applications/index.ts';
import type { Browser } from '../../helpers/portal.ts';
import { errorSummary, textOf } from '../../helpers/portal.ts';
import { profilesFor, signInToElar, startElar, type TestElar } from '../../helpers/elar.ts';
import { BIOLOGY, CHEMISTRY, COMPLETE_ANSWERS } from './helpers.ts';

/**
 * The task list's question pages, check your answers, the affidavit and submit, through
 * ELAR's real sign-in (OpenID Connect against the portal), as a person without JavaScript
 * uses them: every button is a form post.
 */
let elar: TestElar;
let people: Record<'owner' | 'stranger', { userName: string; sub: string }>;
const deps = () => ({ db: elar.db, settings: DEFAULT_APPLICATION_SETTINGS });
const person = (sub: string) => ({ sub, mepid: null, email: null });

before(async () => {
  elar = await startElar();
  people = await profilesFor(elar, ['owner', 'stranger'], 31);
});
after(() => elar.close());

let licenseNumber = 0;
/** Catalog licenses issued as Initial, one per draft (BIO and CHEM are the check-your-answers test's). */
const LICENSES =
  'PHYS-8-12 ESS-5-8 ESS-8-12 GSCI-1-6 GSCI-5-8 ENG-5-12 ELEM-1-6 ECE-PREK-2 MATH-1-6 MATH-5-8 MATH-8-12 MOD-PREK-8 MOD-5-12 SEV-ALL MUS-ALL ESL-PREK-6 ESL-5-12 HIST-1-6 HIST-5-12 POL-5-12'
    .split(' ')
    .map((code) => `TCH-${code}`);
/** A draft of the owner's for a license no other test here uses (one open application per license). */
async function draftFor(sub = people.owner.sub, licenses = [{ ...BIOLOGY, catalogCode: LICENSES[licenseNumber++]! }]) {
  const started = await startDraft(deps(), person(sub), licenses);
  assert.ok(started.ok);
  return started;
}

let ip = 0;
async function signedIn(role: 'owner' | 'stranger' = 'owner'): Promise<Browser> {
  const b = elar.browser(`10.31.7.${++ip}`);
  await signInToElar(b, people[role].userName);
  return b;
}

const sectionUrl = (id: string, section: string) => `/elar/applications/${id}/sections/${section}`;
const valueOf = (html: string, name: string) =>
  new RegExp(`name="${name.replace(/\./g, '\\.')}"[^>]*value="([^"]*)"`).exec(html)?.[1];

describe('personal details', () => {
  test('name, date of birth and MEPID come from the portal and are shown, not asked; contact details are saved and shown again', async () => {
    const draft = await draftFor();
    const b = await signedIn();
    const page = await b.get(sectionUrl(draft.id, 'personal-details'));
    assert.equal(page.status, 200);
    assert.match(page.body, /Owner Elartest/, 'the name from the claims');
    assert.match(page.body, /March 1, 1991/, 'the date of birth from the claims');
    assert.match(textOf(page.body, 'data-mepid') ?? '', /^\d{8}$/, 'the MEPID from the claims');
    assert.doesNotMatch(page.body, /name="(firstName|lastName|dob|mepid)/, 'none of them is a field');
    for (const field of ['email', 'phone', 'addressLine1', 'addressLine2', 'city', 'state', 'postalCode'])
      assert.match(page.body, new RegExp(`<label[^>]*for="${field}"`), `${field} has a visible label`);

    const saved = await b.post(sectionUrl(draft.id, 'personal-details'), {
      ...COMPLETE_ANSWERS['personal-details'],
      email: 'ella@example.org',
      action: 'continue',
    });
    assert.equal(saved.status, 303);
    assert.equal(saved.location, `/elar/applications/${draft.id}/tasks`);

    // Resumable from any device: another browser of the same person finds it saved.
    const elsewhere = await (await signedIn()).get(sectionUrl(draft.id, 'personal-details'));
    assert.equal(valueOf(elsewhere.body, 'email'), 'ella@example.org');
    assert.equal(valueOf(elsewhere.body, 'city'), 'Malden');
    assert.match(elsewhere.body, /<option value="MA" selected/);
    const view = await loadApplication(deps(), people.owner.sub, draft.id);
    assert.equal(view.taskList.find((t) => t.item === 'personal-details')?.complete, true);
  });

  test('wrong answers come back (422) with an error summary linking to each field, and what was typed', async () => {
    const draft = await draftFor();
    const b = await signedIn();
    await b.get(sectionUrl(draft.id, 'personal-details'));
    const res = await b.post(sectionUrl(draft.id, 'personal-details'), {
      email: 'not an email',
      phone: '12',
      addressLine1: '1 Main Street',
      city: '',
      state: 'ZZ',
      postalCode: '0214',
      action: 'continue',
    });
    assert.equal(res.status, 422);
    assert.match(res.body, /<title>Error: /);
    assert.deepEqual(errorSummary(res.body), [
      'Enter an email address like name@example.com',
      'Enter a phone number with its area code, like 617 555 0123',
      'Enter the town or city',
      'Choose the state from the list',
      'Enter a ZIP code of 5 digits, or 5 and 4',
    ]);
    for (const field of ['email', 'phone', 'city', 'state', 'postalCode'])
      assert.match(res.body, new RegExp(`<a href="#${field}">`), `the summary links to ${field}`);
    assert.equal(valueOf(res.body, 'email'), 'not an email', 'what was typed is kept');
    assert.equal(valueOf(res.body, 'addressLine1'), '1 Main Street');
    const view = await loadApplication(deps(), people.owner.sub, draft.id);
    assert.equal(view.sections['personal-details'], undefined, 'nothing was saved');
  });

  test('"Save as draft" keeps half a form: back to the task list, in progress, shown again; "Save and continue" asks for the rest', async () => {
    const draft = await draftFor();
    const b = await signedIn();
    await b.get(sectionUrl(draft.id, 'personal-details'));
    const half = { phone: '617 555 0123', addressLine1: '1 Main Street', city: '', state: '', postalCode: '' };
    const saved = await b.post(sectionUrl(draft.id, 'personal-details'), { ...half, action: 'draft' });
    assert.equal(saved.status, 303);
    assert.equal(saved.location, `/elar/applications/${draft.id}/tasks`);
    const tasks = await b.get(saved.location!);
    assert.match(tasks.body, /data-task="personal-details" data-task-status="In progress"/);

    const again = await b.get(sectionUrl(draft.id, 'personal-details'));
    assert.equal(valueOf(again.body, 'addressLine1'), '1 Main Street');
    assert.equal(valueOf(again.body, 'phone'), '6175550123');
    assert.equal(valueOf(again.body, 'city') ?? '', '', 'nothing made up for what was not given');

    const finished = await b.post(sectionUrl(draft.id, 'personal-details'), { ...half, action: 'continue' });
    assert.equal(finished.status, 422);
    assert.deepEqual(errorSummary(finished.body), ['Enter the town or city', 'Choose the state', 'Enter a ZIP code']);
    const view = await loadApplication(deps(), people.owner.sub, draft.id);
    assert.equal(view.sections['personal-details']?.complete, false, 'still in progress');

    const whole = await b.post(sectionUrl(draft.id, 'personal-details'), {
      ...COMPLETE_ANSWERS['personal-details'],
      action: 'draft',
    });
    assert.equal(whole.status, 303);
    const kept = await loadApplication(deps(), people.owner.sub, draft.id);
    assert.equal(kept.sections['personal-details']?.complete, false, 'a draft, however whole, is not finished');
    assert.equal((kept.sections['personal-details']?.answers as { city: string }).city, 'Malden');
  });

  test('"Save as draft" still refuses what cannot be kept: text too long, a date that is not a date', async () => {
    const draft = await draftFor();
    const b = await signedIn();
    await b.get(sectionUrl(draft.id, 'personal-details'));
    const long = await b.post(sectionUrl(draft.id, 'personal-details'), {
      addressLine1: 'x'.repeat(121),
      action: 'draft',
    });
    assert.equal(long.status, 422);
    assert.match(long.body, /<title>Error: /);
    assert.deepEqual(errorSummary(long.body), ['The first line of your address must be 120 characters or fewer']);
    assert.equal(valueOf(long.body, 'addressLine1'), 'x'.repeat(121), 'what was typed is kept on the page');

    const notADate = await b.post(sectionUrl(draft.id, 'education'), {
      'degrees.0.subject': 'Biology',
      'degrees.0.awarded': 'June 2018',
      action: 'draft',
    });
    assert.equal(notADate.status, 422);
    assert.deepEqual(errorSummary(notADate.body), [
      'Enter when the degree was awarded as a month and year, like 2019-06',
    ]);
    assert.match(notADate.body, /<a href="#degrees\.0\.awarded">/);
    const view = await loadApplication(deps(), people.owner.sub, draft.id);
    assert.equal(view.sections['personal-details'], undefined, 'nothing was saved');
    assert.equal(view.sections.education, undefined, 'nothing was saved');
  });
});

describe('education, tests, employment and other states: rows added and removed without JavaScript', () => {
  test('"Add another degree" comes back with one more empty row and saves nothing; "Remove" takes the row shown', async () => {
    const draft = await draftFor();
    const b = await signedIn();
    const first = await b.get(sectionUrl(draft.id, 'education'));
    assert.match(first.body, /name="degrees\.0\.institution"/);
    assert.doesNotMatch(first.body, /name="degrees\.1\./);
    const degree = { level: 'bachelor', subject: 'Biology', institution: 'UMass Boston', awarded: '2018-05' };
    const row = (i: number, d: Record<string, string>) =>
      Object.fromEntries(Object.entries(d).map(([k, v]) => [`degrees.${i}.${k}`, v]));

    const added = await b.post(sectionUrl(draft.id, 'education'), { ...row(0, degree), action: 'add' });
    assert.equal(added.status, 200);
    assert.equal(valueOf(added.body, 'degrees.0.institution'), 'UMass Boston');
    assert.match(added.body, /name="degrees\.1\.institution"/, 'one more row');
    assert.match(added.body, /value="remove-1"/);
    assert.equal((await loadApplication(deps(), people.owner.sub, draft.id)).sections.education, undefined);

    const master = { level: 'master', subject: 'Education', institution: 'Tufts University', awarded: '2020-05' };
    const removed = await b.post(sectionUrl(draft.id, 'education'), {
      ...row(0, degree),
      ...row(1, master),
      action: 'remove-0',
    });
    assert.equal(removed.status, 200);
    assert.equal(valueOf(removed.body, 'degrees.0.institution'), 'Tufts University', 'the first row went');
    assert.doesNotMatch(removed.body, /name="degrees\.1\./);

    const saved = await b.post(sectionUrl(draft.id, 'education'), {
      ...row(0, degree),
      ...row(1, master),
      action: 'continue',
    });
    assert.equal(saved.status, 303);
    const view = await loadApplication(deps(), people.owner.sub, draft.id);
    assert.deepEqual((view.sections.education?.answers as { degrees: unknown[] }).degrees, [degree, master]);
  });

  test('no degree at all, or a degree half filled, is told what is missing; a wholly blank row is no row', async () => {
    const draft = await draftFor();
    const b = await signedIn();
    await b.get(sectionUrl(draft.id, 'education'));
    const none = await b.post(sectionUrl(draft.id, 'education'), { 'degrees.0.subject': ' ', action: 'continue' });
    assert.equal(none.status, 422);
    assert.deepEqual(errorSummary(none.body), [
      'Add at least one degree: every license needs a bachelor’s degree or higher',
    ]);
    assert.match(none.body, /<a href="#degrees">/);
    assert.match(none.body, /id="degrees"/, 'the link has somewhere to go');

    const half = await b.post(sectionUrl(draft.id, 'education'), {
      'degrees.0.level': 'bachelor',
      'degrees.0.subject': 'Biology',
      'degrees.1.awarded': 'June 2018',
      action: 'continue',
    });
    assert.equal(half.status, 422);
    assert.deepEqual(errorSummary(half.body), [
      'Enter the college or university',
      'Enter when the degree was awarded',
      'Choose the kind of degree',
      'Enter the subject of the degree',
      'Enter the college or university',
      'Enter when the degree was awarded as a month and year, like 2019-06',
    ]);
    assert.match(half.body, /<a href="#degrees\.0\.institution">/);
    assert.equal(valueOf(half.body, 'degrees.1.awarded'), 'June 2018');
  });

  test('"Save as draft" keeps a degree half filled; "Save and continue" says what the degree still needs', async () => {
    const draft = await draftFor();
    const b = await signedIn();
    await b.get(sectionUrl(draft.id, 'education'));
    const half = { 'degrees.0.level': 'bachelor', 'degrees.0.subject': 'Biology' };
    const saved = await b.post(sectionUrl(draft.id, 'education'), { ...half, action: 'draft' });
    assert.equal(saved.status, 303);
    assert.equal(saved.location, `/elar/applications/${draft.id}/tasks`);
    assert.match((await b.get(saved.location!)).body, /data-task="education" data-task-status="In progress"/);

    const again = await b.get(sectionUrl(draft.id, 'education'));
    assert.match(again.body, /<option value="bachelor" selected/);
    assert.equal(valueOf(again.body, 'degrees.0.subject'), 'Biology');
    assert.equal(valueOf(again.body, 'degrees.0.institution') ?? '', '');
    const check = await b.get(`/elar/applications/${draft.id}/check-answers`);
    assert.match(check.body, /<dd>Bachelor’s degree in Biology<\/dd>/, 'check your answers shows what is there');

    const finished = await b.post(sectionUrl(draft.id, 'education'), { ...half, action: 'continue' });
    assert.equal(finished.status, 422);
    assert.deepEqual(errorSummary(finished.body), [
      'Enter the college or university',
      'Enter when the degree was awarded',
    ]);
    const view = await loadApplication(deps(), people.owner.sub, draft.id);
    assert.deepEqual(view.sections.education, {
      answers: { degrees: [{ level: 'bachelor', subject: 'Biology' }] },
      complete: false,
    });
  });

  test('tests, employment and other states may be left empty; a test needs a real past date and a yes or no', async () => {
    const draft = await draftFor();
    const b = await signedIn();
    for (const section of ['tests', 'employment', 'other-states']) {
      const page = await b.get(sectionUrl(draft.id, section));
      assert.equal(page.status, 200, section);
      const empty = await b.post(sectionUrl(draft.id, section), { action: 'continue' });
      assert.equal(empty.status, 303, `${section} saved empty`);
    }
    const future = await b.post(sectionUrl(draft.id, 'tests'), {
      'tests.0.name': 'Biology (13)',
      'tests.0.date': '2999-01-01',
      action: 'continue',
    });
    assert.equal(future.status, 422);
    assert.deepEqual(errorSummary(future.body), [
      'The date of the test must be a real date, today or in the past',
      'Answer yes or no',
    ]);
    assert.match(future.body, /<a href="#tests\.0\.passed">/);
    assert.match(future.body, /id="tests\.0\.passed"[^>]*type="radio"|type="radio"[^>]*id="tests\.0\.passed"/);

    const position = await b.post(sectionUrl(draft.id, 'employment'), {
      'positions.0.employer': 'Malden Public Schools',
      'positions.0.role': 'Biology teacher',
      'positions.0.from': '2019-09',
      'positions.0.to': '',
      action: 'continue',
    });
    assert.equal(position.status, 303, 'a position held now has no end');
    const view = await loadApplication(deps(), people.owner.sub, draft.id);
    assert.deepEqual(view.sections.employment?.answers, {
      positions: [{ employer: 'Malden Public Schools', role: 'Biology teacher', from: '2019-09' }],
    });
  });
});

describe('character questions', () => {
  test('each is yes or no; the explanation is always on the page and needed only for a yes', async () => {
    const draft = await draftFor();
    const b = await signedIn();
    const page = await b.get(sectionUrl(draft.id, 'character'));
    for (const q of ['convicted', 'disciplined', 'pendingInvestigation']) {
      assert.match(page.body, new RegExp(`name="${q}\\.answer"[^>]*value="yes"`));
      assert.match(page.body, new RegExp(`<label[^>]*for="${q}\\.explanation"`), 'no JavaScript needed to reveal it');
    }
    const yesNoReason = await b.post(sectionUrl(draft.id, 'character'), {
      'convicted.answer': 'yes',
      'convicted.explanation': '',
      'disciplined.answer': 'no',
      action: 'continue',
    });
    assert.equal(yesNoReason.status, 422);
    assert.deepEqual(errorSummary(yesNoReason.body), [
      'You answered yes: explain what happened, when and where',
      'Answer yes or no',
    ]);
    assert.match(yesNoReason.body, /<a href="#convicted\.explanation">/);
    assert.match(yesNoReason.body, /<a href="#pendingInvestigation\.answer">/);
    assert.match(yesNoReason.body, /name="convicted\.answer"[^>]*value="yes"[^>]*checked/, 'the yes is kept');

    const saved = await b.post(sectionUrl(draft.id, 'character'), {
      'convicted.answer': 'yes',
      'convicted.explanation': 'A speeding ticket in 2009, in Maine; paid.',
      'disciplined.answer': 'no',
      'disciplined.explanation': 'typed, then answered no',
      'pendingInvestigation.answer': 'no',
      action: 'continue',
    });
    assert.equal(saved.status, 303);
    const view = await loadApplication(deps(), people.owner.sub, draft.id);
    assert.deepEqual(view.sections.character?.answers, {
      convicted: { answer: 'yes', explanation: 'A speeding ticket in 2009, in Maine; paid.' },
      disciplined: { answer: 'no', explanation: null },
      pendingInvestigation: { answer: 'no', explanation: null },
    });
  });
});

describe('character questions saved as a draft', () => {
  test('a "yes" without an explanation is kept as a draft, refused on continue, and the application cannot be sent', async () => {
    const draft = await draftFor();
    await answerAllButAffidavit(draft.id);
    const b = await signedIn();
    await b.get(sectionUrl(draft.id, 'character'));
    const unexplained = {
      'convicted.answer': 'yes',
      'convicted.explanation': '',
      'disciplined.answer': 'no',
      'pendingInvestigation.answer': 'no',
    };
    const saved = await b.post(sectionUrl(draft.id, 'character'), { ...unexplained, action: 'draft' });
    assert.equal(saved.status, 303);
    assert.equal(saved.location, `/elar/applications/${draft.id}/tasks`);
    const tasks = await b.get(saved.location!);
    assert.match(tasks.body, /data-task="character" data-task-status="In progress"/);
    assert.match(tasks.body, /data-task="check-answers" data-task-status="Cannot start yet"/);

    const again = await b.get(sectionUrl(draft.id, 'character'));
    assert.match(again.body, /name="convicted\.answer"[^>]*value="yes"[^>]*checked/, 'the yes was kept');
    const check = await b.get(`/elar/applications/${draft.id}/check-answers`);
    assert.match(check.body, /<dd>Yes, not explained yet<\/dd>/);

    const refused = await b.post(sectionUrl(draft.id, 'character'), { ...unexplained, action: 'continue' });
    assert.equal(refused.status, 422);
    assert.deepEqual(errorSummary(refused.body), ['You answered yes: explain what happened, when and where']);

    await saveSection(deps(), person(people.owner.sub), draft.id, 'affidavit', COMPLETE_ANSWERS.affidavit);
    const version = /name="version" value="(\d+)"/.exec(check.body)?.[1] ?? '1';
    const sent = await b.post(`/elar/applications/${draft.id}/submit`, { version });
    assert.equal(sent.status, 422);
    assert.deepEqual(errorSummary(sent.body), ['Answer the character questions']);
    assert.equal((await loadApplication(deps(), people.owner.sub, draft.id)).state, 'draft');
  });
});

/** Every section but the affidavit answered, as the service would have them. */
async function answerAllButAffidavit(id: string, sub = people.owner.sub) {
  for (const [section, answers] of Object.entries(COMPLETE_ANSWERS)) {
    if (section === 'affidavit') continue;
    const saved = await saveSection(deps(), person(sub), id, section as keyof typeof COMPLETE_ANSWERS, answers);
    assert.ok(saved.ok, section);
  }
}

describe('check your answers, the affidavit and submit', () => {
  test('every section with a Change link, the licenses by name and the fee quoted now; submitting with something missing says what', async () => {
    const draft = await draftFor(people.owner.sub, [
      { ...BIOLOGY, catalogCode: 'TCH-BIO-8-12' },
      { ...CHEMISTRY, catalogCode: 'TCH-CHEM-8-12' },
    ]);
    const b = await signedIn();
    const page = await b.get(`/elar/applications/${draft.id}/check-answers`);
    assert.equal(page.status, 200);
    assert.match(page.body, /Biology \(8-12\), Initial license/);
    assert.match(page.body, /Chemistry \(8-12\), Initial license/);
    assert.doesNotMatch(page.body, /TCH-BIO-8-12/, 'no catalog code is shown');
    assert.match(page.body, /Fee if you submit today: <strong>\$125\.00<\/strong>/);
    for (const section of ['personal-details', 'education', 'tests', 'employment', 'other-states', 'character'])
      assert.match(page.body, new RegExp(`href="/elar/applications/${draft.id}/sections/${section}"`), section);
    assert.doesNotMatch(page.body, /action="[^"]*\/submit"/, 'no submit before the affidavit is signed');

    const early = await b.post(`/elar/applications/${draft.id}/submit`, { version: '1' });
    assert.equal(early.status, 422);
    assert.deepEqual(errorSummary(early.body), [
      'Complete your personal details',
      'Complete your education',
      'Complete the tests you have taken',
      'Complete your employment',
      'Complete your licenses from other states',
      'Answer the character questions',
      'Sign the affidavit',
    ]);
    assert.match(early.body, /<a href="#answers-education">/);
    assert.match((await loadApplication(deps(), people.owner.sub, draft.id)).state, /^draft$/);
  });

  test('the email we will write to: the one given, else the profile’s, said so, else none', async () => {
    const emailOnPage = async (id: string) => {
      const page = await (await signedIn()).get(`/elar/applications/${id}/check-answers`);
      return /<dt>Email address<\/dt><dd>([^<]*)<\/dd>/.exec(page.body)?.[1];
    };
    const withProfileEmail = { ...person(people.owner.sub), email: 'owner@example.org' };
    const fromProfile = await draftFor();
    await saveSection(
      deps(),
      withProfileEmail,
      fromProfile.id,
      'personal-details',
      COMPLETE_ANSWERS['personal-details'],
    );
    assert.equal(await emailOnPage(fromProfile.id), 'owner@example.org (from your profile)');

    const given = await draftFor();
    await saveSection(deps(), withProfileEmail, given.id, 'personal-details', {
      ...COMPLETE_ANSWERS['personal-details'],
      email: 'ella@example.org',
    });
    assert.equal(await emailOnPage(given.id), 'ella@example.org');

    const none = await draftFor();
    await saveSection(
      deps(),
      person(people.owner.sub),
      none.id,
      'personal-details',
      COMPLETE_ANSWERS['personal-details'],
    );
    assert.equal(await emailOnPage(none.id), 'None given');
  });

  test('the affidavit needs the box ticked and a typed name; then submit sends it: awaiting payment, with the Pay button', async () => {
    const draft = await draftFor();
    await answerAllButAffidavit(draft.id);
    const b = await signedIn();
    await b.get(sectionUrl(draft.id, 'affidavit'));
    const unsigned = await b.post(sectionUrl(draft.id, 'affidavit'), { signature: '', action: 'continue' });
    assert.equal(unsigned.status, 422);
    assert.deepEqual(errorSummary(unsigned.body), [
      'Confirm that what you have told us is true and complete',
      'Enter your full name as your signature',
    ]);
    assert.match(unsigned.body, /<a href="#agree">/);

    const signed = await b.post(sectionUrl(draft.id, 'affidavit'), {
      agree: 'yes',
      signature: 'Owner Elartest',
      action: 'continue',
    });
    assert.equal(signed.status, 303);
    assert.equal(signed.location, `/elar/applications/${draft.id}/check-answers`);

    const check = await b.get(signed.location!);
    assert.match(check.body, /Signed by Owner Elartest/);
    const version = /name="version" value="(\d+)"/.exec(check.body)?.[1];
    assert.ok(version, 'the submit form carries the version seen');
    const forged = await b.post(`/elar/applications/${draft.id}/submit`, { version }, { csrf: false });
    assert.equal(forged.status, 403, 'no CSRF token, nothing sent');

    const sent = await b.post(`/elar/applications/${draft.id}/submit`, { version });
    assert.equal(sent.status, 303);
    assert.equal(sent.location, `/elar/applications/${draft.id}`);
    const application = await b.get(sent.location!);
    assert.match(application.body, /data-application-status="awaiting-payment"/);
    assert.match(application.body, /Pay \$100\.00/);
  });

  test('an answer changed in another tab after the page was opened: submit says so and sends nothing', async () => {
    const draft = await draftFor();
    await answerAllButAffidavit(draft.id);
    await saveSection(deps(), person(people.owner.sub), draft.id, 'affidavit', COMPLETE_ANSWERS.affidavit);
    const b = await signedIn();
    const check = await b.get(`/elar/applications/${draft.id}/check-answers`);
    const version = /name="version" value="(\d+)"/.exec(check.body)![1]!;
    await saveSection(deps(), person(people.owner.sub), draft.id, 'affidavit', COMPLETE_ANSWERS.affidavit);
    const stale = await b.post(`/elar/applications/${draft.id}/submit`, { version });
    assert.equal(stale.status, 409);
    assert.match(stale.body, /Your answers changed since you opened this page/);
    assert.equal((await loadApplication(deps(), people.owner.sub, draft.id)).state, 'draft');
  });

  test('40 submits at once: exactly one sends it, the others get a page saying it was already sent', async () => {
    const draft = await draftFor();
    await answerAllButAffidavit(draft.id);
    await saveSection(deps(), person(people.owner.sub), draft.id, 'affidavit', COMPLETE_ANSWERS.affidavit);
    const b = await signedIn();
    const check = await b.get(`/elar/applications/${draft.id}/check-answers`);
    const version = /name="version" value="(\d+)"/.exec(check.body)![1]!;
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => b.post(`/elar/applications/${draft.id}/submit`, { version })),
    );
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 303).length, 1, statuses.join(' '));
    assert.equal(statuses.filter((s) => s === 409).length, 39, statuses.join(' '));
    for (const conflict of answers.filter((a) => a.status === 409))
      assert.match(conflict.body, /This application has already been sent/);
    const view = await loadApplication(deps(), people.owner.sub, draft.id);
    assert.equal(view.state, 'awaiting-payment');
    assert.equal(view.timeline.filter((e) => e.state === 'awaiting-payment').length, 1, 'one timeline entry');
  });
});

describe('an application that is no longer a draft, and other people’s', () => {
  test('sent or withdrawn: its answers are shown and there is no form; a post changes nothing', async () => {
    const draft = await draftFor();
    await answerAllButAffidavit(draft.id);
    await withdraw(deps(), people.owner.sub, draft.id);
    const b = await signedIn();
    for (const section of ['personal-details', 'education', 'character']) {
      const page = await b.get(sectionUrl(draft.id, section));
      assert.equal(page.status, 200);
      assert.match(page.body, /data-read-only/);
      assert.doesNotMatch(page.body, /data-section=/, `${section}: no form`);
    }
    const education = await b.get(sectionUrl(draft.id, 'education'));
    assert.match(education.body, /Bachelor’s degree in Biology, UMass Boston, May 2018/);
    const tests = await b.get(sectionUrl(draft.id, 'tests'));
    assert.match(tests.body, /Communication and Literacy Skills, taken March 10, 2018: passed/);
    const check = await b.get(`/elar/applications/${draft.id}/check-answers`);
    assert.doesNotMatch(check.body, /Change<span/);
    assert.doesNotMatch(check.body, /action="[^"]*\/submit"/);

    const post = await b.post(sectionUrl(draft.id, 'education'), { 'degrees.0.level': 'master', action: 'continue' });
    assert.equal(post.status, 409);
    assert.match(post.body, /its answers can no longer be changed/);
    const again = await b.post(`/elar/applications/${draft.id}/submit`, { version: '99' });
    assert.equal(again.status, 409);
    assert.match(again.body, /This application has been withdrawn/);
  });

  test('a draft deleted after its 180 days is gone from every page: 404, and a post saves nothing', async () => {
    const draft = await draftFor();
    const b = await signedIn();
    await b.get(sectionUrl(draft.id, 'education'));
    await elar.db
      .updateTable('application')
      .set({ draft_expires_at: sql<Date>`now() - interval '1 second'` })
      .where('id', '=', draft.id)
      .execute();
    const { deleted } = await expireDrafts({
      db: elar.db,
      settings: DEFAULT_APPLICATION_SETTINGS,
      outbox: createOutbox(undefined),
      publicUrl: elar.origin,
    });
    assert.ok(deleted >= 1);
    assert.equal((await b.get(sectionUrl(draft.id, 'education'))).status, 404);
    assert.equal((await b.get(`/elar/applications/${draft.id}/check-answers`)).status, 404);
    const post = await b.post(sectionUrl(draft.id, 'personal-details'), {
      ...COMPLETE_ANSWERS['personal-details'],
      action: 'continue',
    });
    assert.equal(post.status, 404);
    assert.equal((await b.post(`/elar/applications/${draft.id}/submit`, { version: '1' })).status, 404);
  });

  test('someone else’s draft, a made-up id and an unknown section are 404s, and nothing is changed', async () => {
    const draft = await draftFor();
    const b = await signedIn('stranger');
    const urls = [
      sectionUrl(draft.id, 'personal-details'),
      sectionUrl(draft.id, 'character'),
      `/elar/applications/${draft.id}/check-answers`,
      sectionUrl('00000000-0000-4000-8000-000000000000', 'education'),
      sectionUrl('not-an-id', 'education'),
    ];
    for (const url of urls) {
      const res = await b.get(url);
      assert.equal(res.status, 404, url);
      assert.doesNotMatch(res.body, new RegExp(draft.reference));
    }
    const post = await b.post(sectionUrl(draft.id, 'personal-details'), {
      ...COMPLETE_ANSWERS['personal-details'],
      action: 'continue',
    });
    assert.equal(post.status, 404);
    const submit = await b.post(`/elar/applications/${draft.id}/submit`, { version: '1' });
    assert.equal(submit.status, 404);
    assert.equal((await loadApplication(deps(), people.owner.sub, draft.id)).sections['personal-details'], undefined);

    const owner = await signedIn();
    for (const section of ['no-such-section', '__proto__', 'constructor']) {
      const res = await owner.get(sectionUrl(draft.id, section));
      assert.equal(res.status, 404, section);
    }
    const signedOut = await elar.browser('10.31.8.1').get(sectionUrl(draft.id, 'education'));
    assert.equal(signedOut.status, 303, 'a signed-out visitor is sent to log in');
  });

  test('a field sent twice, or a flood of rows, is a clear answer, never a 500', async () => {
    const draft = await draftFor();
    const b = await signedIn();
    await b.get(sectionUrl(draft.id, 'education'));
    const postRaw = (url: string, form: URLSearchParams) =>
      elar.portal.app.inject({
        method: 'POST',
        url,
        payload: form.toString(),
        headers: {
          host: new URL(elar.origin).host,
          'content-type': 'application/x-www-form-urlencoded',
          cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        },
      });
    const twice = await postRaw(
      sectionUrl(draft.id, 'personal-details'),
      new URLSearchParams([
        ['_csrf', b.csrf],
        ...Object.entries(COMPLETE_ANSWERS['personal-details']),
        ['city', 'Boston'],
        ['action', 'continue'],
      ]),
    );
    assert.equal(twice.statusCode, 422);
    assert.deepEqual(errorSummary(twice.body), ['Enter the town or city']);

    const form = new URLSearchParams({ _csrf: b.csrf, action: 'continue' });
    for (let i = 0; i < 60; i++) {
      form.append(`degrees.${i}.level`, 'bachelor');
      form.append(`degrees.${i}.subject`, 'Biology');
      form.append(`degrees.${i}.institution`, 'UMass Boston');
      form.append(`degrees.${i}.awarded`, '2018-05');
    }
    const flood = await postRaw(sectionUrl(draft.id, 'education'), form);
    assert.equal(flood.statusCode, 422);
    assert.match(errorSummary(flood.body).join(' '), /Add 10 degrees at most/);
  });
});
