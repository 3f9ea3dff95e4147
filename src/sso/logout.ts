import type Provider from 'oidc-provider';
import { sql } from 'kysely';
import type { Db } from '../database.ts';
import { mayUseApplication } from '../directory/index.ts';
import { enqueue } from '../platform/jobs/queue.ts';
import type { JobHandler } from '../platform/jobs/runner.ts';

interface BackchannelClient {
  backchannelLogoutUri?: string;
  backchannelLogout(sub: string, sid: string | undefined): Promise<void>;
}

const accountIdOf = sql<string>`payload->>'accountId'`;

/**
 * Single sign-out (SPEC S3): ending the portal session also ends the provider's sessions
 * for that browser and tells every application that has a back-channel logout URI, then
 * revokes the grants' tokens. For a whole account (a new password, "sign out everywhere")
 * it also revokes every token and grant the account still holds, including refresh tokens
 * that outlived their session; a person changing their password keeps this browser's.
 */
export async function endProviderSessions(
  provider: Provider,
  db: Db,
  which: { sessionId: string } | { accountId: string; exceptSessionId?: string },
): Promise<number> {
  const rows = await db
    .selectFrom('oidc_model')
    .select('id')
    .where('model', '=', 'Session')
    .where((eb) =>
      'sessionId' in which
        ? eb('id', '=', which.sessionId)
        : eb.and([
            eb(accountIdOf, '=', which.accountId),
            ...(which.exceptSessionId ? [eb('id', '!=', which.exceptSessionId)] : []),
          ]),
    )
    .execute();
  for (const { id } of rows) {
    const session = await provider.Session.find(id);
    if (!session) continue;
    const authorizations = Object.entries(session.authorizations ?? {});
    await Promise.all(
      authorizations.map(async ([clientId, authorization]) => {
        const client = (await provider.Client.find(clientId)) as BackchannelClient | undefined;
        if (client?.backchannelLogoutUri && session.accountId) {
          // A job: a relying party that is down neither keeps the person signed in to the
          // portal nor misses the logout; it is told when it is back.
          await queueBackchannelLogout(db, { clientId, accountId: session.accountId, sid: session.sidFor(clientId) });
        }
        const grantId = authorization.grantId;
        if (grantId) {
          await db
            .deleteFrom('oidc_model')
            .where((eb) =>
              eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id', '=', grantId)])]),
            )
            .execute();
        }
      }),
    );
    await session.destroy();
  }
  if ('accountId' in which) await revokeAccount(provider, db, which.accountId, which.exceptSessionId);
  return rows.length;
}

async function revokeAccount(
  provider: Provider,
  db: Db,
  accountId: string,
  exceptSessionId: string | undefined,
): Promise<void> {
  const kept = exceptSessionId ? await provider.Session.find(exceptSessionId) : undefined;
  const keptGrants = Object.values(kept?.authorizations ?? {}).flatMap((a) => (a.grantId ? [a.grantId] : []));
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
 * included, so the application cannot keep using a role that is gone (issue 11). Runs in
 * the transaction of the change; `applicationLogout` then tells the application.
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
}

/**
 * A power the application learned at sign-in is gone (a department role revoked; attack
 * review, issue 12): the person's grants and tokens at that application end in the caller's
 * transaction, and a back-channel logout naming the account, not one session, is queued in
 * the same transaction. So every session the application keeps for the person ends, even one
 * whose provider session has gone, and even when the change is made where no provider runs
 * (the command line): the next sign-in carries the roles that are left.
 */
export async function signOutOfApplication(db: Db, accountId: string, clientId: string): Promise<void> {
  await revokeApplicationGrants(db, accountId, [clientId]);
  await queueBackchannelLogout(db, { clientId, accountId, sid: undefined });
}

/**
 * An application made restricted (outside review F3): everyone who holds its grants or
 * tokens without a role that gives access loses them, as with a revoked role. Returns those
 * accounts, for `applicationLogout` once the change is committed.
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

/**
 * Back-channel logout of these applications for every provider session of the account,
 * after `revokeApplicationGrants`: one job per application and session, so an application
 * that is down is told when it is back (or the delivery is dead-lettered, for an operator)
 * and the revocation, already done, never waits for it. The portal session and other
 * applications stay. Returns how many deliveries were queued.
 */
export async function applicationLogout(
  provider: Provider,
  db: Db,
  accountId: string,
  clientIds: string[],
): Promise<number> {
  if (clientIds.length === 0) return 0;
  const rows = await db
    .selectFrom('oidc_model')
    .select('id')
    .where('model', '=', 'Session')
    .where(accountIdOf, '=', accountId)
    .execute();
  let queued = 0;
  for (const { id } of rows) {
    const session = await provider.Session.find(id);
    if (!session?.accountId) continue;
    for (const clientId of clientIds.filter((c) => session.authorizations?.[c])) {
      const client = (await provider.Client.find(clientId)) as BackchannelClient | undefined;
      if (!client?.backchannelLogoutUri) continue;
      await queueBackchannelLogout(db, { clientId, accountId: session.accountId, sid: session.sidFor(clientId) });
      queued++;
    }
  }
  return queued;
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
