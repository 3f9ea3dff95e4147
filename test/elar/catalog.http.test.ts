import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { elarTables } from '../../src/elar/index.ts';
import { Browser, errorSummary, startPortal, type Response, type TestPortal } from '../helpers/portal.ts';

/** "What do I need for this license?": public, one GET form a step, every step a URL. */
let portal: TestPortal;
before(async () => {
  portal = await startPortal();
});
after(async () => portal.close());

/** A browser that has never signed in anywhere. */
const stranger = () => new Browser(portal.app, '198.51.100.7');

/** The action and fields of the page's GET form (hidden inputs with their values, the rest named). */
function getForm(html: string): { action: string; hidden: Record<string, string>; names: string[] } {
  const form = /<form[^>]*method="get"[^>]*action="([^"]+)"[^>]*>(.*?)<\/form>/s.exec(html);
  assert.ok(form, 'the page has a GET form');
  const hidden = Object.fromEntries(
    [...form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
  );
  const names = [...new Set([...form[2]!.matchAll(/name="([^"]+)"/g)].map((m) => m[1]!))];
  assert.ok(!('_csrf' in hidden), 'a GET form carries no CSRF token');
  return { action: form[1]!, hidden, names };
}

/** Submits the page's GET form with these answers, as a browser without JavaScript does. */
async function choose(b: Browser, page: Response, answers: Record<string, string>): Promise<Response> {
  const { action, hidden } = getForm(page.body);
  return b.get(`${action}?${new URLSearchParams({ ...hidden, ...answers })}`);
}

const h1 = (html: string) => /<h1[^>]*>(.*?)<\/h1>/s.exec(html)?.[1]?.replace(/<[^>]+>/g, '');
const options = (html: string, name: string) =>
  [...html.matchAll(new RegExp(`name="${name}" value="([^"]+)"`, 'g'))].map((m) => m[1]!);

describe('the public requirements page', () => {
  test('category → field and level → type → what you need, with no login', async () => {
    const b = stranger();
    const start = await b.get('/elar/requirements');
    assert.equal(start.status, 200);
    assert.equal(h1(start.body), 'What kind of license is it?');
    assert.deepEqual(getForm(start.body).names, ['category']);
    assert.deepEqual(options(start.body, 'category'), ['TCH', 'SPT', 'PSP', 'ADM', 'ABE', 'VOC', 'END']);
    assert.ok(!b.cookies.has('elar_session'), 'nobody is asked to sign in');

    const license = await choose(b, start, { category: 'TCH' });
    assert.equal(license.status, 200);
    assert.equal(h1(license.body), 'Which field and grade level?');
    assert.match(license.body, /<option value="TCH-BIO-8-12">Biology \(8-12\)<\/option>/);
    assert.match(license.body, /<label class="usa-label" for="license">License<\/label>/);

    const type = await choose(b, license, { license: 'TCH-BIO-8-12' });
    assert.equal(type.status, 200);
    assert.equal(h1(type.body), 'Which type of Biology (8-12) license?');
    assert.deepEqual(options(type.body, 'type'), ['TMP', 'PRV', 'INI', 'PRO', 'MIL']);

    const checklist = await choose(b, type, { type: 'INI' });
    assert.equal(checklist.status, 200);
    assert.equal(h1(checklist.body), 'What you need for Biology (8-12), Initial');
    assert.match(
      checklist.body,
      /Teacher \(Academic PreK-12\)\. An Initial license lasts 5 years of employment, one 5-year extension\./,
    );
    assert.match(checklist.body, /We can start evaluating only when these are on file/);
    const gate = /data-gate-items[^>]*>(.*?)<\/ul>/s.exec(checklist.body)![1]!;
    assert.deepEqual(
      [...gate.matchAll(/<li>([^<]+)<\/li>/g)].map((m) => m[1]),
      [
        'A completed application',
        'The application fee',
        "A bachelor's degree",
        'The Communication and Literacy Skills test',
      ],
    );
    assert.match(checklist.body, /\$100 for the first license in an application, and \$25 for each additional/);
    assert.deepEqual(
      [...checklist.body.matchAll(/data-route="([^"]+)"/g)].map((m) => m[1]),
      ['PREP', 'AFTER-PROVISIONAL', 'OTHER-STATE'],
    );
    assert.match(checklist.body, /Route 1: Approved preparation program/);
    assert.match(checklist.body, /href="\/elar\/applications\/new\?license=TCH-BIO-8-12&amp;type=INI"/);
  });

  test('each step is a bookmarkable URL on its own, and codes are read however they are typed', async () => {
    const page = await stranger().get('/elar/requirements/checklist?license=sei-teacher&type=end');
    assert.equal(page.status, 200);
    assert.equal(h1(page.body), 'What you need for Sheltered English Immersion (SEI) Teacher, Endorsement');
    assert.match(page.body, /An Endorsement license lasts as long as the license it is added to\./);
    const professional = await stranger().get('/elar/requirements/checklist?license=TCH-BIO-8-12&type=PRO');
    assert.match(professional.body, /A Professional license lasts 5 calendar years, renewable\./);
    assert.deepEqual(
      [...page.body.matchAll(/data-route="([^"]+)"/g)].map((m) => m[1]),
      ['SEI-TEST', 'SEI-COURSE', 'ESL-LICENSE'],
    );
    const types = await stranger().get('/elar/requirements/type?license=ADM-PRIN-5-12');
    assert.deepEqual(options(types.body, 'type'), ['PRV', 'INI', 'PRO']);
  });

  test('a step sent with nothing chosen asks again: 400, an error summary, and "Error:" in the title', async () => {
    const b = stranger();
    for (const [url, message] of [
      ['/elar/requirements/license', 'Choose a kind of license'],
      ['/elar/requirements/license?category=', 'Choose a kind of license'],
      ['/elar/requirements/type?category=TCH&license=', 'Choose a field and grade level'],
      ['/elar/requirements/checklist?license=TCH-BIO-8-12', 'Choose a type of license'],
    ] as const) {
      const res = await b.get(url);
      assert.equal(res.status, 400, url);
      assert.deepEqual(errorSummary(res.body), [message], url);
      assert.match(res.body, /<title>Error: /, url);
    }
  });

  test('codes that are not in the catalog get a 404 page that says so, never a 500', async () => {
    const b = stranger();
    for (const [url, message] of [
      ['/elar/requirements/license?category=NOPE', 'There is no kind of license with the code NOPE.'],
      ['/elar/requirements/type?license=TCH-NOPE', 'There is no license with the code TCH-NOPE.'],
      ['/elar/requirements/type?license=', 'Choose a kind of license first.'],
      ['/elar/requirements/checklist?type=INI', 'Choose a license first.'],
      ['/elar/requirements/checklist?license=ABE-ABE-ADULT&type=TMP', 'Adult Basic Education (Adult) is not issued'],
      ['/elar/requirements/checklist?license=TCH-BIO-8-12&type=%27%3B--', 'is not issued as a license of type'],
      ['/elar/requirements/checklist?license=TCH-BIO-8-12&type=%00', 'could not be read'],
      ['/elar/requirements/license?category=%E2%80%AE%F0%9F%98%80', 'There is no kind of license'],
      ['/elar/requirements/license?category=TCH&category=ADM', 'Choose a kind of license'],
    ] as const) {
      const res = await b.get(url);
      assert.ok(res.status === 404 || res.status === 400, `${url}: ${res.status}`);
      assert.ok(res.body.includes(message) || errorSummary(res.body).some((m) => m.includes(message)), url);
    }
  });

  test('a license the catalog no longer offers is not found', async () => {
    await elarTables(portal.db)
      .updateTable('license_offering')
      .set({ active: false })
      .where('code', '=', 'TCH-CHEM-8-12')
      .execute();
    const res = await stranger().get('/elar/requirements/checklist?license=TCH-CHEM-8-12&type=INI');
    assert.equal(res.status, 404);
    const list = await stranger().get('/elar/requirements/license?category=TCH');
    assert.doesNotMatch(list.body, /TCH-CHEM-8-12/);
  });
});
