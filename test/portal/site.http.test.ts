import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/platform/config.ts';
import { Browser, startPortal, type TestPortal } from '../helpers/portal.ts';

/**
 * The pages every visitor reads: help, the site's identity (official-website banner, the
 * agency's identifier in the footer), the privacy and accessibility statements.
 */

let portal: TestPortal;
before(async () => {
  portal = await startPortal();
});
after(() => portal.close());

const h1 = (html: string) =>
  /<h1[^>]*>(.*?)<\/h1>/s
    .exec(html)?.[1]
    ?.replace(/<[^>]+>/g, '')
    .trim();
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

const HELP_PAGES: Array<[string, string]> = [
  ['/help', 'Help with the Security Portal'],
  ['/help/about', 'About the Security Portal'],
  ['/help/create', 'Create a User Name or profile'],
  ['/help/find', 'Forgot your User Name or password'],
  ['/help/change', 'Change your password'],
  ['/help/directory-administrator', 'Find your Directory Administrator'],
];

describe('help pages', () => {
  test('each answers 200 with its heading, and the side navigation lists every topic', async () => {
    const b = new Browser(portal.app);
    for (const [path, heading] of HELP_PAGES) {
      const res = await b.get(path);
      assert.equal(res.status, 200, path);
      assert.equal(h1(res.body), heading, path);
      const nav = /<nav aria-label="Help topics">(.*?)<\/nav>/s.exec(res.body)?.[1] ?? '';
      const links = [...nav.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map(
        (m) => `${m[1]} ${m[2]!.replace(/&#39;/g, "'")}`,
      );
      assert.deepEqual(
        links,
        [
          '/help Help topics',
          '/help/about About the Security Portal',
          '/help/create Create a User Name or profile',
          '/help/find Forgot your User Name or password',
          '/help/change Change your password',
          '/help/directory-administrator Find your Directory Administrator',
        ],
        path,
      );
      assert.match(
        nav,
        new RegExp(`href="${path}" class="usa-current" aria-current="page"`),
        `${path} is marked current`,
      );
    }
  });

  test('Create a profile promises only the questions the wizard asks', async () => {
    const page = text((await new Browser(portal.app).get('/help/create')).body);
    assert.doesNotMatch(page, /employer/i);
    assert.match(
      page,
      /your background: a previous last name and a previous educator license number, if you have them/,
    );
  });

  test('finding a Directory Administrator does not claim every organization has one', async () => {
    for (const path of ['/help/find', '/help/directory-administrator']) {
      const page = text((await new Browser(portal.app).get(path)).body);
      assert.doesNotMatch(page, /Every school, district and organization has/, path);
    }
    const page = text((await new Browser(portal.app).get('/help/directory-administrator')).body);
    assert.match(page, /Not every organization has one/);
    assert.match(page, /list of Directory Administrators/);
  });
});

describe("the site's identity", () => {
  const pages = [
    '/',
    '/login',
    '/help',
    '/profile/new',
    '/account/recover',
    '/directory-administrators',
    '/privacy',
    '/accessibility',
    '/no-such-page',
  ];

  test('every page has the official-website banner and the agency identifier with address, TTY, privacy and accessibility', async () => {
    for (const path of pages) {
      const res = await new Browser(portal.app).get(path);
      const page = text(res.body);
      assert.match(
        res.body,
        /<section class="usa-banner" aria-label="Official website of the Commonwealth of Massachusetts">/,
        path,
      );
      assert.match(page, /An official website of the Commonwealth of Massachusetts/, path);
      assert.match(page, /Massachusetts Department of Elementary and Secondary Education/, path);
      assert.match(page, /75 Pleasant Street, Malden, MA 02148-4906/, path);
      assert.match(page, /Voice: \(781\) 338-3000/, path);
      assert.match(page, /TTY: \(800\) 439-2370/, path);
      assert.match(
        res.body,
        /<a class="usa-identifier__required-link usa-link" href="\/privacy">Privacy policy<\/a>/,
        path,
      );
      assert.match(
        res.body,
        /<a class="usa-identifier__required-link usa-link" href="\/accessibility">Accessibility statement<\/a>/,
        path,
      );
    }
  });

  test('the privacy page explains why the SSN is asked and how it is kept', async () => {
    const res = await new Browser(portal.app).get('/privacy');
    assert.equal(res.status, 200);
    assert.equal(h1(res.body), 'Privacy policy');
    const page = text(res.body);
    assert.match(page, /Why we ask for your Social Security number/);
    assert.match(page, /to tell you apart from other people with the same name and date of birth/);
    assert.match(page, /keyed hash/);
    assert.match(page, /last 4 digits/);
    assert.match(page, /never stored as you typed it/);
  });

  test('the accessibility statement names the standard and how to report a problem', async () => {
    const res = await new Browser(portal.app).get('/accessibility');
    assert.equal(res.status, 200);
    assert.equal(h1(res.body), 'Accessibility statement');
    const page = text(res.body);
    assert.match(page, /WCAG\) 2\.1 at level AA/);
    assert.match(page, /TTY: \(800\) 439-2370/);
  });

  test("another agency's values replace the defaults", async () => {
    const other = await startPortal({
      AGENCY_NAME: 'Rhode Island Department of Education',
      AGENCY_JURISDICTION: 'the State of Rhode Island',
      AGENCY_ADDRESS: '255 Westminster Street, Providence, RI 02903',
      AGENCY_PHONE: '(401) 222-4600',
      AGENCY_TTY: '711',
      PRIVACY_POLICY_URL: 'https://www.ride.ri.gov/privacy',
      ACCESSIBILITY_URL: 'https://www.ride.ri.gov/accessibility',
    });
    try {
      const res = await new Browser(other.app).get('/');
      const page = text(res.body);
      assert.match(page, /An official website of the State of Rhode Island/);
      assert.match(page, /Rhode Island Department of Education/);
      assert.match(page, /255 Westminster Street, Providence, RI 02903/);
      assert.match(page, /Voice: \(401\) 222-4600/);
      assert.match(page, /TTY: 711/);
      assert.match(res.body, /href="https:\/\/www.ride.ri.gov\/privacy">Privacy policy</);
      assert.match(res.body, /href="https:\/\/www.ride.ri.gov\/accessibility">Accessibility statement</);
      assert.doesNotMatch(page, /Massachusetts/);
    } finally {
      await other.close();
    }
  });

  test('a bad link stops start-up naming the variable', () => {
    assert.throws(
      () => loadConfig({ PRIVACY_POLICY_URL: 'javascript:alert(1)' }),
      /^Error: Invalid configuration: PRIVACY_POLICY_URL must be a path starting with \/ or an http\(s\) URL$/,
    );
    assert.throws(
      () => loadConfig({ ACCESSIBILITY_URL: '//evil.example' }),
      /Invalid configuration: ACCESSIBILITY_URL/,
    );
  });
});

describe('small display points', () => {
  test('the help-desk number never wraps mid-number', async () => {
    for (const [path, mentions] of [
      ['/', 1],
      ['/help', 2],
      ['/no-such-page', 2],
      ['/directory-administrators', 2],
    ] as const) {
      const body = (await new Browser(portal.app).get(path)).body;
      const kept = [...body.matchAll(/<a class="portal-nowrap" href="tel:17813386600">1-781-338-6600<\/a>/g)];
      assert.equal(kept.length, mentions, `${path}: each mention is one unbreakable link`);
      assert.equal(body.split('1-781-338-6600').length - 1, mentions, `${path}: and there are no others`);
    }
  });
});
