import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { migrate, openDatabase } from '../src/database.ts';
import { enqueue } from '../src/platform/jobs/queue.ts';
import { JobRunner } from '../src/platform/jobs/runner.ts';

/** The command line as an operator uses it, on its own embedded database. */
const dataDir = mkdtempSync(join(tmpdir(), 'portal-cli-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  return cliIn(dataDir, args, env);
}

function cliIn(dir: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const err = result.stderr.trim();
  const lines = err === '' ? [] : err.split('\n');
  // The first line on stderr says which database was opened; what follows is the reason for a failure.
  const opened = lines[0]?.startsWith('Database: ') ? lines[0] : undefined;
  return {
    status: result.status,
    out: result.stdout.trim(),
    err,
    opened,
    reason: (opened ? lines.slice(1) : lines).join('\n'),
  };
}

/** The application's row and its grants, read while no CLI runs (PGlite is single-process). */
async function applicationIn(dir: string, id: string) {
  const database = await openDatabase({ databaseUrl: undefined, dataDir: dir });
  try {
    const app = await database.db.selectFrom('application').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const grants = await database.db
      .selectFrom('role_grant')
      .select('role')
      .where('application_id', '=', id)
      .orderBy('role')
      .execute();
    return {
      access: app.access,
      roles: app.roles,
      name: app.name,
      sealedSecret: app.client_secret_encrypted,
      grants: grants.map((g) => g.role),
    };
  } finally {
    await database.close();
  }
}

describe('npm run cli', () => {
  test('org import, diradmin add, role grant and revoke; one-line errors with exit 1', () => {
    const csv = join(dataDir, 'orgs.csv');
    writeFileSync(
      csv,
      'code,name,type,town,phone\n00010000,Alpha District,district,Alpha,\n00010505,Alpha High,school,Alpha,\nbad,Broken,school,,\n',
    );
    const imported = cli(['org', 'import', csv]);
    assert.equal(imported.status, 1, 'a file with a rejected line is not a success');
    assert.match(imported.out, /^line 4: code "bad" is not 8 digits$/m);
    assert.match(imported.out, /3 rows: 2 added, 0 updated, 0 unchanged, 1 rejected$/);
    assert.equal(
      imported.reason,
      '1 line was rejected (listed above); the other rows were imported. Correct it and import the file again.',
    );

    const clean = join(dataDir, 'clean.csv');
    writeFileSync(clean, 'code,name,type,town,phone\n00010000,Alpha District,district,Alpha,\n');
    const again = cli(['org', 'import', clean]);
    assert.equal(again.status, 0, again.err);
    assert.equal(
      again.out,
      '1 rows: 0 added, 0 updated, 1 unchanged, 0 rejected',
      'the good rows of the first import are there',
    );

    const demo = cli(['seed-demo']);
    assert.equal(demo.status, 0, demo.err);
    assert.match(demo.out, /User Name JRivera/);

    const designated = cli([
      'diradmin',
      'add',
      '--org',
      '00010000',
      '--username',
      'JRivera',
      '--email',
      'jordan@alpha.example',
    ]);
    assert.equal(designated.status, 0, designated.err);
    assert.equal(designated.out, 'JRivera is a Directory Administrator of Alpha District (00010000)');

    const granted = cli([
      'role',
      'grant',
      '--username',
      'JRivera',
      '--org',
      '00010505',
      '--app',
      'sims',
      '--role',
      'user',
    ]);
    assert.equal(granted.out, 'Granted sims user in 00010505 to JRivera');
    assert.equal(
      cli(['role', 'grant', '--username', 'JRivera', '--org', '00010505', '--app', 'sims', '--role', 'user']).out,
      'Already granted',
    );
    assert.equal(
      cli(['role', 'revoke', '--username', 'JRivera', '--org', '00010505', '--app', 'sims', '--role', 'user']).out,
      'Revoked sims user in 00010505 from JRivera',
    );

    const added = cli([
      'app',
      'add',
      '--client-id',
      'gradebook',
      '--name',
      'Gradebook',
      '--redirect-uri',
      'https://gradebook.example.gov/callback',
      '--restricted',
      '--roles',
      'teacher,viewer',
    ]);
    assert.equal(added.status, 0, added.err);
    assert.match(added.out, /^client secret: [A-Za-z0-9_-]{43}$/m);
    const rotated = cli(['keys', 'rotate']);
    assert.equal(rotated.status, 0, rotated.err);
    assert.match(rotated.out, /^New signing key \S+; 0 old key\(s\) retired/);

    for (const [args, message] of [
      [
        ['app', 'add', '--client-id', 'Bad Id', '--name', 'X', '--redirect-uri', 'https://x.example/cb'],
        /Client id must be/,
      ],
      [
        ['app', 'add', '--client-id', 'plain', '--name', 'X', '--redirect-uri', 'http://x.example/cb'],
        /Redirect URI must use https/,
      ],
      [['app', 'add', '--client-id', 'plain', '--name', 'X'], /Missing --redirect-uri/],
      [
        ['role', 'grant', '--username', 'jrivera', '--org', '00010505', '--app', 'sims', '--role', 'user'],
        /No profile with User Name "jrivera"/,
      ],
      [
        ['role', 'grant', '--username', 'JRivera', '--org', '00010505', '--app', 'sims', '--role', 'root'],
        /SIMS has no role "root"/,
      ],
      [['diradmin', 'add', '--org', '99990000', '--username', 'JRivera'], /No organization with code 99990000/],
      [['diradmin', 'add', '--username', 'JRivera'], /Missing --org/],
      [['org', 'import', join(dataDir, 'missing.csv')], /ENOENT|no such file/],
    ] as Array<[string[], RegExp]>) {
      const r = cli(args);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.reason, message);
      assert.equal(r.reason.split('\n').length, 1, `one line: ${r.reason}`);
    }
  });

  test('app add refuses a client id that is already registered unless --replace is given', async (t) => {
    const own = mkdtempSync(join(tmpdir(), 'portal-cli-app-'));
    t.after(() => rmSync(own, { recursive: true, force: true }));
    const cli = (args: string[]) => cliIn(own, args);
    const applicationState = (id: string) => applicationIn(own, id);
    assert.equal(cli(['seed-demo']).status, 0);
    assert.equal(
      cli(['role', 'grant', '--username', 'JRivera', '--org', '00350505', '--app', 'sims', '--role', 'user']).status,
      0,
    );
    assert.equal(
      cli(['role', 'grant', '--username', 'JRivera', '--org', '00350505', '--app', 'sims', '--role', 'submitter'])
        .status,
      0,
    );
    const before = await applicationState('sims');
    assert.deepEqual(
      [before.access, before.roles, before.grants],
      ['restricted', ['user', 'submitter'], ['submitter', 'user']],
    );

    // What the review did: re-adding SIMS without --restricted or its roles.
    const refused = cli([
      'app',
      'add',
      '--client-id',
      'sims',
      '--name',
      'SIMS',
      '--redirect-uri',
      'https://sims.example.gov/cb',
    ]);
    assert.equal(refused.status, 1);
    assert.equal(refused.out, '', 'no secret printed');
    assert.equal(
      refused.reason,
      'An application with client id sims is already registered (SIMS, restricted, roles user, submitter). To replace its registration, run the command again with --replace.',
    );
    assert.deepEqual(
      await applicationState('sims'),
      before,
      'SIMS is unchanged: still restricted, same roles, grants and secret',
    );

    const gradebook = cli([
      'app',
      'add',
      '--client-id',
      'gradebook2',
      '--name',
      'Gradebook',
      '--redirect-uri',
      'https://gradebook.example.gov/callback',
    ]);
    assert.equal(gradebook.status, 0, gradebook.err);
    const sealed = (await applicationState('gradebook2')).sealedSecret;
    const twice = cli([
      'app',
      'add',
      '--client-id',
      'gradebook2',
      '--name',
      'Other',
      '--redirect-uri',
      'https://other.example.gov/callback',
    ]);
    assert.equal(twice.status, 1);
    assert.match(
      twice.reason,
      /^An application with client id gradebook2 is already registered \(Gradebook, open to any profile, roles user\)/,
    );
    assert.equal((await applicationState('gradebook2')).sealedSecret, sealed, 'its secret still works');
    const replacedGradebook = cli([
      'app',
      'add',
      '--client-id',
      'gradebook2',
      '--name',
      'Gradebook',
      '--redirect-uri',
      'https://gradebook.example.gov/cb',
      '--replace',
    ]);
    assert.equal(replacedGradebook.status, 0, replacedGradebook.err);
    assert.match(
      replacedGradebook.out,
      /^It had no role grants\.\nThe old client secret no longer works\.\nclient id: gradebook2\n/m,
    );

    const replaced = cli([
      'app',
      'add',
      '--client-id',
      'sims',
      '--name',
      'SIMS',
      '--redirect-uri',
      'https://sims.example.gov/cb',
      '--restricted',
      '--roles',
      'user,reviewer',
      '--replace',
    ]);
    assert.equal(replaced.status, 0, replaced.err);
    const lines = replaced.out.split('\n');
    assert.deepEqual(lines.slice(0, -1), [
      'Replaced the registration of sims (SIMS): restricted (was restricted); roles user, reviewer (was user, submitter).',
      'Removed 1 role grant of a role it no longer has (submitter); kept 1.',
      'client id: sims',
    ]);
    assert.match(lines.at(-1)!, /^client secret: [A-Za-z0-9_-]{43}$/);
    const now = await applicationState('sims');
    assert.deepEqual([now.access, now.roles, now.grants], ['restricted', ['user', 'reviewer'], ['user']]);
    assert.notEqual(now.sealedSecret, before.sealedSecret);
  });

  test('staff grant and revoke department roles by User Name; refusals are one line with exit 1', async (t) => {
    const own = mkdtempSync(join(tmpdir(), 'portal-cli-staff-'));
    t.after(() => rmSync(own, { recursive: true, force: true }));
    const cli = (args: string[]) => cliIn(own, args);
    assert.equal(cli(['--create', 'seed-demo']).status, 0);
    const staff = (...args: string[]) => cli(['staff', ...args]);

    assert.deepEqual(
      [
        staff('grant', '--username', 'JRivera', '--role', 'help-desk').out,
        staff('grant', '--username', 'JRivera', '--role', 'help-desk').out,
      ],
      ['Granted help-desk to JRivera', 'JRivera already holds help-desk'],
    );
    const revoked = staff('revoke', '--username', 'JRivera', '--role', 'help-desk');
    assert.equal(revoked.status, 0, revoked.err);
    assert.equal(revoked.out, 'Revoked help-desk from JRivera');
    assert.equal(staff('revoke', '--username', 'JRivera', '--role', 'help-desk').out, 'JRivera did not hold help-desk');
    assert.equal(staff('grant', '--username', 'JRivera', '--role', 'console-admin').status, 0);

    const database = await openDatabase({ databaseUrl: undefined, dataDir: own });
    let precreated: string;
    let events: unknown[];
    try {
      precreated = (
        await database.db
          .selectFrom('profile')
          .select('user_name')
          .where('status', '=', 'precreated')
          .executeTakeFirstOrThrow()
      ).user_name;
      const rows = await database.db
        .selectFrom('audit_event')
        .select(['type', 'actor_id', 'detail'])
        .where('type', 'like', 'departmentRole.%')
        .orderBy('id')
        .execute();
      events = rows.map((r) => [r.type, r.actor_id, r.detail]);
    } finally {
      await database.close();
    }
    assert.deepEqual(events, [
      ['departmentRole.granted', null, { role: 'licensure-evaluator' }], // the demo's evaluator
      ['departmentRole.granted', null, { role: 'help-desk' }],
      ['departmentRole.revoked', null, { role: 'help-desk' }],
      ['departmentRole.granted', null, { role: 'console-admin' }],
    ]);

    for (const [args, message] of [
      [
        ['grant', '--username', 'JRivera', '--role', 'root'],
        /^"root" is not a department role: choose one of console-admin, licensure-evaluator, licensure-supervisor, payments, help-desk$/,
      ],
      [['grant', '--username', 'jrivera', '--role', 'help-desk'], /^No profile with User Name "jrivera"/],
      [['grant', '--username', precreated, '--role', 'help-desk'], /has not completed their profile yet/],
      [['grant', '--username', 'JRivera'], /^Missing --role/],
      [
        ['revoke', '--username', 'JRivera', '--role', 'console-admin'],
        /^JRivera is the last console administrator: the system must keep one/,
      ],
    ] as Array<[string[], RegExp]>) {
      const r = staff(...args);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.reason, message);
      assert.equal(r.reason.split('\n').length, 1, `one line: ${r.reason}`);
    }
  });

  test('says which database it opened, never with its password', () => {
    const r = cli(['keys', 'rotate']);
    assert.equal(r.status, 0, r.err);
    assert.equal(r.opened, `Database: embedded (PGlite) in ${resolve(dataDir)}`);
    const server = cli(['keys', 'rotate'], {
      DATABASE_URL: 'postgres://portal:hunter2@127.0.0.1:1/portal?sslmode=disable&password=hunter2',
    });
    assert.equal(server.status, 1);
    assert.equal(server.opened, 'Database: postgres://portal@127.0.0.1:1/portal');
    assert.ok(!server.err.includes('hunter2'));
  });

  test('a missing embedded database is created only when asked with --create', () => {
    const parent = mkdtempSync(join(tmpdir(), 'portal-cli-new-'));
    try {
      const absent = join(parent, 'data');
      const refused = cli(['seed-demo'], { DATA_DIR: absent });
      assert.equal(refused.status, 1);
      assert.equal(
        refused.err,
        `No database in ${absent} (DATA_DIR). Set DATA_DIR to the server's, or add --create to create a new one there.`,
      );
      assert.equal(existsSync(absent), false, 'nothing was created');

      const created = cli(['--create', 'seed-demo'], { DATA_DIR: absent });
      assert.equal(created.status, 0, created.err);
      assert.equal(created.opened, `Database: embedded (PGlite) in ${absent}, created now`);
      assert.match(created.out, /User Name JRivera/);
      const reopened = cli(['keys', 'rotate'], { DATA_DIR: absent });
      assert.equal(reopened.status, 0, reopened.err);
      assert.equal(reopened.opened, `Database: embedded (PGlite) in ${absent}`);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('seed-demo is refused under NODE_ENV=production, as DEMO=1 is: its people’s passwords are published (attack review, Stop 19)', () => {
    const parent = mkdtempSync(join(tmpdir(), 'portal-cli-prod-'));
    try {
      const production = { NODE_ENV: 'production', SSN_HMAC_KEY: 'k'.repeat(32), SECRETS_KEY: 's'.repeat(32) };
      const refused = cli(['--create', 'seed-demo'], { ...production, DATA_DIR: join(parent, 'data') });
      assert.equal(refused.status, 1);
      assert.match(refused.reason, /seed-demo is refused when NODE_ENV=production/);
      assert.doesNotMatch(refused.out, /User Name/, 'no demo person was added');
      assert.equal(existsSync(join(parent, 'data')), false, 'not even a database was made for them');
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('no command, or an unknown one, prints the usage and exits 1; help exits 0', () => {
    const none = cli([]);
    assert.equal(none.status, 1);
    assert.match(none.err, /^No command given\.\nUsage: npm run cli -- \[--create\] <command>\n/);
    const unknown = cli(['frobnicate']);
    assert.equal(unknown.status, 1);
    assert.match(
      unknown.err,
      /^Unknown command "frobnicate"\.\nUsage: npm run cli -- \[--create\] <command>\n[\s\S]*app add --client-id ID/,
    );
    const help = cli(['help']);
    assert.equal(help.status, 0);
    assert.match(help.out, /^Usage: npm run cli -- \[--create\] <command>\n/);
  });

  test('jobs dead lists the jobs given up on with their last error; jobs retry queues one again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portal-cli-jobs-'));
    try {
      const database = await openDatabase({ databaseUrl: undefined, dataDir: dir });
      await migrate(database.db);
      const id = (await enqueue(database.db, 'sso.backchannel-logout', { clientId: 'gradebook' }, { maxAttempts: 1 }))!;
      await new JobRunner(database.db)
        .handle('sso.backchannel-logout', async () => {
          throw new Error('expected 200 OK from https://gradebook.example.gov/logout, got: 503 Service Unavailable');
        })
        .runDue();
      await database.close();

      const dead = cliIn(dir, ['jobs', 'dead']);
      assert.equal(dead.status, 0, dead.err);
      assert.match(
        dead.out,
        new RegExp(
          `^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z sso\\.backchannel-logout ${id} after 1 attempt: Error: expected 200 OK from https://gradebook\\.example\\.gov/logout, got: 503 Service Unavailable$`,
        ),
      );
      const retried = cliIn(dir, ['jobs', 'retry', '--id', id]);
      assert.equal(retried.status, 0, retried.err);
      assert.equal(retried.out, `Job ${id} (sso.backchannel-logout) is queued again, from its first attempt.`);
      assert.equal(cliIn(dir, ['jobs', 'dead']).out, 'No dead jobs.');
      const unknown = cliIn(dir, ['jobs', 'retry', '--id', id]);
      assert.equal(unknown.status, 1);
      assert.equal(unknown.reason, `No dead job ${id}.`);
      assert.equal(cliIn(dir, ['jobs', 'retry', '--id', 'not-an-id']).reason, 'No dead job not-an-id.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
