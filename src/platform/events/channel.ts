import { sql, type QueryExecutorProvider } from 'kysely';

/**
 * A channel is a lower-case SQL identifier: PGlite LISTENs it unquoted (so PostgreSQL would
 * fold anything else to lower case and never match `pg_notify`'s exact text), and 63 bytes
 * is PostgreSQL's limit for a name. A module names its channels (`elar_person_42`), so a bad
 * one is a programming mistake, thrown as such.
 */
const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; a payload carries ids, not documents. */
export const MAX_PAYLOAD_BYTES = 7999;

export function checkChannel(channel: string): string {
  if (!CHANNEL.test(channel)) throw new Error(`Not an event channel name: ${JSON.stringify(channel)}`);
  return channel;
}

/**
 * Announces `payload` on `channel` as part of the caller's transaction: PostgreSQL (and
 * PGlite) deliver it to listeners when that transaction commits, and never if it rolls back,
 * so no one hears of a change that did not happen. Called on the database itself rather than
 * a transaction, it is delivered at once.
 */
export async function publish(trx: QueryExecutorProvider, channel: string, payload: string): Promise<void> {
  checkChannel(channel);
  if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES)
    throw new Error(
      `An event payload must be under 8000 bytes; this one on ${channel} is ${Buffer.byteLength(payload)}`,
    );
  await sql`select pg_notify(${channel}, ${payload})`.execute(trx);
}
