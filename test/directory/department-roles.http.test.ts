import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rolesOf } from '../../src/directory/department-roles/repository.ts';
import { createProfile, identityOnly } from '../../src/portal/accounts.ts';
import { directoryFixture, type DirectoryFixture } from '../helpers/directory.ts';
import { Browser, errorSummary, logIn, startPortal, type TestPortal } from '../helpers/portal.ts';

/**
 * Department roles through the real app (issue 12): each role sees and does only its part,
 * evaluators do not inherit the console, and a console administrator grants and revokes
 * on the console page. Every test makes its own people, so any one runs alone.
 */

let portal: TestPortal;
let fx: DirectoryFixture;

before(async () => {
  portal = await startPortal();
  fx = directoryFixture(portal);
});
after(() => portal.close());

const CONSOLE_LINKS = [
  '/directory/organizations',
  '/directory/people',
  '/directory/conflicts',
  '/directory/applications',
  '/directory/department-roles',
  '/directory/audit',
];
const linksIn = (html: string) => CONSOLE_LINKS.filter((href) => html.includes(`href="${href}"`));
const granted = (profileId: string, role: string) =>
  portal.db
    .selectFrom('audit_event')
    .select(['actor_id', 'detail'])
    .where('type', '=', `departmentRole.${role}`)
    .where('subject_id', '=', profileId)
    .execute();

