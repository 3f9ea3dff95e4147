import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureApplication } from '../../src/directory/service.ts';
import { openDatabase, type Database } from '../../src/database.ts';
import { secretBox } from '../../src/platform/secrets.ts';
import { prepareDatabase } from '../../src/startup.ts';
import { throwawayDatabase } from '../helpers/throwaway-database.ts';

/**
 * At start the composition root asks the directory to register (or refresh) one of the
 * portal's own applications as an OpenID Connect client: ELAR, with its URIs of the day.
 */

let database: Database;
let drop = async () => {};
const box = secretBox('test-secrets-key-0123456789abcdef012345');
const uris = (origin: string) => ({
  redirectUris: [`${origin}/elar/callback`],
  postLogoutRedirectUris: [`${origin}/elar/logged-out`],
  backchannelLogoutUri: `${origin}/elar/backchannel-logout`,
});
const stored = () =>
  database.db.selectFrom('application').selectAll().where('id', '=', 'elar').executeTakeFirstOrThrow();

before(async () => {
  let url: string | undefined;
  if (process.env.DATABASE_URL)
    ({ url, drop } = await throwawayDatabase(process.env.DATABASE_URL, 'portal_ensure_app'));
  database = await openDatabase({ databaseUrl: url, dataDir: 'memory://', poolSize: 4 });
  await prepareDatabase(database.db);
});
after(async () => {
  await database.close();
  await drop();
});

describe('ensureApplication: the directory registers ELAR as a client at start', () => {
  test('the first start issues a secret, kept sealed; later starts keep it and refresh the URIs', async () => {
    const first = await ensureApplication(database.db, box, { id: 'elar', ...uris('http://localhost:3000') });
    assert.equal(first.clientId, 'elar');
    assert.ok(first.clientSecret.length >= 32);
    const row = await stored();
    assert.notEqual(row.client_secret_encrypted, first.clientSecret, 'never stored in the clear');
    assert.equal(box.open(row.client_secret_encrypted!), first.clientSecret);

    const moved = await ensureApplication(database.db, box, { id: 'elar', ...uris('https://elar.example.gov') });
    assert.equal(moved.clientSecret, first.clientSecret, 'a restart keeps the secret: sign-ins in flight still finish');
    const refreshed = await stored();
    assert.deepEqual(refreshed.redirect_uris, ['https://elar.example.gov/elar/callback']);
    assert.deepEqual(refreshed.post_logout_redirect_uris, ['https://elar.example.gov/elar/logged-out']);
    assert.equal(refreshed.backchannel_logout_uri, 'https://elar.example.gov/elar/backchannel-logout');
  });

  test('ELAR keeps the roles, access, name and launch page the directory gave it', async () => {
    await database.db
      .updateTable('application')
      .set({ roles: ['user', 'licensure-evaluator'], access: 'restricted' })
      .where('id', '=', 'elar')
      .execute();
    try {
      await ensureApplication(database.db, box, { id: 'elar', ...uris('http://localhost:3000') });
      const row = await stored();
      assert.deepEqual(row.roles, ['user', 'licensure-evaluator']);
      assert.equal(row.access, 'restricted');
      assert.equal(row.name, 'ELAR');
      assert.equal(row.launch_url, '/elar');
    } finally {
      await database.db
        .updateTable('application')
        .set({ roles: ['user'], access: 'open' })
        .where('id', '=', 'elar')
        .execute();
    }
  });

  test('a secret from configuration (a separate ELAR has the same) replaces the stored one, and stays when no longer given', async () => {
    const configured = 'configured-elar-secret-0123456789abcdef';
    const withSecret = await ensureApplication(database.db, box, {
      id: 'elar',
      ...uris('http://127.0.0.1:4000'),
      secret: configured,
    });
    assert.equal(withSecret.clientSecret, configured);
    assert.equal(box.open((await stored()).client_secret_encrypted!), configured);
    const without = await ensureApplication(database.db, box, { id: 'elar', ...uris('http://127.0.0.1:4000') });
    assert.equal(without.clientSecret, configured);
  });

  test('starts at the same moment end with one secret, the one each of them holds', async () => {
    await database.db
      .updateTable('application')
      .set({ client_secret_encrypted: null })
      .where('id', '=', 'elar')
      .execute();
    const clients = await Promise.all(
      Array.from({ length: 6 }, () =>
        ensureApplication(database.db, box, { id: 'elar', ...uris('http://localhost:3000') }),
      ),
    );
    const secret = box.open((await stored()).client_secret_encrypted!);
    assert.deepEqual(new Set(clients.map((c) => c.clientSecret)), new Set([secret]));
  });

  test('an application the catalog does not have is not invented', async () => {
    await assert.rejects(
      ensureApplication(database.db, box, { id: 'no-such-app', ...uris('http://localhost:3000') }),
      /no application "no-such-app"/,
    );
    assert.equal(
      await database.db.selectFrom('application').select('id').where('id', '=', 'no-such-app').executeTakeFirst(),
      undefined,
    );
  });
});
