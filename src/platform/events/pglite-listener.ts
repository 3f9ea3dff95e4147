import type { PGlite } from '@electric-sql/pglite';
import type { ConnectionEvents, ListeningConnection } from './connection.ts';

/**
 * PGlite is the database inside this process, so its own LISTEN is the listening
 * connection: a `pg_notify` in a transaction reaches the callback when that transaction
 * commits. There is no network to lose, so it never reconnects.
 */
export class PgliteListener implements ListeningConnection {
  readonly #pglite: PGlite;
  readonly #events: ConnectionEvents;
  readonly #stop = new Map<string, () => Promise<void>>();

  constructor(pglite: PGlite, events: ConnectionEvents) {
    this.#pglite = pglite;
    this.#events = events;
  }

  async listen(channel: string): Promise<void> {
    if (this.#stop.has(channel)) return;
    const stop = await this.#pglite.listen(channel, (payload) => this.#events.notification(channel, payload));
    this.#stop.set(channel, stop);
  }

  async unlisten(channel: string): Promise<void> {
    const stop = this.#stop.get(channel);
    this.#stop.delete(channel);
    await stop?.();
  }

  async close(): Promise<void> {
    // The database may already be closed by its owner; its listeners go with it.
    const stops = [...this.#stop.values()];
    this.#stop.clear();
    if (!this.#pglite.closed) await Promise.all(stops.map((stop) => stop().catch(() => undefined)));
  }
}
