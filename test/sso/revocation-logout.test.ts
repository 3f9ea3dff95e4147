import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/database.ts';
import { BACKCHANNEL_LOGOUT_JOB } from '../../src/sso/logout.ts';
import { directoryFixture } from '../helpers/directory.ts';
import type { LogoutReceiver } from '../helpers/relying-party.ts';
import { grantRoleAt, logoutReceiver, portalAtIssuer, relyingParty, signInTo } from '../helpers/relying-party.ts';
import { throwawayDatabase } from '../helpers/throwaway-database.ts';

/**
 * Issue 12: revoking a role and telling the application by back-channel logout are one
 * commit. A process killed inside the revocation's transaction, after the logout was
 * queued, leaves neither; the same revocation run again leaves both. On PGlite in a
 * temporary directory, or with DATABASE_URL on PostgreSQL, so another process can share it.
 */

let receiver: LogoutReceiver;
let dataDir: string;
let throwaway: Awaited<ReturnType<typeof throwawayDatabase>> | undefined;

before(async () => {
  receiver = await logoutReceiver();
  dataDir = mkdtempSync(join(tmpdir(), 'revocation-logout-'));
  if (process.env.DATABASE_URL) throwaway = await throwawayDatabase(process.env.DATABASE_URL, 'revocation_logout');
});
after(async () => {
  await receiver.close();
  await throwaway?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const databaseEnv = () => ({ DATA_DIR: dataDir, ...(throwaway ? { DATABASE_URL: throwaway.url } : {}) });

/** Revokes the role in another process, as the console does; resolves with how it ended. */
function revokeInAnotherProcess(
  args: string[],
  fault: string,
): Promise<{ code: number | null; signal: string | null }> {
  const worker = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/revoke-worker.ts', ...args], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...databaseEnv(), FAULT_INJECT: fault },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise((resolve) => worker.on('exit', (code, signal) => resolve({ code, signal })));
}

/** What the console and an operator would see of the teacher: roles, Gradebook's hold, logouts to send, audit. */
async function lookAt(teacherId: string) {
  const { db, close } = await openDatabase({ databaseUrl: throwaway?.url, dataDir });
  try {
    const roles = await db.selectFrom('role_grant').select('role').where('profile_id', '=', teacherId).execute();
    const held = await db
      .selectFrom('oidc_model')
      .select('model')
      .where('model', '!=', 'Session')
      .where(sql<string>`payload->>'accountId'`, '=', teacherId)
      .where(sql<string>`payload->>'clientId'`, '=', 'gradebook')
      .execute();
    const logouts = await db.selectFrom('job').select('payload').where('name', '=', BACKCHANNEL_LOGOUT_JOB).execute();
    const audited = await db.selectFrom('audit_event').select('id').where('type', '=', 'role.revoked').execute();
    return {
      roles: roles.map((r) => r.role),
      gradebookHolds: held.length > 0,
      logouts: logouts.map((j) => j.payload),
      revocationsAudited: audited.length,
    };
  } finally {
    await close();
  }
}

test('a crash inside the revocation keeps the role and queues no logout; the revocation run again does both', async () => {
  const { portal, issuer } = await portalAtIssuer(databaseEnv());
  const redirectUri = 'http://127.0.0.1:9994/callback';
  const rp = await relyingParty(portal, issuer, {
    id: 'gradebook',
    redirectUris: [redirectUri],
    backchannelLogoutUri: receiver.uri('/logout'),
  });
  const fx = directoryFixture(portal);
  const { school } = await fx.districtWithSchool();
  const teacher = await fx.person('Tess', 'Teacher');
  await grantRoleAt(portal, teacher, school, 'gradebook', 'teacher');
  const { sid } = await signInTo(portal, issuer, rp, teacher, { redirectUri });
  // PGlite is one process's: the worker opens the directory while this process has it closed.
  await portal.close();
  const signedIn = { roles: ['teacher'], gradebookHolds: true, logouts: [], revocationsAudited: 0 };
  assert.deepEqual(await lookAt(teacher.id), signedIn);

  const args = [teacher.id, school.code, 'gradebook', 'teacher'];
  const killed = await revokeInAnotherProcess(args, 'grants.revoke:after-queue-logouts');
  assert.equal(killed.signal, 'SIGKILL', 'the worker died at the fault point');
  assert.deepEqual(await lookAt(teacher.id), signedIn, 'nothing of the revocation was kept, and no logout queued');

  const done = await revokeInAnotherProcess(args, '');
  assert.equal(done.code, 0);
  assert.deepEqual(
    await lookAt(teacher.id),
    {
      roles: [],
      gradebookHolds: false,
      logouts: [{ clientId: 'gradebook', accountId: teacher.id, sid }],
      revocationsAudited: 1,
    },
    'the role, its grants and tokens gone, and Gradebook to be told, in one commit',
  );
});
