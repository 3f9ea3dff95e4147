import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../errors.ts';

/**
 * Server-Sent Events for Fastify: a route hands its request to `SseStreams.open` and gets
 * a stream to write events to. One `SseStreams` per process (the composition root makes it
 * on the root app): it counts the open streams against the cap, beats the one shared
 * heartbeat, and ends every stream when the server closes so that `app.close()` returns.
 */

export interface SseSettings {
  /** Open streams this process serves; one more is answered 503 with Retry-After. */
  maxConnections: number;
  /** A comment line this often keeps proxies from closing an idle stream (and finds dead clients). */
  heartbeatMs?: number;
  /** How long a browser waits before reconnecting after the stream ends (the `retry:` hint). */
  retryMs?: number;
  /**
   * Bytes a slow client may leave unread before its stream is ended: a stream is a
   * notification, not a queue, and the client catches up from its Last-Event-ID when it
   * reconnects, so nothing piles up in this process.
   */
  maxBufferedBytes?: number;
}

export interface SseEvent {
  /** Sent back as Last-Event-ID when the browser reconnects: where to resume. */
  id?: string;
  /** The `event:` name the page listens for; unnamed events are `message`. */
  event?: string;
  data: string;
}

/** Longer ids than this are not ids we issued. */
const MAX_EVENT_ID_LENGTH = 128;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * Where the client wants to resume: the Last-Event-ID header, which a browser's EventSource
 * sends by itself when it reconnects, else a `lastEventId` query parameter, which a page
 * can put in the stream's URL when it opens a new EventSource (it cannot set headers). The
 * header wins: on automatic reconnection it is newer than the URL the page started with.
 * Undefined for a first visit; an id we could not have issued is a 400.
 */
export function lastEventIdOf(request: FastifyRequest): string | undefined {
  const header = request.headers['last-event-id'];
  const query = (request.query as Record<string, unknown> | undefined)?.lastEventId;
  const value = typeof header === 'string' && header !== '' ? header : typeof query === 'string' ? query : '';
  if (value === '') return undefined;
  if (value.length > MAX_EVENT_ID_LENGTH || CONTROL_CHARACTERS.test(value)) throw errors.badRequest();
  return value;
}

export class SseStreams {
  readonly #open = new Set<SseStream>();
  readonly #maxConnections: number;
  readonly #heartbeatMs: number;
  readonly #retryMs: number;
  readonly #maxBufferedBytes: number;
  #heartbeat: NodeJS.Timeout | undefined;
  #closing = false;

  constructor(app: FastifyInstance, settings: SseSettings) {
    this.#maxConnections = settings.maxConnections;
    this.#heartbeatMs = settings.heartbeatMs ?? 15_000;
    this.#retryMs = settings.retryMs ?? 5_000;
    this.#maxBufferedBytes = settings.maxBufferedBytes ?? 64 * 1024;
    // preClose runs before the server stops accepting and waits for open requests, which an
    // open stream would otherwise be for ever.
    app.addHook('preClose', async () => {
      this.#closing = true;
      for (const stream of [...this.#open]) stream.close();
    });
  }

  /** Streams open in this process now. */
  get count(): number {
    return this.#open.size;
  }

  /**
   * Takes over the reply and starts the stream (status 200, headers, the retry hint).
   * Throws, before anything is sent, a 400 for an unreadable Last-Event-ID and a 503 when
   * the process already serves its cap or is shutting down.
   */
  open(request: FastifyRequest, reply: FastifyReply): SseStream {
    const lastEventId = lastEventIdOf(request);
    if (this.#closing || this.#open.size >= this.#maxConnections) {
      // Long enough for others' streams to end; the page itself still shows the status.
      reply.header('retry-after', '30');
      throw errors.streamsFull();
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      // What the app's hooks set on the reply (security headers, cookies) still goes out.
      ...(reply.getHeaders() as Record<string, string | string[]>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // nginx would otherwise hold events back to fill its buffer.
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${this.#retryMs}\n\n`);
    const stream = new SseStream(res, lastEventId, this.#maxBufferedBytes, () => {
      this.#open.delete(stream);
      if (this.#open.size === 0) this.#stopHeartbeat();
    });
    this.#open.add(stream);
    this.#startHeartbeat();
    return stream;
  }

  // One timer for every stream, rather than one each: thousands of streams cost one wake-up.
  #startHeartbeat(): void {
    this.#heartbeat ??= setInterval(() => {
      for (const stream of [...this.#open]) stream.comment('');
    }, this.#heartbeatMs).unref();
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}

export class SseStream {
  /** Where the client asked to resume (see `lastEventIdOf`); undefined on a first visit. */
  readonly lastEventId: string | undefined;
  readonly #res: ServerResponse;
  readonly #maxBufferedBytes: number;
  #onClose: (() => void)[] = [];
  #closed = false;

  constructor(res: ServerResponse, lastEventId: string | undefined, maxBufferedBytes: number, forget: () => void) {
    this.#res = res;
    this.lastEventId = lastEventId;
    this.#maxBufferedBytes = maxBufferedBytes;
    this.#onClose.push(forget);
    // 'close' comes whichever side ends it: the client leaving, the network, or close() below.
    res.once('close', () => this.#ended());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes one event. A line break in `id` or `event` would forge another field, so it is refused. */
  send(event: SseEvent): void {
    if (/[\r\n]/.test(`${event.id ?? ''}${event.event ?? ''}`))
      throw new Error('An event id or name cannot contain a line break');
    let frame = '';
    if (event.id !== undefined) frame += `id: ${event.id}\n`;
    if (event.event !== undefined) frame += `event: ${event.event}\n`;
    for (const line of event.data.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
    this.#write(`${frame}\n`);
  }

  /** A comment line, which EventSource ignores: the heartbeat. */
  comment(text: string): void {
    this.#write(`:${text.replace(/[\r\n]/g, ' ')}\n\n`);
  }

  /** Runs `listener` once the stream has ended, or at once if it already has. */
  onClose(listener: () => void): void {
    if (this.#closed) listener();
    else this.#onClose.push(listener);
  }

  /** Ends the stream; the browser reconnects after the retry hint, with its Last-Event-ID. */
  close(): void {
    if (this.#closed) return;
    // The connection goes too, not back to keep-alive: a server shutting down waits for it.
    this.#res.end(() => this.#res.socket?.destroy());
    this.#ended();
  }

  #write(text: string): void {
    if (this.#closed) return;
    if (this.#res.writableLength > this.#maxBufferedBytes) {
      this.close();
      return;
    }
    this.#res.write(text);
  }

  #ended(): void {
    if (this.#closed) return;
    this.#closed = true;
    const listeners = this.#onClose;
    this.#onClose = [];
    for (const listener of listeners) listener();
  }
}
