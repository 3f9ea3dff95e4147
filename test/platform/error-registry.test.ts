import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { after, before, describe, test } from 'node:test';
import { directoryErrors, DirectoryRuleError } from '../../src/directory/errors.ts';
import { defineErrors, errors, PortalError, registeredErrors } from '../../src/platform/errors.ts';
import { loggerOptions } from '../../src/platform/log.ts';
import { Browser, startPortal, type TestPortal } from '../helpers/portal.ts';
import { listenAhead } from '../helpers/server.ts';

/**
 * The error registry: one code per error a person can meet, each with its status and
 * message, shown on the error page and logged, and listed for operators in docs/operations.md.
 */

const root = join(import.meta.dirname, '..', '..');

async function sourceFiles(dir = join(root, 'src')): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
    ),
  );
  return nested.flat();
}

let portal: TestPortal;
let port: Awaited<ReturnType<typeof listenAhead>>;
const lines: Record<string, unknown>[] = [];
const logged = (msg: string) => lines.filter((line) => line.msg === msg);

before(async () => {
  port = await listenAhead();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  portal = await startPortal(
    { PUBLIC_URL: port.origin, LOG_LEVEL: 'info' },
    { logger: { ...loggerOptions({ logLevel: 'info' } as never), stream: sink } },
  );
  port.serve(portal.app);
});
after(async () => {
  await portal.close();
  await port.close();
});

describe('defineErrors', () => {
  test('a factory makes the error with its code, status and message, built from details when it has some', () => {
    const made = errors.uploadTooLarge(2 * 1024 * 1024);
    assert.ok(made instanceof PortalError);
    assert.equal(made.code, 'PORTAL_ERR_UPLOAD_TOO_LARGE');
    assert.equal(made.statusCode, 413);
    assert.match(made.message, /up to 2 MB/);
    assert.equal(errors.uploadTooLarge.code, 'PORTAL_ERR_UPLOAD_TOO_LARGE');
  });

  test('a module may make its own kind of error, still coded: a directory rule knows its form field', () => {
    const rule = directoryErrors.noSuchRole('SIMS', 'boss').at('roles');
    assert.ok(rule instanceof DirectoryRuleError && rule instanceof PortalError);
    assert.deepEqual([rule.code, rule.statusCode, rule.field], ['DIRECTORY_ERR_NO_SUCH_ROLE', 422, 'roles']);
    assert.equal(rule.message, 'SIMS has no role "boss"');
  });

  test('refuses a malformed code, a code outside its prefix, a code taken already and a status that is no error', () => {
    const define =
      (code: string, status = 400) =>
      () =>
        defineErrors('TEST', { x: { code, status, message: 'm' } });
    assert.throws(define('TEST_ERR_lower'), /not TEST_ERR_NAME/);
    assert.throws(define('TEST_ERR_'), /not TEST_ERR_NAME/);
    assert.throws(define('TEST_ERR_TRAILING_'), /not TEST_ERR_NAME/);
    assert.throws(define('TESTERR_NAME'), /not TEST_ERR_NAME/);
    assert.throws(define('PORTAL_ERR_ELSEWHERE'), /not TEST_ERR_NAME/);
    assert.throws(define('TEST_ERR_OK', 302), /not an HTTP error status/);
    assert.throws(
      () => defineErrors('PORTAL', { again: { code: 'PORTAL_ERR_NOT_FOUND', status: 404, message: 'm' } }),
      /registered twice/,
    );
    assert.ok(!registeredErrors().some((e) => e.code.startsWith('TEST_')));
  });
});

