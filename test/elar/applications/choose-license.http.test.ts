import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_APPLICATION_SETTINGS, loadApplication, saveSection } from '../../../src/elar/applications/index.ts';
import { issueLicense } from '../../../src/elar/licenses/index.ts';
import { profilesFor, signInToElar, startElar, type TestElar } from '../../helpers/elar.ts';
import type { Browser } from '../../helpers/portal.ts';
import { COMPLETE_ANSWERS } from './helpers.ts';

/**
 * "Apply for a New License or Advance to the next level", through ELAR's real sign-in:
 * category → field and grade level → type → route as GET forms (no JavaScript), then a POST
 * that starts the draft; the task list; adding and removing licenses with the fee.
 */
let elar: TestElar;
let people: Record<'educator' | 'holder' | 'stranger' | 'twice', { userName: string; sub: string }>;
const deps = () => ({ db: elar.db, settings: DEFAULT_APPLICATION_SETTINGS });

before(async () => {
  elar = await startElar();
  people = await profilesFor(elar, ['educator', 'holder', 'stranger', 'twice'], 31);
});
after(() => elar.close());

let ips = 0;
async function signedIn(who: keyof typeof people) {
  ips++;
  const b = elar.browser(`10.31.7.${ips}`);
  await signInToElar(b, people[who].userName);
  return b;
}