describe('each role sees and does only its part', () => {
  test('a licensure-evaluator cannot open the console, and the portal home does not offer it', async () => {
    for (const role of ['licensure-evaluator', 'licensure-supervisor', 'payments'] as const) {
      const evaluator = await fx.signIn(await fx.person('Eve', 'Evaluator', { departmentRoles: [role] }));
      const home = await evaluator.get('/');
      assert.equal(home.status, 200);
      assert.doesNotMatch(home.body, /href="\/directory"/, `${role}: no Directory Administration on the home page`);
      for (const url of [
        '/directory',
        '/directory/people?q=a',
        '/directory/audit',
        '/directory/applications',
        '/directory/organizations',
        '/directory/conflicts',
        '/directory/department-roles',
      ]) {
        const res = await evaluator.get(url);
        assert.equal(res.status, 403, `${role} ${url}`);
      }
    }
  });

  test('help desk: the console offers finding people and partial matches, nothing else', async () => {
    const helpDesk = await fx.signIn(await fx.person('Hal', 'Helpdesk', { departmentRoles: ['help-desk'] }));
    assert.match((await helpDesk.get('/')).body, /href="\/directory"/);
    const home = await helpDesk.get('/directory');
    assert.equal(home.status, 200);
    assert.deepEqual(linksIn(home.body), ['/directory/people', '/directory/conflicts']);
    const admin = await fx.signIn(await fx.person('Cary', 'Consoleadmin', { departmentRoles: ['console-admin'] }));
    assert.deepEqual(linksIn((await admin.get('/directory')).body), CONSOLE_LINKS);
  });

  test('help desk resets an educator’s password, but not a Directory Administrator’s or a console administrator’s', async () => {
    const { school } = await fx.districtWithSchool('Reset');
    const educator = await fx.person('Ed', 'Educator');
    await fx.addStaff(school, educator);
    const diradmin = await fx.person('Dora', 'Diradmin');
    await fx.designate(school, diradmin);
    const consoleAdmin = await fx.person('Connie', 'Console', { departmentRoles: ['console-admin'] });
    const evaluator = await fx.person('Evan', 'Evaluator', { departmentRoles: ['licensure-evaluator'] });
    const helpDesk = await fx.signIn(await fx.person('Hope', 'Helpdesk', { departmentRoles: ['help-desk'] }));

    const search = await helpDesk.get(`/directory/people?q=${educator.userName}`);
    assert.equal(search.status, 200);
    assert.match(search.body, new RegExp(educator.userName));
    assert.equal((await helpDesk.get(`/directory/people/${educator.id}/reset-password`)).status, 200);
    const reset = await helpDesk.post(`/directory/people/${educator.id}/reset-password`, {});
    assert.equal(reset.status, 200);
    const temporary = /data-temporary-password[^>]*>\s*([A-Za-z0-9]+)/.exec(reset.body)?.[1];
    assert.ok(temporary, 'the temporary password is shown');
    // The person is told the Department reset it.
    const person = new Browser(portal.app, '10.99.0.7');
    await logIn(person, educator.userName, temporary);
    assert.match(
      (await person.get('/account/password')).body,
      /Your password was reset by Hope Helpdesk, of the Department/,
    );

    for (const [who, target] of [
      ['a Directory Administrator', diradmin],
      ['a console administrator', consoleAdmin],
      ['an evaluator', evaluator],
    ] as const) {
      const page = await helpDesk.get(`/directory/people/${target.id}`);
      assert.equal(page.status, 200, `${who}: the page opens and says why nothing can be done`);
      assert.match(page.body, /has powers beyond yours/);
      for (const [method, path] of [
        ['GET', 'reset-password'],
        ['POST', 'reset-password'],
        ['POST', 'unlock'],
        ['POST', 'sessions/end'],
        ['GET', 'fix'],
      ] as const) {
        const res =
          method === 'GET'
            ? await helpDesk.get(`/directory/people/${target.id}/${path}`)
            : await helpDesk.post(`/directory/people/${target.id}/${path}`, {});
        assert.equal(res.status, 403, `${who}: ${method} ${path}`);
        assert.match(res.body, /has powers beyond yours/);
      }
    }
    const after = await portal.db
      .selectFrom('audit_event')
      .select('subject_id')
      .where('type', '=', 'password.reset')
      .where('subject_id', 'in', [diradmin.id, consoleAdmin.id, evaluator.id])
      .execute();
    assert.deepEqual(after, []);
  });

  test('help desk closes the partial-match case of a person without powers, not of a Directory Administrator', async () => {
    const { school } = await fx.districtWithSchool('Case');
    const educator = await fx.person('Cal', 'Casework');
    const diradmin = await fx.person('Dina', 'Casework');
    await fx.designate(school, diradmin);
    const openCase = async (profileId: string) =>
      (
        await portal.db
          .insertInto('match_conflict')
          .values({ profile_id: profileId, conflicting_fields: ['ssn'], submitted: JSON.stringify({ firstName: 'X' }) })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const [plain, mighty] = [await openCase(educator.id), await openCase(diradmin.id)];
    const helpDesk = await fx.signIn(await fx.person('Hank', 'Helpdesk', { departmentRoles: ['help-desk'] }));
    assert.equal((await helpDesk.get('/directory/conflicts')).status, 200);
    assert.equal((await helpDesk.get(`/directory/conflicts/${plain}/resolve`)).status, 200);
    assert.equal(
      (await helpDesk.post(`/directory/conflicts/${plain}/resolve`, { reason: 'Same person, typo in the SSN' })).status,
      303,
    );
    assert.equal((await helpDesk.get(`/directory/conflicts/${mighty}/resolve`)).status, 403);
    assert.equal((await helpDesk.post(`/directory/conflicts/${mighty}/resolve`, { reason: 'Closing it' })).status, 403);
    const statuses = await portal.db
      .selectFrom('match_conflict')
      .select(['id', 'status'])
      .where('id', 'in', [plain, mighty])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      statuses.map((c) => c.status),
      ['resolved', 'open'],
    );
  });

  test('only a console administrator reads the audit log, registers applications and opens department roles', async () => {
    const form = {
      name: 'Gradebook',
      clientId: 'gradebook-roles',
      access: 'open',
      roles: '',
      redirectUris: 'https://gradebook.example.gov/cb',
      postLogoutRedirectUris: '',
      backchannelLogoutUri: '',
      launchUrl: '',
    };
    for (const role of ['help-desk', 'licensure-evaluator', 'licensure-supervisor', 'payments'] as const) {
      const b = await fx.signIn(await fx.person('Nora', 'Noaudit', { departmentRoles: [role] }));
      assert.equal((await b.get('/directory/audit')).status, 403, role);
      assert.equal((await b.get('/directory/applications/new')).status, 403, role);
      await b.get('/');
      assert.equal((await b.post('/directory/applications/new', form)).status, 403, role);
      assert.equal((await b.get('/directory/department-roles')).status, 403, role);
    }
    assert.equal(
      await portal.db.selectFrom('application').select('id').where('id', '=', form.clientId).executeTakeFirst(),
      undefined,
    );
    const admin = await fx.signIn(await fx.person('Ada', 'Auditor', { departmentRoles: ['console-admin'] }));
    assert.equal((await admin.get('/directory/audit')).status, 200);
    await admin.get('/directory/applications/new');
    assert.equal((await admin.post('/directory/applications/new', form)).status, 200, 'the client secret page');
  });
});

