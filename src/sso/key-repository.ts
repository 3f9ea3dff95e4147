import { sql } from 'kysely';
import type { Db } from '../database.ts';

/** The signing keys' rows (src/sso/keys.ts decides when keys are made and retired). */

export async function insertKey(db: Db, kid: string, sealedPrivateJwk: string): Promise<void> {
  await db.insertInto('oidc_signing_key').values({ kid, private_jwk_encrypted: sealedPrivateJwk }).execute();
}

/** The keys in use, newest first (the provider signs with the first). */
export function activeKeys(db: Db): Promise<Array<{ kid: string; private_jwk_encrypted: string }>> {
  return db
    .selectFrom('oidc_signing_key')
    .select(['kid', 'private_jwk_encrypted'])
    .where('retired_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .execute();
}

/** Makes starts that find no key wait for one another until the transaction ends. */
export async function lockKeys(tx: Db): Promise<void> {
  await sql`LOCK TABLE oidc_signing_key IN SHARE ROW EXCLUSIVE MODE`.execute(tx);
}

/** Retires every key in use but these. */
export async function retireKeysBut(db: Db, keep: string[]): Promise<number> {
  const result = await db
    .updateTable('oidc_signing_key')
    .set({ retired_at: new Date() })
    .where('retired_at', 'is', null)
    .where('kid', 'not in', keep)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
