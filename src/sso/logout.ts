import { sql } from 'kysely';
import type Provider from 'oidc-provider';
import type { Db } from '../database.ts';
import { findApplication, mayUseApplication } from '../directory/index.ts';
import { faultPoint } from '../platform/faults.ts';
import { enqueue } from '../platform/jobs/queue.ts';
import type { JobHandler } from '../platform/jobs/runner.ts';

interface BackchannelClient {
  backchannelLogoutUri?: string;
  backchannelLogout(sub: string, sid: string | undefined): Promise<void>;
}

const accountIdOf = sql<string>`payload->>'accountId'`;

/** A provider session as oidc-provider stores it: whose, and which applications it signed in to. */
interface ProviderSession {
  id: string;
  accountId: string | undefined;
  authorizations: Record<string, { sid?: string; grantId?: string } | undefined>;
}

/**
 * The provider sessions still alive, read in the caller's transaction rather than through
 * the provider (whose adapter has its own connection: on PGlite, the one the transaction
 * holds), so what is read and what is queued belong to the same commit.
 */
async function providerSessions(
  db: Db,
  which: { sessionId: string } | { accountId: string; exceptSessionId?: string },
): Promise<ProviderSession[]> {
  const rows = await db
    .selectFrom('oidc_model')
    .select(['id', 'payload'])
    .where('model', '=', 'Session')
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', new Date())]))
    .where((eb) =>
      'sessionId' in which
        ? eb('id', '=', which.sessionId)
        : eb.and([
            eb(accountIdOf, '=', which.accountId),
            ...(which.exceptSessionId ? [eb('id', '!=', which.exceptSessionId)] : []),
          ]),
    )
    .execute();
  return rows.map(({ id, payload }) => {
    const session = payload as { accountId?: string; authorizations?: ProviderSession['authorizations'] };
    return { id, accountId: session.accountId, authorizations: session.authorizations ?? {} };
  });
}

/**
 * One back-channel logout job for each of these applications the session signed in to and
 * that listens for them. Called in the transaction that ends the session or the grants: the
 * jobs exist exactly when the change is committed.
 */
async function queueLogoutsOf(db: Db, session: ProviderSession, clientIds: string[]): Promise<void> {
  if (!session.accountId) return;
  for (const clientId of clientIds) {
    const authorization = session.authorizations[clientId];
    if (!authorization) continue;
    if (!(await findApplication(db, clientId))?.backchannel_logout_uri) continue;
    await queueBackchannelLogout(db, { clientId, accountId: session.accountId, sid: authorization.sid });
  }
}

/**
 * Single sign-out (SPEC S3): ending the portal session also ends the provider's sessions
 * for that browser and tells every application that has a back-channel logout URI, then
 * revokes the grants' tokens. For a whole account (a new password, "sign out everywhere")
 * it also revokes every token and grant the account still holds, including refresh tokens
 * that outlived their session; a person changing their password keeps this browser's.
 * One transaction: a crash leaves the sessions and no logout queued, or neither.
 */
export async function endProviderSessions(
  db: Db,
  which: { sessionId: string } | { accountId: string; exceptSessionId?: string },
): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const sessions = await providerSessions(tx, which);
    for (const session of sessions) {
      // A job: a relying party that is down neither keeps the person signed in to the
      // portal nor misses the logout; it is told when it is back.
      await queueLogoutsOf(tx, session, Object.keys(session.authorizations));
      const grantIds = Object.values(session.authorizations).flatMap((a) => (a?.grantId ? [a.grantId] : []));
      if (grantIds.length > 0)
        await tx
          .deleteFrom('oidc_model')
          .where((eb) =>
            eb.or([eb('grant_id', 'in', grantIds), eb.and([eb('model', '=', 'Grant'), eb('id', 'in', grantIds)])]),
          )
          .execute();
      await tx.deleteFrom('oidc_model').where('model', '=', 'Session').where('id', '=', session.id).execute();
    }
    if ('accountId' in which) await revokeAccount(tx, which.accountId, which.exceptSessionId);
    return sessions.length;
  });
}

