import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Browser } from './portal.ts';

export interface Frame {
  id?: string;
  event?: string;
  data: Record<string, string>;
}

/**
 * ELAR's live-status stream as a browser's EventSource holds it, over a real socket: the
 * answer's status and headers, the frames as they arrive, and whether the server ended it.
 */
export class EventStream {
  readonly frames: Frame[] = [];
  status = 0;
  headers: IncomingHttpHeaders = {};
  ended = false;
  #res?: IncomingMessage;
  #waiters: (() => void)[] = [];

  static open(origin: string, b: Browser | null, headers: Record<string, string> = {}): Promise<EventStream> {
    const stream = new EventStream();
    const cookie = b ? [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') : '';
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        `${origin}/elar/applications/events`,
        { headers: { ...(cookie ? { cookie } : {}), ...headers } },
        (res) => {
          stream.status = res.statusCode ?? 0;
          stream.headers = res.headers;
          stream.#res = res;
          let buffer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let end;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              stream.#take(buffer.slice(0, end));
              buffer = buffer.slice(end + 2);
            }
          });
          const done = () => {
            stream.ended = true;
            stream.#wake();
          };
          res.on('end', done);
          res.on('close', done);
          resolve(stream);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  #take(block: string) {
    const frame: Partial<Frame> = {};
    for (const line of block.split('\n')) {
      const [field, ...rest] = line.split(': ');
      const value = rest.join(': ');
      if (field === 'id') frame.id = value;
      if (field === 'event') frame.event = value;
      if (field === 'data') frame.data = JSON.parse(value) as Record<string, string>;
    }
    if (frame.data) {
      this.frames.push(frame as Frame);
      this.#wake();
    }
  }

  #wake() {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  async #waitFor(done: () => boolean, ms: number, what: string) {
    const deadline = Date.now() + ms;
    while (!done()) {
      const left = deadline - Date.now();
      assert.ok(left > 0, `expected ${what} within ${ms} ms`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  /** Resolves once `count` frames have come, or fails after `ms`. */
  async until(count: number, ms = 1000): Promise<Frame[]> {
    await this.#waitFor(() => this.frames.length >= count, ms, `${count} events (got ${this.frames.length})`);
    return this.frames;
  }

  /** Resolves once the server has ended the stream, or fails after `ms`. */
  async closedWithin(ms: number): Promise<void> {
    await this.#waitFor(() => this.ended, ms, 'the server to end the stream');
  }

  close() {
    this.#res?.destroy();
  }
}
