import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/database.ts';
import { EventBus, publish, type Subscriber } from '../../src/platform/events/index.ts';
import { until } from '../helpers/database.ts';
import { throwawayDatabase } from '../helpers/throwaway-database.ts';

/**
 * The event bus on the database the tests run on: PGlite (in memory) by default, a throwaway
 * PostgreSQL database with DATABASE_URL. No tables: NOTIFY needs none.
 */

const serverUrl = process.env.DATABASE_URL;
let database: Database;
let databaseUrl: string | undefined;
let drop = async () => {};
let bus: EventBus;

before(async () => {
  if (serverUrl) ({ url: databaseUrl, drop } = await throwawayDatabase(serverUrl, 'events_test'));
  database = await openDatabase({ databaseUrl, dataDir: 'memory://', poolSize: 4 });
  bus = new EventBus(database.notifications, { backoff: { baseMs: 50, maxMs: 200 } });
  await bus.ready;
});

after(async () => {
  await bus.close();
  await database.close();
  await drop();
});

/** A subscriber that keeps what it hears. */
function recorder(): Subscriber & { heard: string[]; gaps: number } {
  const r = {
    heard: [] as string[],
    gaps: 0,
    event: (payload: string) => void r.heard.push(payload),
    gap: () => void r.gaps++,
  };
  return r;
}

