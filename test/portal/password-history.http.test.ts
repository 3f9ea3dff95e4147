import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { loadConfig } from '../../src/platform/config.ts';
import { Browser, createProfile, errorSummary, logIn, startPortal, type TestPortal } from '../helpers/portal.ts';

/**
 * SPEC P6: a new password "cannot be a password used before on that account" (the agency's
 * rule: "can't be a password that you have used in the past"). By default every earlier
 * password is kept; PASSWORD_HISTORY=N keeps the current one and the N before it.
 */

const REUSED = 'You have used this password before. Choose a password you have not used on this account';

let portal: TestPortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

/** A signed-in person whose passwords were, in order, `passwords` (the last is the current one). */
async function personWithPasswords(env: Record<string, string>, passwords: string[]): Promise<Browser> {
  portal = await startPortal(env);
  const { userName } = await createProfile(
    new Browser(portal.app, '198.51.100.150'),
    { firstName: 'Hana', lastName: 'History', dob: ['4', '5', '1983'], ssn: '345-67-8912' },
    {
      hintQuestion: 'Q?',
      hintAnswer: 'A',
      password: passwords[0]!,
    },
  );
  const b = new Browser(portal.app, '198.51.100.151');
  assert.equal((await logIn(b, userName, passwords[0]!)).status, 303);
  for (let i = 1; i < passwords.length; i++)
    assert.equal((await changePassword(b, passwords[i - 1]!, passwords[i]!)).status, 303, `change ${i}`);
  return b;
}

async function changePassword(b: Browser, current: string, next: string) {
  await b.get('/account/password');
  return b.post('/account/password', { currentPassword: current, password: next, passwordConfirm: next });
}

describe('P6 password history', () => {
  test('PASSWORD_HISTORY is "all" by default, and a number still sets a limit', () => {
    assert.equal(loadConfig({}).passwordHistory, 'all');
    assert.equal(loadConfig({ PASSWORD_HISTORY: 'all' }).passwordHistory, 'all');
    assert.equal(loadConfig({ PASSWORD_HISTORY: '3' }).passwordHistory, 3);
    assert.equal(loadConfig({ PASSWORD_HISTORY: '0' }).passwordHistory, 0);
    assert.throws(
      () => loadConfig({ PASSWORD_HISTORY: 'some' }),
      /^Error: Invalid configuration: PASSWORD_HISTORY must be "all" or a whole number$/,
    );
    assert.throws(
      () => loadConfig({ PASSWORD_HISTORY: '-1' }),
      /^Error: Invalid configuration: PASSWORD_HISTORY must be "all" or a whole number$/,
    );
  });

  test('by default every earlier password is refused: the first of thirteen, after twelve changes', async () => {
    const passwords = Array.from({ length: 13 }, (_, i) => `Password${i}x`);
    const b = await personWithPasswords({}, passwords);
    const current = passwords.at(-1)!;
    const first = await changePassword(b, current, passwords[0]!);
    assert.equal(first.status, 422);
    assert.deepEqual(errorSummary(first.body), [REUSED]);
    const eleventhEarlier = await changePassword(b, current, passwords[1]!);
    assert.deepEqual(
      errorSummary(eleventhEarlier.body),
      [REUSED],
      'the 11th earlier password, beyond the old limit of 10',
    );
    assert.deepEqual(errorSummary((await changePassword(b, current, current)).body), [REUSED], 'and the current one');
    assert.equal((await changePassword(b, current, 'NeverUsed1')).status, 303, 'a new one is fine');
  });

  test('PASSWORD_HISTORY=3: the 3rd earlier password is refused, the 4th is accepted', async () => {
    // Current: P4; earlier: P3 (1st), P2 (2nd), P1 (3rd), P0 (4th).
    const passwords = ['Pass0word', 'Pass1word', 'Pass2word', 'Pass3word', 'Pass4word'];
    const b = await personWithPasswords({ PASSWORD_HISTORY: '3' }, passwords);
    const third = await changePassword(b, 'Pass4word', 'Pass1word');
    assert.equal(third.status, 422);
    assert.deepEqual(errorSummary(third.body), [REUSED]);
    assert.deepEqual(
      errorSummary((await changePassword(b, 'Pass4word', 'Pass4word')).body),
      [REUSED],
      'the current one too',
    );
    assert.equal(
      (await changePassword(b, 'Pass4word', 'Pass0word')).status,
      303,
      'the 4th earlier password may come back',
    );
  });
});
