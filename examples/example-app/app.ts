/**
 * A tiny agency application that signs in through the portal, as any standard OpenID
 * Connect library would: discovery, authorization code + PKCE, the `roles` claim, and
 * back-channel logout. It shares nothing with the portal but the issuer URL and its
 * client registration (`npm run cli -- app add …`).
 *
 *   ISSUER=http://localhost:3000 CLIENT_ID=example CLIENT_SECRET=… PORT=4000 \
 *     node --import tsx examples/example-app/app.ts
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';

const issuer = required('ISSUER');
const clientId = required('CLIENT_ID');
const clientSecret = required('CLIENT_SECRET');
const port = Number(process.env.PORT ?? 4000);
const base = process.env.BASE_URL ?? `http://127.0.0.1:${port}`;

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required`);
    process.exit(1);
  }
  return value;
}

interface Session {
  claims: Record<string, unknown>;
  sid: string | undefined;
}
const sessions = new Map<string, Session>();
const pending = new Map<string, { verifier: string; state: string; nonce: string }>();

// HTTP Basic: the one client authentication the portal accepts.
const config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(clientSecret), {
  execute: issuer.startsWith('http://') ? [oidc.allowInsecureRequests] : [],
});
const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));

function cookie(req: IncomingMessage, name: string): string | undefined {
  return req.headers.cookie?.split(/;\s*/).find((c) => c.startsWith(`${name}=`))?.slice(name.length + 1);
}

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(res: ServerResponse, body: string, status = 200) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example agency application</title></head><body><main>${body}</main></body></html>`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', base);
  try {
    if (url.pathname === '/' && req.method === 'GET') {
      const session = sessions.get(cookie(req, 'example_session') ?? '');
      if (!session) return page(res, '<h1>Example agency application</h1><p id="status">Signed out.</p><p><a href="/login">Sign in with the Security Portal</a></p>');
      const roles = (session.claims.roles as Array<{ org: string; role: string }> | undefined) ?? [];
      return page(
        res,
        `<h1>Example agency application</h1><p id="status">Signed in as <span data-username>${escape(String(session.claims.preferred_username))}</span></p><p>Roles: ${escape(roles.map((r) => `${r.role} in ${r.org}`).join(', ') || 'none')}</p>`,
      );
    }
    if (url.pathname === '/login') {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      pending.set(state, { verifier, state, nonce });
      const target = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${base}/callback`,
        scope: 'openid profile roles',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      res.writeHead(303, { location: target.href });
      return res.end();
    }
    if (url.pathname === '/callback') {
      const saved = pending.get(url.searchParams.get('state') ?? '');
      if (!saved) return page(res, '<h1>Sign-in did not complete</h1>', 400);
      pending.delete(saved.state);
      const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: saved.verifier, expectedState: saved.state, expectedNonce: saved.nonce });
      const claims = tokens.claims()!;
      const id = randomBytes(32).toString('base64url');
      sessions.set(id, { claims: { ...claims }, sid: typeof claims.sid === 'string' ? claims.sid : undefined });
      res.writeHead(303, { location: '/', 'set-cookie': `example_session=${id}; Path=/; HttpOnly; SameSite=Lax` });
      return res.end();
    }
    if (url.pathname === '/backchannel-logout' && req.method === 'POST') {
      const token = new URLSearchParams(await readBody(req)).get('logout_token') ?? '';
      const { payload } = await jwtVerify(token, jwks, { issuer: config.serverMetadata().issuer, audience: clientId, maxTokenAge: '2 minutes' });
      const events = payload.events as Record<string, unknown> | undefined;
      if (!events?.['http://schemas.openid.net/event/backchannel-logout'] || 'nonce' in payload) throw new Error('not a logout token');
      for (const [id, s] of sessions) if ((payload.sid && s.sid === payload.sid) || (!payload.sid && s.claims.sub === payload.sub)) sessions.delete(id);
      res.writeHead(200, { 'cache-control': 'no-store' });
      return res.end();
    }
    page(res, '<h1>Not found</h1>', 404);
  } catch (e) {
    page(res, `<h1>Error</h1><p>${escape((e as Error).message)}</p>`, 400);
  }
});

server.listen(port, '127.0.0.1', () => console.log(`Example application at ${base}`));
