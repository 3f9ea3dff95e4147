import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). @node-rs/argon2
 * hashes on libuv's thread pool, so hashing never blocks the event loop.
 * Used for passwords and password-hint answers alike.
 */
export const ARGON2_PARAMS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum, not importable under verbatimModuleSyntax)
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashSecret(secret: string): Promise<string> {
  return hash(secret, ARGON2_PARAMS);
}

/**
 * A stored hash that cannot be read is damage to our data, not a wrong secret: it throws,
 * so the request fails as a fault with its cause in the log, rather than refusing the
 * person in silence for ever.
 */
export function verifySecret(storedHash: string, secret: string): Promise<boolean> {
  return verify(storedHash, secret);
}

let dummy: Promise<string> | undefined;

/**
 * Spend the same time as a real check when there is nothing to check against, so a
 * response time never tells whether a User Name exists.
 */
export async function verifyAgainstNothing(secret: string): Promise<false> {
  dummy ??= hashSecret('no account has this password');
  await verifySecret(await dummy, secret);
  return false;
}
