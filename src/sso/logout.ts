import type Provider from 'oidc-provider';
import { sql } from 'kysely';
import type { Db } from '../platform/db.ts';

interface BackchannelClient {
  backchannelLogoutUri?: string;
  backchannelLogout(sub: string, sid: string | undefined): Promise<void>;
}

/**
 * Single sign-out (SPEC S3): ending the portal session also ends the provider's sessions
 * for that browser (or, for "sign out everywhere", for the account) and tells every
 * application that has a back-channel logout URI, then revokes the grants' tokens.
 */
export async function endProviderSessions(
  provider: Provider,
  db: Db,
  which: { sessionId: string } | { accountId: string },
): Promise<number> {
  const rows = await db
    .selectFrom('oidc_model')
    .select('id')
    .where('model', '=', 'Session')
    .where((eb) => ('sessionId' in which ? eb('id', '=', which.sessionId) : eb(sql<string>`payload->>'accountId'`, '=', which.accountId)))
    .execute();
  for (const { id } of rows) {
    const session = await provider.Session.find(id);
    if (!session) continue;
    const authorizations = Object.entries(session.authorizations ?? {});
    await Promise.all(
      authorizations.map(async ([clientId, authorization]) => {
        const client = (await provider.Client.find(clientId)) as BackchannelClient | undefined;
        if (client?.backchannelLogoutUri && session.accountId) {
          // A relying party that is down must not keep the person signed in to the portal.
          await client.backchannelLogout(session.accountId, session.sidFor(clientId)).catch(() => undefined);
        }
        const grantId = authorization.grantId;
        if (grantId) {
          await db
            .deleteFrom('oidc_model')
            .where((eb) => eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id', '=', grantId)])]))
            .execute();
        }
      }),
    );
    await session.destroy();
  }
  return rows.length;
}
