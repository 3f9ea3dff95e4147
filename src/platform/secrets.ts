import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The SSN keyed-hash key. Production sets SSN_HMAC_KEY (from a secret store); a
 * development install gets a random key generated once into DATA_DIR, readable only by
 * its owner. Losing the key makes stored SSN fingerprints unmatchable, so it is never
 * regenerated over an existing file.
 */
export function resolveSsnKey(configured: string | undefined, dataDir: string): { key: string; generated: boolean } {
  if (configured) return { key: configured, generated: false };
  const file = join(dataDir, 'ssn-hmac.key');
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), generated: false };
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key, generated: true };
}
