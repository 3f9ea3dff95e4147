import { sql, type Insertable } from 'kysely';
import type { Application, ApplicationTable } from './schema.ts';
import type { Db } from '../database.ts';

/** SQL for registering an application and replacing its registration: what it was, and the grants it leaves behind. */

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

/**
 * Registers the application, or replaces its registration when `replace` (otherwise only a
 * catalog entry that has no secret yet is taken over). One statement decides, so two
 * registrations of one new id cannot both be told they won: false means it was not written.
 */
export async function writeRegistration(
  tx: Db,
  id: string,
  registration: Omit<Insertable<ApplicationTable>, 'id' | 'description'>,
  { replace }: { replace: boolean },
): Promise<boolean> {
  const written = await tx
    .insertInto('application')
    .values({ id, description: null, ...registration })
    .onConflict((oc) => {
      const update = oc.column('id').doUpdateSet(registration);
      return replace ? update : update.where('application.client_secret_encrypted', 'is', null);
    })
    .returning('id')
    .executeTakeFirst();
  return written !== undefined;
}

export async function setClientSecret(tx: Db, id: string, sealedSecret: string): Promise<void> {
  await tx.updateTable('application').set({ client_secret_encrypted: sealedSecret }).where('id', '=', id).execute();
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
export async function refreshClient(
  db: Db,
  id: string,
  uris: ClientUris,
  sealedSecret: string,
  replaceSecret: boolean,
): Promise<string | undefined> {
  const row = await db
    .updateTable('application')
    .set({
      client_secret_encrypted: replaceSecret
        ? sealedSecret
        : sql<string>`COALESCE(${sql.ref('client_secret_encrypted')}, ${sealedSecret})`,
      redirect_uris: uris.redirectUris,
      post_logout_redirect_uris: uris.postLogoutRedirectUris,
      backchannel_logout_uri: uris.backchannelLogoutUri,
    })
    .where('id', '=', id)
    .returning('client_secret_encrypted')
    .executeTakeFirst();
  return row?.client_secret_encrypted ?? undefined;
}
