import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { sql } from 'kysely';
import type { Db } from '../database.ts';
import type { SecretBox } from '../platform/secrets.ts';

/**
 * Token signing keys: generated on first start, kept in the database with the private part
 * encrypted, newest first (the provider signs with the first). Rotation adds a new key and
 * keeps the previous ones published in the JWKS, so tokens already issued still verify;
 * only keys older than the two newest are retired.
 */
const KEEP = 2;

async function newKey(db: Db, box: SecretBox): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const kid = randomBytes(12).toString('base64url');
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  await db.insertInto('oidc_signing_key').values({ kid, private_jwk_encrypted: box.seal(JSON.stringify(jwk)) }).execute();
  return kid;
}

export async function signingKeys(db: Db, box: SecretBox): Promise<JWK[]> {
  const load = () =>
    db.selectFrom('oidc_signing_key').select('private_jwk_encrypted').where('retired_at', 'is', null).orderBy('created_at', 'desc').orderBy('kid').execute();
  let rows = await load();
  if (rows.length === 0) {
    // Instances starting together on an empty database must agree on one first key: each
    // generating its own left them signing with keys the other did not publish. The table
    // lock makes the first start one at a time; the one that waited finds the key there.
    await db.transaction().execute(async (tx) => {
      await sql`LOCK TABLE oidc_signing_key IN SHARE ROW EXCLUSIVE MODE`.execute(tx);
      const existing = await tx.selectFrom('oidc_signing_key').select('kid').where('retired_at', 'is', null).limit(1).execute();
      if (existing.length === 0) await newKey(tx, box);
    });
    rows = await load();
  }
  return rows.map((r) => JSON.parse(box.open(r.private_jwk_encrypted)) as JWK);
}

export async function rotateSigningKey(db: Db, box: SecretBox): Promise<{ kid: string; retired: number }> {
  const kid = await newKey(db, box);
  const keep = await db.selectFrom('oidc_signing_key').select('kid').where('retired_at', 'is', null).orderBy('created_at', 'desc').limit(KEEP).execute();
  const result = await db
    .updateTable('oidc_signing_key')
    .set({ retired_at: new Date() })
    .where('retired_at', 'is', null)
    .where('kid', 'not in', keep.map((k) => k.kid))
    .executeTakeFirst();
  return { kid, retired: Number(result.numUpdatedRows) };
}
