import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase, type Database } from '../../src/database.ts';
import { ssnHash } from '../../src/portal/identity.ts';
import { Browser, createProfile, textOf, type Person } from '../helpers/portal.ts';
import { spawnPortal, type PortalProcess } from '../helpers/server.ts';
import { profilesKept, type Expected } from './profiles-kept.ts';

/**
 * PostgreSQL itself crashes under load: a cluster of its own (fsync and synchronous commit
 * on, as in production) is stopped with `pg_ctl -m immediate` (no checkpoint, no clean
 * shutdown: what a power cut leaves, WAL replay on the next start) while clients create
 * profiles, then started again. The portal keeps running through it. Afterwards every
 * profile acknowledged to a client exists exactly once and whole, and so does every other.
 */

const CLIENTS = 12;
const KILLS = 3;
/** A round lasts a random 0.5–1.5 s after this many profiles were acknowledged in it. */
const MIN_ACKS_PER_ROUND = 4;
const ROUND_HARD_LIMIT_MS = 30_000;
const SSN_KEY = 'pgkill-test-ssn-key-0123456789abcdef0123';
const SECRETS = {
  hintQuestion: 'Name of your first school?',
  hintAnswer: 'Brookside, Room 9',
  password: 'PgKill7Pass',
};

const pgbin = (() => {
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v))
    : [];
  const latest = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  return latest && existsSync(`/usr/lib/postgresql/${latest}/bin/pg_ctl`)
    ? `/usr/lib/postgresql/${latest}/bin`
    : undefined;
})();

function withoutPostgresBinaries(): string | false {
  if (pgbin) return false;
  const reason =
    'no /usr/lib/postgresql/*/bin/pg_ctl: killing PostgreSQL needs a cluster of its own (apt-get install postgresql)';
  if (process.env.RELIABILITY_REQUIRED === '1') throw new Error(reason);
  console.warn(`SKIPPED PostgreSQL crash reliability: ${reason}`);
  return reason;
}

/** PostgreSQL refuses to run as root: as root (CI), its tools run as the postgres user. */
function pgTool(tool: string, args: string[]): void {
  const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const [command, ...rest] = [...asPostgres, `${pgbin}/${tool}`, ...args];
  execFileSync(command!, rest, { stdio: ['ignore', 'ignore', 'inherit'] });
}

