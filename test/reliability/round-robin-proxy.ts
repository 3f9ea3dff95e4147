import {
  Agent,
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';

/**
 * A load balancer for tests: every request goes to the next upstream in strict rotation
 * (per request, never sticky), bodies are streamed and headers kept, Host included, so the
 * instances see the public origin. Every hop is logged, so a test can prove which instance
 * served which step, and a test may force the next targets to make a scenario cross
 * instances on purpose (write on A, read on B); rotation resumes after the forced one.
 */

export interface Hop {
  method: string;
  path: string;
  target: number;
  /** The upstream's status, or 502 when it could not be reached. */
  status: number;
}

// Hop-by-hop headers belong to one connection (RFC 9110 §7.6.1); the rest is passed on as is.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

/** Raw header pairs (keeps every Set-Cookie line separate), without hop-by-hop ones. */
function endToEndRaw(raw: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) kept.push(raw[i]!, raw[i + 1]!);
  }
  return kept;
}

export class RoundRobinProxy {
  readonly log: Hop[] = [];
  private next = 0;
  private readonly forced: number[] = [];
  private readonly agent = new Agent({ keepAlive: true });
  private readonly server: Server;

  constructor(private readonly upstreams: URL[]) {
    this.server = createServer((req, res) => this.forward(req, res));
  }

  /** Port 0 lets the system choose; the URL returned has the port actually bound. */
  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, resolve);
    });
    return `http://${host}:${(this.server.address() as { port: number }).port}`;
  }

  /** The next requests go to these instances, in order; then rotation continues from the last. */
  forceNext(...targets: number[]): void {
    this.forced.push(...targets);
  }

  /** A position in the log, to look at the hops of one scenario. */
  mark(): number {
    return this.log.length;
  }

  hopsSince(mark: number): Hop[] {
    return this.log.slice(mark);
  }

  /** Requests served per instance since `mark`. */
  countsSince(mark: number): number[] {
    const counts = this.upstreams.map(() => 0);
    for (const hop of this.hopsSince(mark)) counts[hop.target]! += 1;
    return counts;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    this.agent.destroy();
    await closed;
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const target = this.forced.shift() ?? this.next;
    this.next = (target + 1) % this.upstreams.length;
    const hop: Hop = { method: req.method ?? 'GET', path: req.url ?? '/', target, status: 0 };
    this.log.push(hop);
    const upstream = this.upstreams[target]!;
    const out = request(
      {
        agent: this.agent,
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: endToEnd(req.headers),
      },
      (answer) => {
        hop.status = answer.statusCode ?? 0;
        res.writeHead(hop.status, endToEndRaw(answer.rawHeaders));
        answer.pipe(res);
      },
    );
    out.on('error', (err) => {
      hop.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: upstream ${target} failed: ${err.message}`);
    });
    req.pipe(out);
  }
}