describe('the registry', () => {
  test("every module's codes are registered once the portal is built, each well formed and unique", () => {
    const codes = registeredErrors().map((e) => e.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const code of codes) assert.match(code, /^(PORTAL|DIRECTORY|SSO|ELAR)_ERR_[A-Z0-9]+(_[A-Z0-9]+)*$/);
    for (const prefix of ['PORTAL', 'DIRECTORY', 'SSO', 'ELAR'])
      assert.ok(
        codes.some((c) => c.startsWith(`${prefix}_ERR_`)),
        prefix,
      );
  });

  test('no error is made outside a registry, and every code named in the source is registered or documented', async () => {
    const codes = new Set(registeredErrors().map((e) => e.code));
    // Internal faults (storage) carry codes that only the log shows: documented for operators.
    const doc = await readFile(join(root, 'docs', 'operations.md'), 'utf8');
    for (const file of await sourceFiles()) {
      const text = await readFile(file, 'utf8');
      const where = file.slice(root.length + 1);
      if (where !== join('src', 'platform', 'errors.ts'))
        assert.doesNotMatch(text, /new PortalError\(/, `${where} makes an error outside the registry`);
      for (const [code] of text.matchAll(/\b[A-Z][A-Z0-9]*_ERR_[A-Z0-9_]*[A-Z0-9]\b/g))
        assert.ok(
          codes.has(code) || doc.includes(`| \`${code}\` |`),
          `${where} names ${code}, which no registry defines and docs/operations.md does not list`,
        );
    }
  });

  test('docs/operations.md lists every code with its status, so an operator can look one up', async () => {
    const doc = await readFile(join(root, 'docs', 'operations.md'), 'utf8');
    for (const { code, statusCode } of registeredErrors())
      assert.match(doc, new RegExp(`^\\| \`${code}\` \\| ${statusCode}\\b`, 'm'), code);
  });
});

describe('what a person sees and what the log keeps', () => {
  const codeOn = (body: string) => /data-error-code="([A-Z0-9_]+)"/.exec(body)?.[1];

  test('the error page shows the code, for the person to give the help desk', async () => {
    const res = await new Browser(portal.app).get('/no-such-page');
    assert.equal(res.status, 404);
    assert.equal(codeOn(res.body), 'PORTAL_ERR_NOT_FOUND');
  });

  test("a request the web framework refuses keeps the framework's status, shows a registry code and logs the framework's error", async () => {
    const res = await portal.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-unknown' },
      payload: 'x',
    });
    assert.equal(res.statusCode, 415);
    assert.equal(codeOn(res.body), 'PORTAL_ERR_BAD_REQUEST');
    assert.match(res.body, /What you sent could not be read/);
    const refusal = logged('request refused').find(
      (l) => (l.err as { code?: string })?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    );
    assert.equal(refusal?.code, 'PORTAL_ERR_BAD_REQUEST');
  });

  test('an expired single sign-on step is a 400 with its code, and the reason the provider gave is logged', async () => {
    const res = await new Browser(portal.app).get('/interaction/no-such-interaction');
    assert.equal(res.status, 400);
    assert.match(res.body, /This sign-in has expired/);
    assert.equal(codeOn(res.body), 'SSO_ERR_SIGN_IN_EXPIRED');
    const [reason] = logged('single sign-on interaction not found');
    assert.equal((reason?.err as { type?: string })?.type, 'SessionNotFound');
    assert.ok(logged('request refused').some((l) => l.code === 'SSO_ERR_SIGN_IN_EXPIRED'));
  });

  test("the provider's own error pages show their code", async () => {
    const res = await new Browser(portal.app).get('/oidc/auth?client_id=no-such-app&response_type=code&scope=openid');
    assert.equal(res.status, 400);
    assert.match(res.body, /The portal does not know this application/);
    assert.equal(codeOn(res.body), 'SSO_ERR_UNKNOWN_APPLICATION');
  });

  test("the provider's own failures reach the log (it would otherwise only show its error page)", async () => {
    const authorize = new URLSearchParams({
      client_id: 'elar',
      redirect_uri: `${port.origin}/elar/callback`,
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    // The provider's storage goes away (a database failing) while it starts a sign-in.
    await sql`ALTER TABLE oidc_model RENAME TO oidc_model_away`.execute(portal.db);
    let res;
    try {
      res = await new Browser(portal.app).get(`/oidc/auth?${authorize}`);
    } finally {
      await sql`ALTER TABLE oidc_model_away RENAME TO oidc_model`.execute(portal.db);
    }
    assert.equal(res.status, 500);
    const [failure] = logged('single sign-on provider failed a request');
    assert.match(String((failure?.err as { message?: string })?.message), /oidc_model/);
  });

  test("ELAR's refused sign-in shows ELAR's code", async () => {
    const res = await new Browser(portal.app, '10.6.0.9', port.origin).get('/elar/callback?code=abc&state=def');
    assert.equal(res.status, 400);
    assert.match(res.body, /Signing in to ELAR did not complete/);
    assert.equal(codeOn(res.body), 'ELAR_ERR_SIGN_IN');
  });
});
