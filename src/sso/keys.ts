import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Db } from '../database.ts';
import type { SecretBox } from '../platform/secrets.ts';
import * as keys from './key-repository.ts';

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
  await keys.insertKey(db, kid, box.seal(JSON.stringify(jwk)));
  return kid;
}

export async function signingKeys(db: Db, box: SecretBox): Promise<JWK[]> {
  let rows = await keys.activeKeys(db);
  if (rows.length === 0) {
    // Instances starting together on an empty database must agree on one first key: each
    // generating its own left them signing with keys the other did not publish. The table
    // lock makes the first start one at a time; the one that waited finds the key there.
    await db.transaction().execute(async (tx) => {
      await keys.lockKeys(tx);
      if ((await keys.activeKeys(tx)).length === 0) await newKey(tx, box);
    });
    rows = await keys.activeKeys(db);
  }
  return rows.map((r) => JSON.parse(box.open(r.private_jwk_encrypted)) as JWK);
}

export async function rotateSigningKey(db: Db, box: SecretBox): Promise<{ kid: string; retired: number }> {
  const kid = await newKey(db, box);
  const keep = (await keys.activeKeys(db)).slice(0, KEEP).map((k) => k.kid);
  return { kid, retired: await keys.retireKeysBut(db, keep) };
}