/** The action and hidden fields of the page's application form (not the header's), as a browser without JavaScript would submit it. */
function formOf(body: string, method: 'get' | 'post') {
  const form = new RegExp(
    `<form[^>]*method="${method}"[^>]*action="(/elar/applications[^"]*)"[^>]*>([\\s\\S]*?)</form>`,
  ).exec(body);
  assert.ok(form, `a ${method} form`);
  const hidden: Record<string, string> = {};
  for (const [, name, value] of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    hidden[name!] = value!.replace(/&amp;/g, '&');
  return { action: form[1]!.replace(/&amp;/g, '&'), hidden };
}

/** Submits a page's GET form with these answers, as a browser would. */
async function choose(b: Browser, page: { body: string }, answers: Record<string, string>) {
  const { action, hidden } = formOf(page.body, 'get');
  const res = await b.get(`${action}?${new URLSearchParams({ ...hidden, ...answers })}`);
  return res.status === 303 ? b.follow(res) : res;
}

/** Posts a page's POST form with these answers. */
async function send(b: Browser, page: { body: string }, answers: Record<string, string>) {
  const { action, hidden } = formOf(page.body, 'post');
  const { _csrf: _, ...fields } = hidden;
  return b.post(action, { ...fields, ...answers });
}

const idIn = (location: string | undefined) =>
  /\/elar\/applications\/([0-9a-f-]{36})\/tasks$/.exec(location ?? '')?.[1];

describe('choosing a license', () => {
  test('category → field and grade level → type → route starts a draft for that license, with its fee, and shows its task list', async () => {
    const b = await signedIn('educator');
    const start = await b.get('/elar/applications/new');
    assert.equal(start.status, 200);
    assert.match(
      start.body,
      /What kind of license do you want to apply for\?/,
      'no license held: straight to the kind',
    );
    assert.match(start.body, /<label class="usa-radio__label" for="category">Teacher \(Academic PreK-12\)/);

    const field = await choose(b, start, { category: 'TCH' });
    assert.match(field.body, /<label[^>]*for="license"[^>]*>\s*Field and grade level/);
    assert.match(field.body, /<option value="TCH-BIO-8-12">Biology \(8-12\)<\/option>/);
    const type = await choose(b, field, { license: 'TCH-BIO-8-12' });
    assert.match(type.body, /Which type of Biology \(8-12\) license\?/);
    assert.match(type.body, /value="INI"/);
    const route = await choose(b, type, { type: 'INI' });
    assert.equal(route.status, 200);
    assert.match(route.body, /How do you qualify for Biology \(8-12\), Initial license\?/);
    assert.match(route.body, /value="PREP"[\s\S]*Approved preparation program/);
    assert.match(route.body, /href="\/elar\/requirements\/checklist\?license=TCH-BIO-8-12&amp;type=INI"/);
    assert.match(route.body, /The fee for an application for this license is \$100\.00/);
    assert.match(route.body, /name="_csrf"/);

    const started = await send(b, route, { route: 'PREP' });
    assert.equal(started.status, 303);
    const id = idIn(started.location);
    assert.ok(id, `to the task list, not ${started.location}`);
    const application = await loadApplication(deps(), people.educator.sub, id);
    assert.deepEqual(
      application.licenses.map((l) => [l.catalogCode, l.typeCode, l.route]),
      [['TCH-BIO-8-12', 'INI', 'PREP']],
    );
    assert.equal(application.fee.cents, 10_000);

    const tasks = await b.follow(started);
    assert.equal(tasks.status, 200);
    assert.match(tasks.body, /data-application-status="draft"/);
    assert.match(tasks.body, new RegExp(`data-application-reference[^>]*>${application.reference}<`));
    assert.match(tasks.body, /data-task="licenses" data-task-status="Completed"/);
    assert.match(tasks.body, /data-task="education" data-task-status="Not started"/);
    assert.match(tasks.body, new RegExp(`href="/elar/applications/${id}/sections/personal-details"`));
    assert.match(tasks.body, /data-task="check-answers" data-task-status="Cannot start yet"><span>/, 'no link yet');
    assert.match(tasks.body, /Fee if you send it today: <strong data-fee(?:="[^"]*")?>\$100\.00/);

    const page = await b.get(`/elar/applications/${id}`);
    assert.match(page.body, /Biology \(8-12\), Initial license \(route: Approved preparation program\)/);
    assert.doesNotMatch(page.body, />[^<]*TCH-BIO-8-12[^<]*</, 'no catalog code shown');
  });

  test('adding another license makes the fee $125; removing it makes it $100 again; the last one cannot be removed', async () => {
    const b = await signedIn('educator');
    const route = await b.get('/elar/applications/new/route?license=TCH-ENG-5-12&type=PRV');
    const started = await send(b, route, { route: 'TESTS' });
    const id = idIn(started.location)!;
    const section = await b.get(`/elar/applications/${id}/sections/licenses`);
    assert.match(section.body, /English \(5-12\), Provisional license/);
    assert.doesNotMatch(section.body, /licenses\/remove/, 'one license: nothing to remove');

    const adding = await b.get(`/elar/applications/new?draft=${id}`);
    assert.match(adding.body, new RegExp(`name="draft" value="${id}"`), 'the draft is carried through the steps');
    const field = await choose(b, adding, { category: 'TCH' });
    const type = await choose(b, field, { license: 'TCH-HIST-5-12' });
    const addRoute = await choose(b, type, { type: 'PRV' });
    assert.match(addRoute.body, /the fee for application \d{7} becomes \$125\.00/);
    const added = await send(b, addRoute, { route: 'TESTS' });
    assert.equal(added.status, 303);
    assert.equal(added.location, `/elar/applications/${id}/sections/licenses`);
    const two = await b.follow(added);
    assert.match(two.body, /History \(5-12\), Provisional license/);
    assert.match(two.body, /<strong data-fee(?:="[^"]*")?>\$125\.00<\/strong>/);

    const removed = await b.post(`/elar/applications/${id}/licenses/remove`, { license: 'TCH-ENG-5-12' });
    assert.equal(removed.status, 303);
    const one = await b.follow(removed);
    assert.doesNotMatch(one.body, /English \(5-12\)/);
    assert.match(one.body, /<strong data-fee(?:="[^"]*")?>\$100\.00<\/strong>/);

    const last = await b.post(`/elar/applications/${id}/licenses/remove`, { license: 'TCH-HIST-5-12' });
    assert.equal(last.status, 422);
    assert.match(last.body, /There is a problem/);
    assert.match(last.body, /<a href="#license">An application asks for one license at least/);
    assert.equal((await loadApplication(deps(), people.educator.sub, id)).licenses.length, 1);
  });

  test('a missing choice, an unknown or inactive code, a type the license does not allow, a route not in the template: 422 with a message', async () => {
    const b = await signedIn('stranger');
    const cases: Array<[string, RegExp]> = [
      ['/elar/applications/new/license', /Choose a kind of license</],
      ['/elar/applications/new/license?category=NOPE', /Choose a kind of license from the list/],
      ['/elar/applications/new/type?category=TCH', /Choose a field and grade level/],
      ['/elar/applications/new/type?category=TCH&license=TCH-NOPE', /Choose a license from the list/],
      ['/elar/applications/new/route?license=TCH-BIO-8-12', /Choose the type of license/],
      ['/elar/applications/new/route?license=SPT-READ-ALL&type=TMP', /Reading \(All\) is not issued as that type/],
      ['/elar/applications/new/route?license=%27%3B--&type=INI', /Choose a license from the list/],
    ];
    for (const [url, message] of cases) {
      const res = await b.get(url);
      assert.equal(res.status, 422, url);
      assert.match(res.body, /There is a problem/, url);
      assert.match(res.body, message, url);
    }

    const route = await b.get('/elar/applications/new/route?license=TCH-BIO-8-12&type=INI');
    const noRoute = await send(b, route, {});
    assert.equal(noRoute.status, 422);
    assert.match(noRoute.body, /<a href="#route">Choose a route<\/a>/);
    const notInTemplate = await send(b, route, { route: 'MASTERS' });
    assert.equal(notInTemplate.status, 422);
    assert.match(
      notInTemplate.body,
      /Choose one of the routes to Biology \(8-12\), Initial license listed on the page/,
    );
    const forgedType = await send(b, route, { type: 'END', route: 'PREP' });
    assert.equal(forgedType.status, 422);
    assert.match(forgedType.body, /Biology \(8-12\) is not issued as that type of license/);

    await elar.db.updateTable('license_offering').set({ active: false }).where('code', '=', 'TCH-THEA-ALL').execute();
    try {
      const inactive = await b.post('/elar/applications/new', { license: 'TCH-THEA-ALL', type: 'INI', route: 'PREP' });
      assert.equal(inactive.status, 422);
      assert.match(inactive.body, /Theater \(All\) is no longer offered/);
      const field = await b.get('/elar/applications/new/license?category=TCH');
      assert.doesNotMatch(field.body, /TCH-THEA-ALL/, 'an inactive license is not offered');
    } finally {
      await elar.db.updateTable('license_offering').set({ active: true }).where('code', '=', 'TCH-THEA-ALL').execute();
    }

    const forged = await b.post(
      '/elar/applications/new',
      { license: 'TCH-BIO-8-12', type: 'INI', route: 'PREP' },
      { csrf: false },
    );
    assert.equal(forged.status, 403, 'no CSRF token, no draft');
    const mine = await elar.db
      .selectFrom('application')
      .select('id')
      .where('person_sub', '=', people.stranger.sub)
      .execute();
    assert.equal(mine.length, 0, 'nothing refused was saved');
  });

  test('someone else’s draft is not found: its task list, its licenses, adding to it, removing from it', async () => {
    const owner = await signedIn('twice');
    const route = await owner.get('/elar/applications/new/route?license=TCH-MATH-1-6&type=INI');
    const id = idIn((await send(owner, route, { route: 'PREP' })).location)!;

    const b = await signedIn('stranger');
    for (const url of [
      `/elar/applications/${id}/tasks`,
      `/elar/applications/${id}/sections/licenses`,
      `/elar/applications/new?draft=${id}`,
      `/elar/applications/new/route?license=TCH-BIO-8-12&type=INI&draft=${id}`,
      '/elar/applications/new?draft=not-a-uuid',
    ]) {
      const res = await b.get(url);
      assert.equal(res.status, 404, url);
      assert.match(res.body, /We could not find that application\./);
    }
    const adding = await b.post(`/elar/applications/${id}/licenses`, {
      license: 'TCH-BIO-8-12',
      type: 'INI',
      route: 'PREP',
    });
    assert.equal(adding.status, 404);
    const removing = await b.post(`/elar/applications/${id}/licenses/remove`, { license: 'TCH-MATH-1-6' });
    assert.equal(removing.status, 404);
    assert.equal((await loadApplication(deps(), people.twice.sub, id)).licenses.length, 1);
  });

  test('a second open application for the same license is refused, naming the open one and linking to it', async () => {
    const b = await signedIn('twice');
    const route = await b.get('/elar/applications/new/route?license=TCH-ART-5-12&type=INI');
    const first = idIn((await send(b, route, { route: 'PREP' })).location)!;
    const { reference } = await loadApplication(deps(), people.twice.sub, first);

    const again = await send(b, route, { route: 'OTHER-STATE' });
    assert.equal(again.status, 409);
    assert.match(again.body, /You already have an application for this license/);
    assert.match(
      again.body,
      new RegExp(`<strong data-open-reference(?:="[^"]*")?>${reference}</strong> for Visual Art \\(5-12\\)`),
    );
    assert.match(again.body, new RegExp(`href="/elar/applications/${first}/tasks"`));

    // Adding it to another draft is refused the same way.
    const other = await b.get('/elar/applications/new/route?license=TCH-DANCE-ALL&type=INI');
    const second = idIn((await send(b, other, { route: 'PREP' })).location)!;
    const adding = await b.post(`/elar/applications/${second}/licenses`, {
      license: 'TCH-ART-5-12',
      type: 'INI',
      route: 'PREP',
    });
    assert.equal(adding.status, 409);
    assert.match(adding.body, new RegExp(`data-open-reference(?:="[^"]*")?>${reference}<`));
    assert.equal((await loadApplication(deps(), people.twice.sub, second)).licenses.length, 1);
  });

  test('advance offers the next type of each license held, and only that', async () => {
    await elar.db.transaction().execute(async (trx) => {
      await issueLicense(
        trx,
        { personSub: people.holder.sub, catalogCode: 'TCH-CHEM-8-12', typeCode: 'INI', validFrom: '2021-07-01' },
        'test',
      );
      await issueLicense(
        trx,
        { personSub: people.holder.sub, catalogCode: 'TCH-MUS-ALL', typeCode: 'PRO', validFrom: '2019-07-01' },
        'test',
      );
    });
    const b = await signedIn('holder');
    const start = await b.get('/elar/applications/new');
    assert.match(start.body, /What do you want to apply for\?/);
    assert.match(start.body, /Advance your Chemistry \(8-12\) license \(number [^)]+\) from Initial to Professional/);
    assert.doesNotMatch(start.body, /Music/, 'a Professional license advances no further');
    const options = [...start.body.matchAll(/name="choice" value="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(options, ['TCH-CHEM-8-12:PRO', 'new']);

    const route = await choose(b, start, { choice: 'TCH-CHEM-8-12:PRO' });
    assert.equal(route.status, 200);
    assert.match(route.body, /How do you qualify for Chemistry \(8-12\), Professional license\?/);
    assert.match(route.body, /value="MASTERS"/);

    const forged = await b.get('/elar/applications/new/start?choice=TCH-CHEM-8-12:TMP');
    assert.equal(forged.status, 422, 'an advance to another type is not on offer');
    assert.match(forged.body, /Choose what you want to apply for/);
    const fresh = await choose(b, start, { choice: 'new' });
    assert.match(fresh.body, /What kind of license do you want to apply for\?/);

    const started = await send(b, route, { route: 'MASTERS' });
    const id = idIn(started.location)!;
    const application = await loadApplication(deps(), people.holder.sub, id);
    assert.deepEqual(
      application.licenses.map((l) => l.name),
      ['Chemistry (8-12), Professional license'],
    );
  });

  test('the task list shows a section in progress, and check-answers once every section is complete', async () => {
    const b = await signedIn('holder');
    const route = await b.get('/elar/applications/new/route?license=TCH-PE-5-12&type=PRV');
    const id = idIn((await send(b, route, { route: 'TESTS' })).location)!;
    const person = { sub: people.holder.sub, mepid: null, email: null };
    await saveSection(deps(), person, id, 'education', COMPLETE_ANSWERS.education, { complete: false });
    let tasks = await b.get(`/elar/applications/${id}/tasks`);
    assert.match(tasks.body, /data-task="education" data-task-status="In progress"/);
    for (const [section, answers] of Object.entries(COMPLETE_ANSWERS)) {
      if (section !== 'affidavit') await saveSection(deps(), person, id, section as 'education', answers as never);
    }
    tasks = await b.get(`/elar/applications/${id}/tasks`);
    assert.match(tasks.body, /You have completed 7 of 7 sections/);
    assert.match(
      tasks.body,
      new RegExp(`data-task-status="Not started"><a href="/elar/applications/${id}/check-answers"`),
    );
  });
});