interface Attempt {
  n: number;
  person: Person;
  ssnDigits: string;
  browser: Browser;
  state: 'running' | 'acknowledged' | 'in-flight';
  how?: 'under load' | 'committed when cut off' | 'retried after restart';
  userName?: string;
  mepid?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function letters(n: number): string {
  let s = '';
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

test(
  'PostgreSQL killed mid-load (fsync on) loses, duplicates and half-writes no profile',
  { skip: withoutPostgresBinaries(), timeout: 180_000 },
  async () => {
    const started = Date.now();
    const dir = mkdtempSync(join(tmpdir(), 'portal-pgkill-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'portal-pgkill-data-'));
    if (process.getuid?.() === 0) {
      chownSync(
        dir,
        Number(execFileSync('id', ['-u', 'postgres']).toString()),
        Number(execFileSync('id', ['-g', 'postgres']).toString()),
      );
    }
    chmodSync(dir, 0o700);
    // Unix socket only, in the cluster's own folder: no TCP port to find or to collide on.
    const databaseUrl = `postgres://portal@localhost/postgres?host=${encodeURIComponent(dir)}`;
    const settings = `-c listen_addresses= -k ${dir} -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=50`;
    const startPostgres = () =>
      pgTool('pg_ctl', ['-D', `${dir}/data`, '-l', `${dir}/log`, '-w', '-o', settings, 'start']);
    const killPostgres = () => pgTool('pg_ctl', ['-D', `${dir}/data`, '-m', 'immediate', 'stop']);
    pgTool('initdb', ['-D', `${dir}/data`, '-U', 'portal', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
    startPostgres();

    let server: PortalProcess | undefined;
    let database: Database | undefined;
    const attempts: Attempt[] = [];
    const unexpected: string[] = [];
    let kills = 0;
    const area = 100 + Math.floor(Math.random() * 500);
    try {
      server = await spawnPortal({
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        NODE_ENV: 'test',
        LOG_LEVEL: 'fatal',
        SSN_HMAC_KEY: SSN_KEY,
        SECRETS_KEY: 'pgkill-test-secrets-key-0123456789abcdef',
        RATE_LIMIT_POSTS_PER_MINUTE: '0',
        FAULT_INJECT: '',
      });
      const origin = new URL(server.url);
      const portal = server;

      function newAttempt(): Attempt {
        const n = attempts.length;
        const ssnDigits = `${area}${String(10 + (n % 90)).padStart(2, '0')}${String(1000 + n).padStart(4, '0')}`;
        const attempt: Attempt = {
          n,
          person: {
            firstName: 'Petra',
            lastName: `Pgkill${letters(n)}`,
            dob: [String(1 + (n % 12)), String(1 + (n % 28)), String(1950 + (n % 50))],
            ssn: `${ssnDigits.slice(0, 3)}-${ssnDigits.slice(3, 5)}-${ssnDigits.slice(5)}`,
          },
          ssnDigits,
          browser: new Browser(origin),
          state: 'running',
        };
        attempts.push(attempt);
        return attempt;
      }

      async function create(attempt: Attempt, how: NonNullable<Attempt['how']>): Promise<boolean> {
        const result = await createProfile(attempt.browser, attempt.person, SECRETS);
        if (!result.userName || !result.mepid) return false;
        Object.assign(attempt, { state: 'acknowledged', how, userName: result.userName, mepid: result.mepid });
        return true;
      }

      let killing = false;
      async function client(): Promise<void> {
        while (!killing && unexpected.length === 0) {
          const attempt = newAttempt();
          try {
            if (await create(attempt, 'under load')) continue;
            if (!killing) unexpected.push(`create #${attempt.n} ended without User Name and MEPID before any kill`);
          } catch (e) {
            if (!killing) unexpected.push(`create #${attempt.n} failed before any kill: ${String(e)}`);
          }
          attempt.state = 'in-flight';
        }
      }

      for (let round = 1; round <= KILLS; round++) {
        killing = false;
        const acksBefore = attempts.filter((a) => a.state === 'acknowledged').length;
        const clients = Array.from({ length: CLIENTS }, () => client());
        const hardLimit = Date.now() + ROUND_HARD_LIMIT_MS;
        let killAt = Infinity;
        while (Date.now() < hardLimit && Date.now() < killAt && unexpected.length === 0) {
          const acks = attempts.filter((a) => a.state === 'acknowledged').length - acksBefore;
          if (acks >= MIN_ACKS_PER_ROUND && killAt === Infinity) killAt = Date.now() + 500 + Math.random() * 1_000;
          await sleep(20);
        }
        // The flag first: whatever fails from now on was cut off by the crash, not a bug.
        killing = true;
        killPostgres();
        kills++;
        await Promise.all(clients);
        startPostgres();
        const alive = portal.child.exitCode === null && portal.child.signalCode === null;
        assert.ok(
          alive,
          `the portal outlives a crash of its database (round ${round}: it exited with ${portal.child.exitCode ?? portal.child.signalCode})`,
        );
      }
      assert.deepEqual(unexpected, [], 'no failure other than those a kill explains');

      // Each person cut off comes back with their browser: the done page shows the profile when
      // it was committed (it and the wizard's result are one transaction); otherwise they start again.
      database = await openDatabase({ databaseUrl, dataDir: 'memory://', poolSize: 2 });
      const committed = new Map(
        (await database.db.selectFrom('profile').select(['ssn_hash', 'user_name', 'mepid']).execute()).map((r) => [
          r.ssn_hash,
          r,
        ]),
      );
      const halfShown: string[] = [];
      for (const attempt of attempts.filter((a) => a.state === 'in-flight')) {
        const page = await attempt.browser.follow(await attempt.browser.get('/profile/new/done'));
        const shown = [textOf(page.body, 'data-username'), textOf(page.body, 'data-mepid')];
        const row = committed.get(ssnHash(SSN_KEY, attempt.ssnDigits));
        if (row) {
          if (shown[0] !== row.user_name || shown[1] !== row.mepid)
            halfShown.push(`#${attempt.n}: ${row.user_name} committed, its wizard shows ${shown.join('/')}`);
          Object.assign(attempt, {
            state: 'acknowledged',
            how: 'committed when cut off',
            userName: row.user_name,
            mepid: row.mepid,
          });
        } else if (!(await create(attempt, 'retried after restart'))) {
          halfShown.push(`#${attempt.n}: starting again after the restart did not create the profile`);
        }
      }
      const acknowledged = attempts.filter((a) => a.state === 'acknowledged');
      const expected: Expected[] = acknowledged.map((a) => ({
        label: `#${a.n} (${a.how})`,
        ssnHash: ssnHash(SSN_KEY, a.ssnDigits),
        userName: a.userName,
        mepid: a.mepid,
      }));
      const found = await profilesKept(database.db, expected);

      const by = (how: Attempt['how']) => attempts.filter((a) => a.how === how).length;
      console.log(
        `PostgreSQL crash reliability: profiles attempted ${attempts.length}, acknowledged ${by('under load')} under load ` +
          `(+${by('committed when cut off')} committed when cut off, +${by('retried after restart')} retried after restart), ` +
          `PostgreSQL killed ${kills} times (pg_ctl -m immediate, fsync on), records checked ${found.profiles}, ` +
          `lost ${found.lost.length}, duplicated ${found.duplicated.length}, half-written ${found.halfWritten.length}, ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      assert.equal(
        by('under load') >= KILLS * MIN_ACKS_PER_ROUND,
        true,
        `at least ${MIN_ACKS_PER_ROUND} acknowledged before each kill`,
      );
      assert.equal(found.profiles, acknowledged.length, 'one profile per acknowledged attempt, no other');
      assert.deepEqual(found.lost, [], 'no acknowledged profile is lost');
      assert.deepEqual(found.duplicated, [], 'no profile exists twice');
      assert.deepEqual(found.halfWritten, [], 'no profile is half-written');
      assert.deepEqual(halfShown, [], 'the wizard shows what was committed, and a retry creates what was not');
    } finally {
      await server?.stop().catch(() => undefined);
      await database?.close();
      try {
        killPostgres();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
