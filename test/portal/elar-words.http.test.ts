import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, startPortal, type TestPortal } from '../helpers/portal.ts';

/**
 * The portal's own words about ELAR (issue 13): what it really does now, and nothing it
 * does not do yet.
 */
let portal: TestPortal;
before(async () => {
  portal = await startPortal();
});
after(() => portal.close());

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .replace(/ ([:.,;])/g, '$1');

const mainOf = (html: string) => /<main[^>]*>(.*?)<\/main>/s.exec(html)![1]!;

describe('what the portal says ELAR does', () => {
  test('About the Security Portal: find what a license needs, apply or advance, pay by card, follow it live, withdraw', async () => {
    const page = await new Browser(portal.app).get('/help/about');
    assert.equal(page.status, 200);
    const main = mainOf(page.body);
    const words = text(main);
    assert.match(main, /href="\/elar\/requirements"/, 'the public requirements page, no login needed');
    assert.match(words, /find out what a license needs/i);
    assert.match(words, /apply for one or more licenses, or advance/i);
    assert.match(words, /pay the application fee online by card/i);
    assert.match(words, /follow the status of your applications as it changes/i);
    assert.match(words, /withdraw an application/i);
    assert.match(words, /Licensure Help Desk/, 'renewing, for now, through the help desk');
    assert.doesNotMatch(words, /renew and check|coming soon|not open yet/i, 'nothing ELAR does not do online yet');
  });

  test('the portal home says what ELAR is for, with the requirements a visitor can read without logging in', async () => {
    const page = await new Browser(portal.app).get('/');
    assert.equal(page.status, 200);
    const main = mainOf(page.body);
    assert.match(
      text(main),
      /ELAR, to find out what an educator license needs, apply for one or advance, pay the fee online and follow your application/,
    );
    assert.match(main, /href="\/elar\/requirements"/);
    assert.match(main, /href="\/login"/);
    assert.match(main, /href="\/profile\/new"/);
  });
});
