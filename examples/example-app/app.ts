/**
 * A tiny agency application that signs in through the portal, as any standard OpenID
 * Connect library would: discovery, authorization code + PKCE, the `roles` claim, and
 * back-channel logout. It shares nothing with the portal but the issuer URL and its
 * client registration (`npm run cli -- app add …`).
 *
 *   npm run cli -- app add --client-id example --name Example \
 *     --redirect-uri http://localhost:4000/callback --redirect-uri http://127.0.0.1:4000/callback \
 *     --backchannel-logout-uri http://127.0.0.1:4000/backchannel-logout
 *   ISSUER=http://localhost:3000 CLIENT_ID=example CLIENT_SECRET=… PORT=4000 \
 *     node --import tsx examples/example-app/app.ts
 *
 * Open it as http://localhost:4000 or http://127.0.0.1:4000: it asks the portal to send the
 * person back to the name it was opened with. BASE_URL fixes one origin instead (behind a
 * proxy, or on another host name).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';

const port = Number(process.env.PORT ?? 4000);
const missing = ['ISSUER', 'CLIENT_ID', 'CLIENT_SECRET'].filter((name) => !process.env[name]);
if (missing.length > 0) {
  // Everything a first run needs, at once: which variables, the command, and the redirect URIs to register.
  const names = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)}`;
  console.error(
    [
      `Missing ${names}. Run it as:`,
      `  ISSUER=http://localhost:3000 CLIENT_ID=example CLIENT_SECRET=… PORT=${port} node --import tsx examples/example-app/app.ts`,
      'with the client id and secret that registering it in the portal printed:',
      `  npm run cli -- app add --client-id example --name Example --redirect-uri http://localhost:${port}/callback --redirect-uri http://127.0.0.1:${port}/callback --backchannel-logout-uri http://127.0.0.1:${port}/backchannel-logout`,
    ].join('\n'),
  );
  process.exit(1);
}
const issuer = process.env.ISSUER!;
const clientId = process.env.CLIENT_ID!;
const clientSecret = process.env.CLIENT_SECRET!;
const fixedBase = process.env.BASE_URL;
const defaultBase = `http://127.0.0.1:${port}`;
const LOOPBACK_HOSTS = new Set([`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]);

/**
 * Where this application is, as the browser sees it. Only the loopback names on our own
 * port are taken from the Host header: anything else is a header we cannot trust to build
 * the redirect URI with.
 */
function baseOf(req: IncomingMessage): string {
  if (fixedBase) return fixedBase;
  const host = req.headers.host ?? '';
  return LOOPBACK_HOSTS.has(host) ? `http://${host}` : defaultBase;
}

interface Session {
  claims: Record<string, unknown>;
  sid: string | undefined;
}
const sessions = new Map<string, Session>();
const pending = new Map<string, { verifier: string; state: string; nonce: string; redirectUri: string }>();

// HTTP Basic: the one client authentication the portal accepts.
const config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(clientSecret), {
  execute: issuer.startsWith('http://') ? [oidc.allowInsecureRequests] : [],
});
const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));

function cookie(req: IncomingMessage, name: string): string | undefined {
  return req.headers.cookie
    ?.split(/;\s*/)
    .find((c) => c.startsWith(`${name}=`))
    ?.slice(name.length + 1);
}

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(res: ServerResponse, body: string, status = 200) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example agency application</title></head><body><main>${body}</main></body></html>`,
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const base = baseOf(req);
  const url = new URL(req.url ?? '/', base);
  try {
    if (url.pathname === '/' && req.method === 'GET') {
      const session = sessions.get(cookie(req, 'example_session') ?? '');
      if (!session)
        return page(
          res,
          '<h1>Example agency application</h1><p id="status">Signed out.</p><p><a href="/login">Sign in with the Security Portal</a></p>',
        );
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
      pending.set(state, { verifier, state, nonce, redirectUri: `${base}/callback` });
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
      // The code is bound to the redirect URI sent at login: exchange it with that one.
      const callback = new URL(`${saved.redirectUri}${url.search}`);
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: saved.verifier,
        expectedState: saved.state,
        expectedNonce: saved.nonce,
      });
      const claims = tokens.claims()!;
      const id = randomBytes(32).toString('base64url');
      sessions.set(id, { claims: { ...claims }, sid: typeof claims.sid === 'string' ? claims.sid : undefined });
      res.writeHead(303, { location: '/', 'set-cookie': `example_session=${id}; Path=/; HttpOnly; SameSite=Lax` });
      return res.end();
    }
    if (url.pathname === '/backchannel-logout' && req.method === 'POST') {
      const token = new URLSearchParams(await readBody(req)).get('logout_token') ?? '';
      const { payload } = await jwtVerify(token, jwks, {
        issuer: config.serverMetadata().issuer,
        audience: clientId,
        maxTokenAge: '2 minutes',
      });
      const events = payload.events as Record<string, unknown> | undefined;
      if (!events?.['http://schemas.openid.net/event/backchannel-logout'] || 'nonce' in payload)
        throw new Error('not a logout token');
      for (const [id, s] of sessions)
        if ((payload.sid && s.sid === payload.sid) || (!payload.sid && s.claims.sub === payload.sub))
          sessions.delete(id);
      res.writeHead(200, { 'cache-control': 'no-store' });
      return res.end();
    }
    page(res, '<h1>Not found</h1>', 404);
  } catch (e) {
    page(res, `<h1>Error</h1><p>${escape((e as Error).message)}</p>`, 400);
  }
}

// "localhost" may resolve to ::1 or to 127.0.0.1: listen on both loopbacks (::1 only where IPv6 is on).
const ipv4 = createServer(handle);
ipv4.listen(port, '127.0.0.1', () =>
  console.log(`Example application at ${fixedBase ?? `http://localhost:${port} (or ${defaultBase})`}`),
);
const ipv6 = createServer(handle);
ipv6.on('error', () => ipv6.close());
ipv6.listen(port, '::1');
