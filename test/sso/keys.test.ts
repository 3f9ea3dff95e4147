import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { migrate, openDatabase, type Database } from '../../src/database.ts';
import { secretBox } from '../../src/platform/secrets.ts';
import { signingKeys } from '../../src/sso/keys.ts';
import { throwawayDatabase } from '../helpers/throwaway-database.ts';

/**
 * Two first starts at the same moment on one empty database must agree on one signing key:
 * with a key each, each instance signs tokens the other does not publish. The two-instance
 * reliability run overlaps its starts only by luck; here the two creations run at once,
 * on one connection (PGlite) and on two connections to one server (DATABASE_URL).
 */
const box = secretBox('test-secrets-key-0123456789abcdef012345');

async function twoFirstStarts(databases: [Database, Database]) {
  const [a, b] = databases;
  await migrate(a.db);
  // Connect the second one first too, so neither creation waits for a connection.
  await b.db.selectFrom('oidc_signing_key').select('kid').execute();
  const [first, second] = await Promise.all([signingKeys(a.db, box), signingKeys(b.db, box)]);
  const stored = await a.db.selectFrom('oidc_signing_key').select('kid').execute();
  assert.equal(stored.length, 1, 'one key is stored');
  assert.equal(first.length, 1);
  assert.deepEqual(second, first, 'both starts sign with, and publish, the same key');
  assert.equal(first[0]!.kid, stored[0]!.kid);
}

describe('the first signing key', () => {
  test('two creations at once on one embedded database make one key', async () => {
    const database = await openDatabase({ databaseUrl: undefined, dataDir: 'memory://' });
    try {
      await twoFirstStarts([database, database]);
    } finally {
      await database.close();
    }
  });

  // Two connection pools need a server: this case exists in the PostgreSQL run only (CI runs
  // the suite on both databases and fails on any skipped test, so it is not a skip).
  if (process.env.DATABASE_URL)
    test('two instances creating it at once on one PostgreSQL database make one key', async () => {
      const fresh = await throwawayDatabase(process.env.DATABASE_URL!, 'portal_keys');
      const a = await openDatabase({ databaseUrl: fresh.url, dataDir: 'memory://', poolSize: 1 });
      const b = await openDatabase({ databaseUrl: fresh.url, dataDir: 'memory://', poolSize: 1 });
      try {
        await migrate(a.db);
        for (let round = 0; round < 5; round++) {
          await a.db.deleteFrom('oidc_signing_key').execute();
          await twoFirstStarts([a, b]);
        }
      } finally {
        await a.close();
        await b.close();
        await fresh.drop();
      }
    });
});
