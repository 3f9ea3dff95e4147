import { sql } from 'kysely';
import type { Application, Db } from '../platform/db.ts';

/** SQL for replacing an application's registration: what it was, and the grants it leaves behind. */

/** The registration as it stands, locked until the transaction ends so that nothing changes it meanwhile. */
export function lockApplication(tx: Db, id: string): Promise<Application | undefined> {
  return tx.selectFrom('application').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Deletes the grants of roles the application no longer has; returns them, for the audit. */
export function deleteGrantsOutsideRoles(
  tx: Db,
  applicationId: string,
  roles: string[],
): Promise<Array<{ profile_id: string; organization_code: string; role: string }>> {
  return tx
    .deleteFrom('role_grant')
    .using('organization')
    .whereRef('organization.id', '=', 'role_grant.organization_id')
    .where('role_grant.application_id', '=', applicationId)
    .where('role_grant.role', 'not in', roles)
    .returning(['role_grant.profile_id', 'organization.code as organization_code', 'role_grant.role'])
    .execute();
}

export async function countGrants(tx: Db, applicationId: string): Promise<number> {
  const row = await tx
    .selectFrom('role_grant')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('application_id', '=', applicationId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface ClientUris {
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string;
}

/**
 * Sets a client's URIs and, unless one is stored already (or `replaceSecret`), the sealed
 * secret offered; returns the sealed secret now stored, or undefined for no such application.
 *
 * One statement that keeps a secret already stored and returns what is stored: two
 * instances starting at once each generated a secret and the later write won, leaving the
 * other unable to finish a sign-in. Concurrent updates of the row are serialized, and the
 * second one's COALESCE sees the first one's secret.
 */
export async function refreshClient(db: Db, id: string, uris: ClientUris, sealedSecret: string, replaceSecret: boolean): Promise<string | undefined> {
  const row = await db
    .updateTable('application')
    .set({
      client_secret_encrypted: replaceSecret ? sealedSecret : sql<string>`COALESCE(${sql.ref('client_secret_encrypted')}, ${sealedSecret})`,
      redirect_uris: uris.redirectUris,
      post_logout_redirect_uris: uris.postLogoutRedirectUris,
      backchannel_logout_uri: uris.backchannelLogoutUri,
    })
    .where('id', '=', id)
    .returning('client_secret_encrypted')
    .executeTakeFirst();
  return row?.client_secret_encrypted ?? undefined;
}
