import pg from 'pg';
import type { ConnectionEvents, EventLog, ListeningConnection } from './connection.ts';

export interface PostgresListenerOptions {
  /** Reconnection attempt n waits baseMs × 2^(n-1), at most maxMs, with jitter. */
  backoff?: { baseMs: number; maxMs: number };
  /**
   * How often the idle connection is asked `select 1`. A LISTEN connection is otherwise
   * silent for hours, and a firewall or NAT that drops it silently would leave the process
   * deaf; the question keeps it open and finds out when it is gone.
   */
  pingMs?: number;
  /** How long a ping may take before the connection is taken for dead. */
  pingTimeoutMs?: number;
  log: EventLog;
}

/**
 * One pg.Client per process, outside the pool: LISTEN belongs to a session, and a pooled
 * connection goes back to the pool between queries. When it is lost (the server restarts,
 * an operator terminates it, the network drops) a new one is opened with backoff, LISTENs
 * on every channel again, and `reconnected` tells the bus that something may have been
 * missed in between.
 */
export class PostgresListener implements ListeningConnection {
  readonly #connectionString: string;
  readonly #events: ConnectionEvents;
  readonly #backoff: { baseMs: number; maxMs: number };
  readonly #pingMs: number;
  readonly #pingTimeoutMs: number;
  readonly #log: EventLog;
  /** Every channel someone listens on, whether or not a connection is up. */
  readonly #channels = new Set<string>();
  /** The connection LISTENing on every channel in #channels; none while (re)connecting. */
  #client: pg.Client | undefined;
  /** LISTEN, UNLISTEN and a new connection's re-LISTEN run one at a time, in order. */
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  #retry: { timer: NodeJS.Timeout; wake(): void } | undefined;
  #ping: NodeJS.Timeout | undefined;
  /** Resolves when the first connection is up (or the listener is closed). */
  readonly connected: Promise<void>;

  constructor(connectionString: string, events: ConnectionEvents, options: PostgresListenerOptions) {
    this.#connectionString = connectionString;
    this.#events = events;
    this.#backoff = options.backoff ?? { baseMs: 100, maxMs: 10_000 };
    this.#pingMs = options.pingMs ?? 30_000;
    this.#pingTimeoutMs = options.pingTimeoutMs ?? 10_000;
    this.#log = options.log;
    this.connected = this.#connect(false);
  }

  listen(channel: string): Promise<void> {
    return this.#serially(async () => {
      this.#channels.add(channel);
      await this.#client?.query(`LISTEN "${channel}"`).catch((error: unknown) => this.#lost(this.#client, error));
    });
  }

  unlisten(channel: string): Promise<void> {
    return this.#serially(async () => {
      this.#channels.delete(channel);
      await this.#client?.query(`UNLISTEN "${channel}"`).catch((error: unknown) => this.#lost(this.#client, error));
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#ping);
    if (this.#retry) {
      clearTimeout(this.#retry.timer);
      this.#retry.wake();
    }
    await this.#queue;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  #serially(work: () => Promise<void>): Promise<void> {
    const done = this.#queue.then(work);
    this.#queue = done.catch(() => undefined);
    return done;
  }

  /** Opens connections until one is up and LISTENing on every channel, waiting longer after each failure. */
  async #connect(isReconnect: boolean): Promise<void> {
    for (let attempt = 1; !this.#closed; attempt++) {
      const client = new pg.Client({
        connectionString: this.#connectionString,
        keepAlive: true,
        // So an operator can tell it in pg_stat_activity (and knows not to worry that it idles).
        application_name: 'portal-events',
      });
      // Unheard, a connection's 'error' would end the process; a lost connection is expected here.
      client.on('error', (error) => this.#lost(client, error));
      client.on('end', () => this.#lost(client, new Error('connection ended')));
      client.on('notification', (message) => {
        if (this.#client === client && message.payload !== undefined)
          this.#events.notification(message.channel, message.payload);
      });
      try {
        await client.connect();
        await this.#serially(async () => {
          if (this.#channels.size > 0)
            await client.query([...this.#channels].map((channel) => `LISTEN "${channel}"`).join('; '));
          this.#client = client;
        });
        if (this.#closed) return void (await client.end().catch(() => undefined));
        this.#schedulePing(client);
        if (isReconnect) this.#events.reconnected();
        return;
      } catch (error) {
        this.#log.warn({ err: error, attempt }, 'events: could not open the listening connection; trying again');
        await client.end().catch(() => undefined);
        await this.#pause(attempt);
      }
    }
  }

  #lost(client: pg.Client | undefined, error: unknown): void {
    if (!client || this.#client !== client) return;
    this.#client = undefined;
    clearInterval(this.#ping);
    client.end().catch(() => undefined);
    if (this.#closed) return;
    this.#log.warn({ err: error }, 'events: the listening connection was lost; reconnecting');
    void this.#connect(true);
  }

  #schedulePing(client: pg.Client): void {
    clearInterval(this.#ping);
    this.#ping = setInterval(() => {
      void this.#serially(async () => {
        if (this.#client !== client) return;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('ping unanswered')), this.#pingTimeoutMs);
        });
        try {
          await Promise.race([client.query('select 1'), timeout]);
        } catch (error) {
          this.#lost(client, error);
        } finally {
          clearTimeout(timer);
        }
      });
    }, this.#pingMs).unref();
  }

  #pause(attempt: number): Promise<void> {
    const ceiling = Math.min(this.#backoff.maxMs, this.#backoff.baseMs * 2 ** (attempt - 1));
    // Jitter, so that every instance of a restarted cluster does not knock at the same moment.
    const ms = ceiling / 2 + (Math.random() * ceiling) / 2;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#retry = undefined;
        resolve();
      }, ms);
      timer.unref();
      this.#retry = { timer, wake: resolve };
    });
  }
}