async function revokeAccount(db: Db, accountId: string, exceptSessionId: string | undefined): Promise<void> {
  const [kept] = exceptSessionId ? await providerSessions(db, { sessionId: exceptSessionId }) : [];
  const keptGrants = Object.values(kept?.authorizations ?? {}).flatMap((a) => (a?.grantId ? [a.grantId] : []));
  await db
    .deleteFrom('oidc_model')
    .where(accountIdOf, '=', accountId)
    .where('model', '!=', 'Session')
    .$if(keptGrants.length > 0, (q) =>
      q.where((eb) =>
        eb.and([
          eb.or([eb('grant_id', 'is', null), eb('grant_id', 'not in', keptGrants)]),
          eb.not(eb.and([eb('model', '=', 'Grant'), eb('id', 'in', keptGrants)])),
        ]),
      ),
    )
    .execute();
}

const clientIdOf = sql<string>`payload->>'clientId'`;

/**
 * Revoking a role (or the organization it was in becoming inactive) ends what the person
 * holds at that application: its grants and every token issued under them, refresh tokens
 * included, so the application cannot keep using a role that is gone (issue 11), and queues
 * a back-channel logout for each of the account's provider sessions signed in to it. Runs
 * in the transaction of the change, so the revocation and the telling of the application
 * are committed together or not at all; the provider session and other applications stay.
 */
export async function revokeApplicationGrants(db: Db, accountId: string, clientIds: string[]): Promise<void> {
  if (clientIds.length === 0) return;
  const grants = await db
    .selectFrom('oidc_model')
    .select('id')
    .where('model', '=', 'Grant')
    .where(accountIdOf, '=', accountId)
    .where(clientIdOf, 'in', clientIds)
    .execute();
  const grantIds = grants.map((g) => g.id);
  await db
    .deleteFrom('oidc_model')
    .where('model', '!=', 'Session')
    .where((eb) =>
      eb.or([
        eb.and([eb(accountIdOf, '=', accountId), eb(clientIdOf, 'in', clientIds)]),
        ...(grantIds.length > 0 ? [eb('grant_id', 'in', grantIds)] : []),
      ]),
    )
    .execute();
  for (const session of await providerSessions(db, { accountId })) await queueLogoutsOf(db, session, clientIds);
  faultPoint('grants.revoke:after-queue-logouts');
}

/**
 * An application made restricted (outside review F3): everyone who holds its grants or
 * tokens without a role that gives access loses them, as with a revoked role (and its
 * back-channel logouts). Returns those accounts.
 */
export async function revokeWhereNoAccess(db: Db, clientId: string): Promise<string[]> {
  const holders = await db
    .selectFrom('oidc_model')
    .select(accountIdOf.as('accountId'))
    .distinct()
    .where('model', '!=', 'Session')
    .where(clientIdOf, '=', clientId)
    .where(accountIdOf, 'is not', null)
    .execute();
  const cut: string[] = [];
  for (const { accountId } of holders) {
    if (await mayUseApplication(db, accountId, clientId)) continue;
    await revokeApplicationGrants(db, accountId, [clientId]);
    cut.push(accountId);
  }
  return cut;
}

/** The job that tells one application that one of its sessions has ended. */
export const BACKCHANNEL_LOGOUT_JOB = 'sso.backchannel-logout';
/** With the default backoff (10 s, doubling, at most an hour) an application is tried for about three and a half hours. */
const BACKCHANNEL_LOGOUT_ATTEMPTS = 12;

export interface BackchannelLogout {
  clientId: string;
  accountId: string;
  sid: string | undefined;
}

/** One application to be told that one of its sessions has ended, by a job (`deliverBackchannelLogout`). */
export async function queueBackchannelLogout(
  db: Db,
  delivery: BackchannelLogout,
  options: { attemptsMade?: number } = {},
): Promise<void> {
  await enqueue(
    db,
    BACKCHANNEL_LOGOUT_JOB,
    { ...delivery },
    { maxAttempts: BACKCHANNEL_LOGOUT_ATTEMPTS - (options.attemptsMade ?? 0) },
  );
}

/** Delivers one back-channel logout; an answer other than 200/204 fails the attempt. */
export function deliverBackchannelLogout(provider: Provider): JobHandler {
  return async (payload) => {
    const { clientId, accountId, sid } = payload as unknown as BackchannelLogout;
    const client = (await provider.Client.find(clientId)) as BackchannelClient | undefined;
    // Removed since, or no longer listening: there is no one left to tell.
    if (!client?.backchannelLogoutUri) return;
    await client.backchannelLogout(accountId, sid);
  };
}