describe('event bus', () => {
  test('an event published in a committed transaction reaches every subscriber of its channel, in order', async () => {
    const first = recorder();
    const second = recorder();
    const elsewhere = recorder();
    const subscriptions = [
      await bus.subscribe('status_a', first),
      await bus.subscribe('status_a', second),
      await bus.subscribe('status_b', elsewhere),
    ];
    await database.db.transaction().execute(async (trx) => {
      await publish(trx, 'status_a', '{"application":1}');
      await publish(trx, 'status_a', '{"application":2}');
    });
    await until('both subscribers heard both events', () => first.heard.length === 2 && second.heard.length === 2);
    assert.deepEqual(first.heard, ['{"application":1}', '{"application":2}']);
    assert.deepEqual(second.heard, first.heard);
    assert.deepEqual(elsewhere.heard, [], 'another channel hears nothing');
    await Promise.all(subscriptions.map((s) => s.unsubscribe()));
  });

  test('nothing is heard before the transaction commits', async () => {
    const r = recorder();
    const subscription = await bus.subscribe('status_c', r);
    await database.db.transaction().execute(async (trx) => {
      await publish(trx, 'status_c', 'decided');
      // Another statement in the same transaction, after the publish: still nothing delivered.
      await sql`select 1`.execute(trx);
      assert.deepEqual(r.heard, []);
    });
    await until('the event arrived after the commit', () => r.heard.length === 1);
    await subscription.unsubscribe();
  });

  test('a rolled-back transaction delivers nothing', async () => {
    const r = recorder();
    const subscription = await bus.subscribe('status_d', r);
    await assert.rejects(
      database.db.transaction().execute(async (trx) => {
        await publish(trx, 'status_d', 'rolled back');
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    // Events arrive in commit order, so once this one is heard the other would have been too.
    await publish(database.db, 'status_d', 'committed');
    await until('the committed event arrived', () => r.heard.length > 0);
    assert.deepEqual(r.heard, ['committed']);
    await subscription.unsubscribe();
  });

  test('after unsubscribing, nothing more arrives and no subscriber is left behind', async () => {
    const leaving = recorder();
    const staying = recorder();
    const before = bus.subscriberCount;
    const leave = await bus.subscribe('status_e', leaving);
    const stay = await bus.subscribe('status_e', staying);
    assert.equal(bus.subscriberCount, before + 2);
    await leave.unsubscribe();
    await leave.unsubscribe(); // twice is harmless
    await publish(database.db, 'status_e', 'later');
    await until('the remaining subscriber heard it', () => staying.heard.length === 1);
    assert.deepEqual(leaving.heard, []);
    await stay.unsubscribe();
    assert.equal(bus.subscriberCount, before);
  });

  test('forty subscribers coming and going at once leave the channel heard by exactly those that stayed', async () => {
    const all = Array.from({ length: 40 }, () => recorder());
    const subscriptions = await Promise.all(all.map((r) => bus.subscribe('status_f', r)));
    await Promise.all(subscriptions.filter((_, i) => i % 2 === 0).map((s) => s.unsubscribe()));
    await publish(database.db, 'status_f', 'x');
    await until('the odd ones heard it', () => all.every((r, i) => r.heard.length === i % 2));
    await Promise.all(subscriptions.filter((_, i) => i % 2 === 1).map((s) => s.unsubscribe()));
    // All gone: the channel is UNLISTENed, and a new subscriber LISTENs it again.
    const again = recorder();
    const subscription = await bus.subscribe('status_f', again);
    await publish(database.db, 'status_f', 'y');
    await until('a new subscriber hears it', () => again.heard.length === 1);
    await subscription.unsubscribe();
  });

  test('a subscriber that throws does not keep the event from the others', async () => {
    const r = recorder();
    const broken = await bus.subscribe('status_g', {
      event: () => {
        throw new Error('broken subscriber');
      },
    });
    const fine = await bus.subscribe('status_g', r);
    await publish(database.db, 'status_g', 'still delivered');
    await until('the other subscriber heard it', () => r.heard.length === 1);
    await Promise.all([broken.unsubscribe(), fine.unsubscribe()]);
  });

  test('a channel must be a lower-case name and a payload under 8000 bytes', async () => {
    await assert.rejects(bus.subscribe('Status', recorder()), /Not an event channel name/);
    await assert.rejects(bus.subscribe('a"; drop table x; --', recorder()), /Not an event channel name/);
    await assert.rejects(publish(database.db, 'x'.repeat(64), 'p'), /Not an event channel name/);
    await assert.rejects(publish(database.db, 'status_h', 'é'.repeat(4000)), /under 8000 bytes/);
    await publish(database.db, 'status_h', 'x'.repeat(7999));
  });
});

// Registered only in the PostgreSQL run: CI refuses skipped tests.
if (serverUrl)
  describe('event bus across processes (PostgreSQL)', () => {
    /** The server's listening connections for this database, as an operator would find them. */
    const listeningPids = async () =>
      (
        await sql<{
          pid: number;
        }>`select pid from pg_stat_activity where datname = current_database() and application_name = 'portal-events'`.execute(
          database.db,
        )
      ).rows.map((row) => row.pid);

    test('two instances, each with its own listening connection, both hear an event from a third pool', async () => {
      const other = new EventBus(database.notifications);
      const publisher = new pg.Pool({ connectionString: databaseUrl, max: 1 });
      try {
        await other.ready;
        const here = recorder();
        const there = recorder();
        await bus.subscribe('status_two', here);
        await other.subscribe('status_two', there);
        const client = await publisher.connect();
        await client.query('BEGIN');
        await client.query(`select pg_notify('status_two', 'issued')`);
        await client.query('COMMIT');
        client.release();
        await until('both instances heard it', () => here.heard.length === 1 && there.heard.length === 1);
        assert.equal((await listeningPids()).length, 2, 'one listening connection per instance');
      } finally {
        await other.close();
        await publisher.end();
      }
    });

    test('when the listening connection is killed, the bus reconnects, listens again and signals the gap', async () => {
      const r = recorder();
      const subscription = await bus.subscribe('status_gap', r);
      const [killed] = await listeningPids();
      assert.ok(killed);
      await sql`select pg_terminate_backend(${killed}::int)`.execute(database.db);
      await until('the subscriber was told of the gap', () => r.gaps === 1);
      const [replacement] = await listeningPids();
      assert.ok(replacement && replacement !== killed, 'a new listening connection');
      await publish(database.db, 'status_gap', 'after the gap');
      await until('events arrive again', () => r.heard.length === 1);
      assert.deepEqual(r.heard, ['after the gap']);
      await subscription.unsubscribe();
    });

    test('while the server refuses connections, the bus keeps trying and catches up when it can', async () => {
      const r = recorder();
      const subscription = await bus.subscribe('status_outage', r);
      // Refuse new connections to this database for a while, then kill the listening one.
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      const name = new URL(databaseUrl!).pathname.slice(1);
      try {
        await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
        await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'portal-events'`.execute(
          database.db,
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal(r.gaps, 0, 'no catching up while nothing can be read');
      } finally {
        await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
        await admin.end();
      }
      await until('the subscriber was told of the gap', () => r.gaps === 1);
      await publish(database.db, 'status_outage', 'back');
      await until('events arrive again', () => r.heard.length === 1);
      await subscription.unsubscribe();
    });
  });
