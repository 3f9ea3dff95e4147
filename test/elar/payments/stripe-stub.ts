import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Stripe-shaped HTTP server on loopback, for the real `stripe` SDK to talk to: only the
 * calls ELAR makes (checkout.sessions.create/retrieve, refunds.create), with Stripe's
 * idempotency (the same Idempotency-Key answers the first response again). The test plays
 * the card network: `pay(id)` completes a session as a person paying on Stripe's page would.
 */

interface StubSession {
  id: string;
  amount_total: number;
  currency: string;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid';
  url: string;
  success_url: string;
  client_reference_id: string | null;
  /** What the checkout was asked to take (`allowed_payment_method_types[]`); Stripe's default when none. */
  payment_method_types: string[];
  payment_intent: string | null;
  last4: string | null;
  refunded: number;
}

export interface StripeStub {
  url: string;
  sessions: Map<string, StubSession>;
  /** Every request, as "METHOD path". */
  calls: string[];
  /** Creates the session but drops the connection before answering: the provider did it, we did not hear. */
  dropNextCreate: boolean;
  /** The next session is made already expired, so Stripe's answer has no checkout page (url null). */
  createExpired: boolean;
  /** Every refund is made, and every answer to it (retries included) is lost. */
  dropRefundAnswers: boolean;
  /** The next request is answered with this Stripe error instead (then normal service resumes). */
  failNext: { status: number; type: string; message: string } | null;
  refunds: { id: string; payment_intent: string; amount: number; metadata: Record<string, string> }[];
  pay(sessionId: string, last4?: string): void;
  expire(sessionId: string): void;
  close(): Promise<void>;
}

const id = (prefix: string) => `${prefix}_test_${randomBytes(10).toString('hex')}`;

function readBody(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString('utf8')));
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}

function sessionJson(s: StubSession, expand: string[]) {
  const intent =
    s.payment_intent && expand.includes('payment_intent.latest_charge')
      ? {
          id: s.payment_intent,
          object: 'payment_intent',
          latest_charge: {
            id: `ch_${s.payment_intent}`,
            object: 'charge',
            payment_method_details: { type: 'card', card: { last4: s.last4 } },
          },
        }
      : s.payment_intent;
  return {
    id: s.id,
    object: 'checkout.session',
    amount_total: s.amount_total,
    currency: s.currency,
    status: s.status,
    payment_status: s.payment_status,
    url: s.status === 'open' ? s.url : null,
    success_url: s.success_url,
    client_reference_id: s.client_reference_id,
    payment_intent: intent,
    mode: 'payment',
  };
}

export async function startStripeStub(): Promise<StripeStub> {
  const sessions = new Map<string, StubSession>();
  const replies = new Map<string, { status: number; body: unknown }>();
  const calls: string[] = [];
  const refunds: StripeStub['refunds'] = [];
  const stub = {
    dropNextCreate: false,
    createExpired: false,
    dropRefundAnswers: false,
    failNext: null,
  } as StripeStub;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
    res.end(JSON.stringify(body));
  };
  const error = (message: string) => ({ error: { type: 'invalid_request_error', message } });

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      calls.push(`${req.method} ${url.pathname}`);
      if (stub.failNext) {
        const { status, type, message } = stub.failNext;
        stub.failNext = null;
        return send(res, status, { error: { type, message } });
      }
      const key = req.headers['idempotency-key'];
      if (req.method === 'POST' && typeof key === 'string' && replies.has(key)) {
        const saved = replies.get(key)!;
        if (stub.dropRefundAnswers && url.pathname === '/v1/refunds') return req.socket.destroy();
        return send(res, saved.status, saved.body);
      }
      const remember = (status: number, body: unknown) => {
        if (req.method === 'POST' && typeof key === 'string') replies.set(key, { status, body });
        send(res, status, body);
      };
      if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
        const form = await readBody(req);
        const s: StubSession = {
          id: id('cs'),
          amount_total: Number(form.get('line_items[0][price_data][unit_amount]')),
          currency: form.get('line_items[0][price_data][currency]') ?? 'usd',
          status: stub.createExpired ? 'expired' : 'open',
          payment_status: 'unpaid',
          url: '',
          success_url: form.get('success_url') ?? '',
          client_reference_id: form.get('client_reference_id'),
          payment_method_types: [...form.entries()]
            .filter(([k]) => k.startsWith('allowed_payment_method_types'))
            .map(([, v]) => v),
          payment_intent: null,
          last4: null,
          refunded: 0,
        };
        stub.createExpired = false;
        s.url = `https://checkout.stripe.test/c/pay/${s.id}`;
        sessions.set(s.id, s);
        const body = sessionJson(s, []);
        if (typeof key === 'string') replies.set(key, { status: 200, body });
        if (stub.dropNextCreate) {
          stub.dropNextCreate = false;
          return req.socket.destroy();
        }
        return send(res, 200, body);
      }
      const retrieve = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && retrieve) {
        const s = sessions.get(decodeURIComponent(retrieve[1]!));
        if (!s) return send(res, 404, error('No such checkout.session'));
        // The SDK sends `expand[0]=…`; curl users send `expand[]=…`.
        const expand = [...url.searchParams].filter(([k]) => k.startsWith('expand[')).map(([, v]) => v);
        return send(res, 200, sessionJson(s, expand));
      }
      if (req.method === 'POST' && url.pathname === '/v1/refunds') {
        const form = await readBody(req);
        const s = [...sessions.values()].find((x) => x.payment_intent === form.get('payment_intent'));
        const amount = Number(form.get('amount'));
        if (!s || s.payment_status !== 'paid') return remember(400, error('No such payment_intent'));
        if (s.refunded + amount > s.amount_total)
          return remember(400, error('Refund is greater than unrefunded amount'));
        s.refunded += amount;
        const metadata = Object.fromEntries(
          [...form.entries()].filter(([k]) => k.startsWith('metadata[')).map(([k, v]) => [k.slice(9, -1), v]),
        );
        const refund = { id: id('re'), payment_intent: s.payment_intent!, amount, metadata };
        refunds.push(refund);
        const body = { ...refund, object: 'refund', status: 'succeeded' };
        if (typeof key === 'string') replies.set(key, { status: 200, body });
        if (stub.dropRefundAnswers) return req.socket.destroy();
        return send(res, 200, body);
      }
      if (req.method === 'GET' && url.pathname === '/v1/refunds') {
        const intent = url.searchParams.get('payment_intent');
        const data = refunds
          .filter((r) => r.payment_intent === intent)
          .map((r) => ({ ...r, object: 'refund', status: 'succeeded' }));
        return send(res, 200, { object: 'list', data, has_more: false, url: '/v1/refunds' });
      }
      const expire = /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/.exec(url.pathname);
      if (req.method === 'POST' && expire) {
        const s = sessions.get(decodeURIComponent(expire[1]!));
        if (!s) return remember(404, error('No such checkout.session'));
        if (s.status !== 'open') return remember(400, error('Only open sessions can be expired'));
        s.status = 'expired';
        return remember(200, sessionJson(s, []));
      }
      send(res, 404, error(`Unrecognized request URL (${req.method}: ${url.pathname})`));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    sessions,
    calls,
    refunds,
    pay(sessionId: string, last4 = '4242') {
      const s = sessions.get(sessionId)!;
      Object.assign(s, { status: 'complete', payment_status: 'paid', payment_intent: id('pi'), last4 });
    },
    expire(sessionId: string) {
      sessions.get(sessionId)!.status = 'expired';
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
