import type { Kysely } from 'kysely';
import { publish } from '../../platform/events/index.ts';
import type { ElarDatabase } from '../schema.ts';

/** The channel a status change is announced on; the live-status stream listens to it. */
export const APPLICATION_CHANNEL = 'elar_application';

export interface StatusChange {
  applicationId: string;
  /** The timeline entry's id: the Server-Sent Events id a reconnecting page resumes from. */
  eventId: string;
  /** The `sub` of the person the application belongs to: a stream carries only its own person's changes. */
  person: string;
}

/**
 * Announces a change inside the transaction that makes it. PostgreSQL (and PGlite) deliver
 * a NOTIFY only when that transaction commits, and never when it rolls back: a page is
 * never told of a change that did not happen (src/platform/events).
 */
export async function notifyStatusChange(trx: Kysely<ElarDatabase>, change: StatusChange): Promise<void> {
  await publish(trx, APPLICATION_CHANNEL, JSON.stringify(change));
}
