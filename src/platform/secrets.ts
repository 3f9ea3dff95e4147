import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Keys the portal needs but must never lose: the SSN keyed-hash key and the key that
 * encrypts secrets at rest (OIDC signing keys, client secrets). Production sets them in the
 * environment (from a secret store); a development install gets random keys generated once
 * into DATA_DIR, readable only by their owner. A key file is never regenerated over an
 * existing one: losing it makes stored data unreadable.
 */
export function resolveKey(
  configured: string | undefined,
  dataDir: string,
  fileName: string,
): { key: string; generated: boolean } {
  if (configured) return { key: configured, generated: false };
  const file = join(dataDir, fileName);
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), generated: false };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key, generated: true };
}

export function resolveSsnKey(configured: string | undefined, dataDir: string) {
  return resolveKey(configured, dataDir, 'ssn-hmac.key');
}

/** AES-256-GCM with a key derived from the configured secret; output `v1.iv.tag.ciphertext`. */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

/** The configured key cannot open what is stored: a changed SECRETS_KEY, or another deployment's data. */
export class SecretsKeyMismatchError extends Error {
  constructor() {
    super(
      'SECRETS_KEY is not the key the stored secrets were sealed with (signing keys, client secrets). Set the key this database was started with.',
    );
  }
}

export function secretBox(secret: string): SecretBox {
  // A generated key is 32 random bytes in base64url; anything else configured is hashed to 32 bytes.
  const raw = Buffer.from(secret, 'base64url');
  const key = raw.length === 32 ? raw : createHash('sha256').update(secret).digest();
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        'v1',
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        data.toString('base64url'),
      ].join('.');
    },
    open(sealed) {
      const [version, iv, tag, data] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('Unreadable sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        // GCM's tag check failed: the key is wrong (or the value was altered).
        throw new SecretsKeyMismatchError();
      }
    },
  };
}