describe('the console page of department roles', () => {
  test('a console administrator grants a role by User Name in any case; it is listed, audited, and counts from the next request', async () => {
    const admin = await fx.person('Cleo', 'Granter', { departmentRoles: ['console-admin'] });
    const browser = await fx.signIn(admin);
    const staffer = await fx.person('Gus', 'Granted');
    const stafferBrowser = await fx.signIn(staffer);
    assert.equal((await stafferBrowser.get('/directory')).status, 403);

    await browser.get('/directory/department-roles');
    const res = await browser.post('/directory/department-roles', {
      username: staffer.userName.toUpperCase(),
      role: 'help-desk',
    });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/directory/department-roles?notice=granted');
    const page = await browser.get(res.location!);
    assert.match(page.body, /The role is granted/);
    assert.match(
      page.body,
      new RegExp(`<td[^>]*>${staffer.userName}</td>\\s*<td[^>]*><span data-department-role="help-desk">`),
    );
    assert.deepEqual(
      (await granted(staffer.id, 'granted')).map((r) => [r.actor_id, r.detail]),
      [[admin.id, { role: 'help-desk' }]],
    );
    assert.equal((await stafferBrowser.get('/directory')).status, 200, 'the same session, on its next request');

    const again = await browser.post('/directory/department-roles', { username: staffer.userName, role: 'help-desk' });
    assert.equal(again.location, '/directory/department-roles?notice=already-held');
    assert.equal((await granted(staffer.id, 'granted')).length, 1);
  });

  test('refused with the reason: an unknown role, an unknown User Name, a pre-created profile; nothing is written', async () => {
    const browser = await fx.signIn(await fx.person('Rita', 'Refuser', { departmentRoles: ['console-admin'] }));
    const someone = await fx.person('Sid', 'Someone');
    const precreated = await portal.db
      .transaction()
      .execute((tx) => createProfile(tx, identityOnly({ firstName: 'Pre', lastName: 'Created' }), null));
    await browser.get('/directory/department-roles');
    for (const [fields, message] of [
      [{ username: someone.userName, role: 'superuser' }, /"superuser" is not a department role/],
      [{ username: 'NoSuchUser99', role: 'help-desk' }, /There is no profile with that User Name/],
      [{ username: precreated.userName, role: 'help-desk' }, /has not completed their profile yet/],
      [{ username: '', role: '' }, /Enter a User Name/],
    ] as const) {
      const res = await browser.post('/directory/department-roles', fields);
      assert.equal(res.status, 422, JSON.stringify(fields));
      assert.match(errorSummary(res.body).join(' '), message);
    }
    assert.deepEqual(await rolesOf(portal.db, someone.id), []);
    assert.deepEqual(await rolesOf(portal.db, precreated.id), []);
  });

  test('revoking console-admin takes effect on the person’s next request and ends nothing else; the last console administrator keeps theirs', async () => {
    // Only these two hold console-admin here (the others of this file are revoked first).
    const first = await fx.person('Fay', 'First', { departmentRoles: ['console-admin'] });
    const second = await fx.person('Sam', 'Second', { departmentRoles: ['console-admin'] });
    await portal.db
      .deleteFrom('department_role')
      .where('role', '=', 'console-admin')
      .where('profile_id', 'not in', [first.id, second.id])
      .execute();
    const firstBrowser = await fx.signIn(first);
    const secondBrowser = await fx.signIn(second);
    assert.equal((await secondBrowser.get('/directory/audit')).status, 200);

    await firstBrowser.get('/directory/department-roles');
    const revoked = await firstBrowser.post('/directory/department-roles/revoke', {
      username: second.userName,
      role: 'console-admin',
    });
    assert.equal(revoked.location, '/directory/department-roles?notice=revoked');
    assert.equal((await secondBrowser.get('/directory/audit')).status, 403, 'at once, on the next request');
    const home = await secondBrowser.get('/');
    assert.equal(home.status, 200);
    assert.match(
      home.body,
      new RegExp(`Your User Name is <strong>${second.userName}</strong>`),
      'still signed in: nothing else ended',
    );
    assert.deepEqual(
      (await granted(second.id, 'revoked')).map((r) => [r.actor_id, r.detail]),
      [[first.id, { role: 'console-admin' }]],
    );

    await firstBrowser.get('/directory/department-roles');
    const last = await firstBrowser.post('/directory/department-roles/revoke', {
      username: first.userName,
      role: 'console-admin',
    });
    assert.equal(last.status, 422);
    assert.match(errorSummary(last.body).join(' '), /is the last console administrator: the system must keep one/);
    assert.deepEqual(await rolesOf(portal.db, first.id), ['console-admin']);
    assert.equal((await firstBrowser.get('/directory/audit')).status, 200);
  });

  test('the same grant posted 40 times at once is one grant and one audit row', async () => {
    const browser = await fx.signIn(await fx.person('Mo', 'Many', { departmentRoles: ['console-admin'] }));
    const target = await fx.person('Tia', 'Target');
    await browser.get('/directory/department-roles');
    const responses = await Promise.all(
      Array.from({ length: 40 }, () =>
        browser.post('/directory/department-roles', { username: target.userName, role: 'licensure-evaluator' }),
      ),
    );
    assert.deepEqual([...new Set(responses.map((r) => r.status))], [303]);
    assert.equal(responses.filter((r) => r.location?.endsWith('notice=granted')).length, 1);
    assert.deepEqual(await rolesOf(portal.db, target.id), ['licensure-evaluator']);
    assert.equal((await granted(target.id, 'granted')).length, 1);
  });
});
