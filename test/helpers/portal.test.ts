import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, createProfile, startPortal, type TestPortal } from './portal.ts';

/** The helpers other tests rest on must fail when the flow they drive does. */

let portal: TestPortal;
before(async () => {
  portal = await startPortal();
});
after(() => portal.close());

describe('createProfile helper', () => {
  test('a refused page after the first one fails the helper, naming that step', async () => {
    const person = {
      firstName: 'Hal',
      lastName: 'Helper',
      dob: ['1', '2', '1970'] as [string, string, string],
      ssn: '611-22-3333',
    };
    await assert.rejects(
      createProfile(new Browser(portal.app), person, { hintQuestion: 'Q?', hintAnswer: 'A', password: 'ab' }),
      /^Error: security step: expected 303 to \/profile\/new\/review, got 422 $/,
    );
  });

  test('a flow that ends anywhere but "created" fails the helper', async () => {
    const person = {
      firstName: 'Hana',
      lastName: 'Helper',
      dob: ['1', '3', '1970'] as [string, string, string],
      ssn: '611-22-4444',
    };
    const first = await createProfile(new Browser(portal.app), person);
    assert.equal(first.userName, 'HHelper');
    await assert.rejects(
      createProfile(new Browser(portal.app), person),
      /^Error: identity step: expected 303 to \/profile\/new\/contact, got 303 \/profile\/new\/exact-match$/,
    );
  });
});
