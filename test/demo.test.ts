import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { seedDemo } from '../src/demo.ts';
import { rolesOf } from '../src/directory/department-roles/repository.ts';
import { replacePassword } from '../src/portal/accounts.ts';
import { POLICIES } from '../src/portal/password-policy.ts';
import { startPortal, type TestPortal } from './helpers/portal.ts';

/** The lines the demo prints at start-up for a newcomer. */

let portal: TestPortal;
before(async () => {
  portal = await startPortal();
});
after(() => portal.close());

describe('demo banner', () => {
  test('prints the demo password only while it still opens the account', async () => {
    const rules = { ssnKey: portal.ssnKey, policy: POLICIES.agency, historySize: 10 };
    const first = (await seedDemo(portal.db, rules)).join('\n');
    assert.match(first, /User Name JRivera, password Welcome2026, hint answer "Lincoln Elementary"/);
    assert.match(
      first,
      /Demo licensure evaluator \(Department role licensure-evaluator, for ELAR; no console\): User Name CMorgan, password Evaluate2026\./,
    );
    const casey = await portal.db
      .selectFrom('profile')
      .select('id')
      .where('user_name', '=', 'CMorgan')
      .executeTakeFirstOrThrow();
    assert.deepEqual(await rolesOf(portal.db, casey.id), ['licensure-evaluator']);

    const jordan = await portal.db
      .selectFrom('profile')
      .select('id')
      .where('user_name', '=', 'JRivera')
      .executeTakeFirstOrThrow();
    await replacePassword(portal.db, jordan.id, 'Changed2027', { type: 'password.changed', ip: null });
    const again = (await seedDemo(portal.db, rules)).join('\n');
    assert.doesNotMatch(again, /Welcome2026/);
    assert.match(
      again,
      /User Name JRivera, password changed since the demo was set up \(not shown\), hint answer "Lincoln Elementary"/,
    );
    assert.equal(
      (await portal.db.selectFrom('department_role').select('role').where('profile_id', '=', casey.id).execute())
        .length,
      1,
      'seeding again grants nothing twice',
    );
  });
});
