import type { NotificationSource } from '../db.ts';
import { checkChannel } from './channel.ts';
import { silentLog, type EventLog, type ListeningConnection } from './connection.ts';
import { PgliteListener } from './pglite-listener.ts';
import { PostgresListener, type PostgresListenerOptions } from './postgres-listener.ts';

export interface Subscriber {
  /** A payload published on the channel, in commit order. Must not throw (it is logged if it does). */
  event(payload: string): void;
  /**
   * The process stopped hearing the database for a while (the listening connection was
   * lost and is back): events may have been missed, so read what changed since the last
   * one seen.
   */
  gap?(): void;
}

export interface Subscription {
  unsubscribe(): Promise<void>;
}

export interface EventBusOptions extends Partial<Omit<PostgresListenerOptions, 'log'>> {
  log?: EventLog;
}

/**
 * Publish/subscribe by channel for one process, on the database's own LISTEN/NOTIFY: an
 * event is published inside the transaction that made the change (`publish`, channel.ts)
 * and heard by every process on the database once it commits. The process holds one
 * listening connection and LISTENs on a channel while anyone here subscribes to it; each
 * notification is handed to every subscriber of its channel, however many there are.
 */
export class EventBus {
  readonly #connection: ListeningConnection;
  readonly #log: EventLog;
  readonly #subscribers = new Map<string, Set<Subscriber>>();
  /** Channels the connection has been asked to LISTEN on. */
  readonly #listening = new Set<string>();
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  /** Resolves when the bus hears the database (on PostgreSQL: the first connection is up). */
  readonly ready: Promise<void>;

  constructor(source: NotificationSource, options: EventBusOptions = {}) {
    this.#log = options.log ?? silentLog;
    const events = {
      notification: (channel: string, payload: string) => this.#deliver(channel, payload),
      reconnected: () => this.#gap(),
    };
    if (source.kind === 'pglite') {
      this.#connection = new PgliteListener(source.pglite, events);
      this.ready = Promise.resolve();
    } else {
      const listener = new PostgresListener(source.connectionString, events, { ...options, log: this.#log });
      this.#connection = listener;
      this.ready = listener.connected;
    }
  }

  /**
   * Hears `channel` from the moment the returned promise resolves: subscribe first, then
   * read the database for what came before, so that nothing falls between the two.
   */
  async subscribe(channel: string, subscriber: Subscriber): Promise<Subscription> {
    checkChannel(channel);
    if (this.#closed) throw new Error('The event bus is closed');
    let subscribers = this.#subscribers.get(channel);
    if (!subscribers) this.#subscribers.set(channel, (subscribers = new Set()));
    subscribers.add(subscriber);
    const leave = async () => {
      if (!subscribers.delete(subscriber)) return;
      if (subscribers.size === 0 && this.#subscribers.get(channel) === subscribers) this.#subscribers.delete(channel);
      await this.#sync(channel);
    };
    try {
      await this.#sync(channel);
    } catch (error) {
      await leave().catch(() => undefined);
      throw error;
    }
    return { unsubscribe: leave };
  }

  /** Subscribers in this process, across channels (for tests and the operator's gauges). */
  get subscriberCount(): number {
    let count = 0;
    for (const subscribers of this.#subscribers.values()) count += subscribers.size;
    return count;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#subscribers.clear();
    await this.#queue;
    await this.#connection.close();
  }

  /** Brings the connection's LISTEN for `channel` in line with whether anyone subscribes, one change at a time. */
  #sync(channel: string): Promise<void> {
    const done = this.#queue.then(async () => {
      const wanted = this.#subscribers.has(channel) && !this.#closed;
      if (wanted && !this.#listening.has(channel)) {
        await this.#connection.listen(channel);
        this.#listening.add(channel);
      } else if (!wanted && this.#listening.has(channel)) {
        this.#listening.delete(channel);
        await this.#connection.unlisten(channel);
      }
    });
    this.#queue = done.catch(() => undefined);
    return done;
  }

  #deliver(channel: string, payload: string): void {
    const subscribers = this.#subscribers.get(channel);
    if (!subscribers) return;
    for (const subscriber of [...subscribers]) {
      try {
        subscriber.event(payload);
      } catch (error) {
        this.#log.error({ err: error, channel }, 'events: a subscriber failed on an event');
      }
    }
  }

  #gap(): void {
    for (const [channel, subscribers] of this.#subscribers) {
      for (const subscriber of [...subscribers]) {
        try {
          subscriber.gap?.();
        } catch (error) {
          this.#log.error({ err: error, channel }, 'events: a subscriber failed to catch up after a gap');
        }
      }
    }
  }
}
