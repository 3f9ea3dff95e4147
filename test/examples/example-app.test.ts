import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';

/**
 * The example relying party (examples/example-app/app.ts) as a new developer runs it: what
 * it says when variables are missing, and the redirect URI it sends from either loopback name.
 */
const APP = ['--import', 'tsx', 'examples/example-app/app.ts'];

function envWithout(...names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of [...names, 'ISSUER', 'CLIENT_ID', 'CLIENT_SECRET', 'PORT', 'BASE_URL']) delete env[name];
  return env;
}

describe('example app: missing settings', () => {
  test('every missing variable is named at once, with the command to run and the redirect URIs to register', () => {
    const result = spawnSync(process.execPath, APP, { env: envWithout(), encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 1);
    const err = result.stderr.trim();
    assert.match(err, /^Missing ISSUER, CLIENT_ID and CLIENT_SECRET\./);
    assert.match(
      err,
      /ISSUER=http:\/\/localhost:3000 CLIENT_ID=example CLIENT_SECRET=… PORT=4000 node --import tsx examples\/example-app\/app\.ts/,
    );
    assert.match(
      err,
      /--redirect-uri http:\/\/localhost:4000\/callback --redirect-uri http:\/\/127\.0\.0\.1:4000\/callback/,
    );
  });
  test('one missing variable is named alone', () => {
    const result = spawnSync(process.execPath, APP, {
      env: { ...envWithout(), ISSUER: 'http://localhost:3000', CLIENT_ID: 'example' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^Missing CLIENT_SECRET\./);
  });
});

describe('example app: localhost and 127.0.0.1', () => {
  let issuer: Server;
  let app: ChildProcess;
  let port = 0;

  before(async () => {
    // Just enough of a provider for discovery: the app only builds the authorization URL here.
    issuer = createServer((req, res) => {
      const base = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
      if (req.url !== '/.well-known/openid-configuration') return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          issuer: base,
          authorization_endpoint: `${base}/auth`,
          token_endpoint: `${base}/token`,
          jwks_uri: `${base}/jwks`,
          response_types_supported: ['code'],
        }),
      );
    });
    await new Promise<void>((r) => issuer.listen(0, '127.0.0.1', r));
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    app = spawn(process.execPath, APP, {
      env: {
        ...envWithout(),
        ISSUER: `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`,
        CLIENT_ID: 'example',
        CLIENT_SECRET: 's3cret',
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // Ready when it says where it listens.
    await new Promise<void>((resolve, reject) => {
      app.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('Example application at')) resolve();
      });
      app.once('exit', (code) => reject(new Error(`example app exited with ${code}`)));
    });
  });
  after(async () => {
    app?.kill();
    await new Promise((r) => issuer?.close(r));
  });

  /** GET /login on the given address with the given Host header; the redirect_uri it sends. */
  function loginRedirectUri(address: string, host: string): Promise<string | null> {
    return new Promise((resolve, reject) => {
      const req = request({ host: address, port, path: '/login', headers: { host } }, (res) => {
        res.resume();
        assert.equal(res.statusCode, 303);
        resolve(new URL(res.headers.location!).searchParams.get('redirect_uri'));
      });
      req.on('error', reject);
      req.end();
    });
  }

  test('opened as localhost, it asks to come back to localhost; as 127.0.0.1, to 127.0.0.1', async () => {
    assert.equal(await loginRedirectUri('127.0.0.1', `localhost:${port}`), `http://localhost:${port}/callback`);
    assert.equal(await loginRedirectUri('127.0.0.1', `127.0.0.1:${port}`), `http://127.0.0.1:${port}/callback`);
  });
  test('it answers on the IPv6 loopback too, where browsers may send "localhost" first', async () => {
    assert.equal(await loginRedirectUri('::1', `localhost:${port}`), `http://localhost:${port}/callback`);
  });
  test('any other Host header is not trusted: the redirect URI stays on 127.0.0.1', async () => {
    assert.equal(await loginRedirectUri('127.0.0.1', 'evil.example'), `http://127.0.0.1:${port}/callback`);
    assert.equal(await loginRedirectUri('127.0.0.1', `localhost:${port + 1}`), `http://127.0.0.1:${port}/callback`);
  });
});
