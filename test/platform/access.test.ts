import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { accessPolicy, publicRoute } from '../../src/platform/access.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { errors } from '../../src/platform/errors.ts';
import { createHttpServer } from '../../src/platform/http.tsx';
import type { Navigation } from '../../src/platform/views/layout.tsx';
import type { ZodTypeProvider } from '../../src/platform/route-schemas.ts';

const NO_LINKS: Navigation = { signedIn: [], signedOut: [], logout: '/logout', footer: [] };

/**
 * The route-declaration mechanism on its own: a server with the platform's hooks and a
 * module that signs people in by a header, so only the mechanism can be the reason for an
 * answer. (The portal's real routes are covered by test/directory/permissions.http.test.ts.)
 */

const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: 'memory://' });
const server = () => createHttpServer(config, false, 'test-secrets-key-0123456789abcdef012345', NO_LINKS);

/** Who is signed in: the `x-user` header. Only "owner" may read notes, and only their own. */
const notes = accessPolicy<string, 'note.read', { kind: 'note'; owner: string }>({
  actor: (request) => (typeof request.headers['x-user'] === 'string' ? request.headers['x-user'] : null),
  authorize: (actor, _permission, note) => {
    if (actor !== note.owner) throw errors.forbidden();
  },
});
const noteParams = z.object({ owner: z.string().regex(/^[a-z]+$/) });

async function notesModule(fastify: FastifyInstance) {
  notes.install(fastify);
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const read = notes.permit('note.read', (request) => ({
    kind: 'note' as const,
    owner: noteParams.parse(request.params).owner,
  }));
  app.get(
    '/notes/:owner',
    { ...read, schema: { params: noteParams } },
    async (request) => `notes of ${read.granted(request).resource.owner}`,
  );
  app.get('/me', notes.self('one’s own name'), async (request) => `you are ${notes.actorOf(request)}`);
  app.get('/about', publicRoute('about the notes'), async () => 'about');
}

/** Starts an app with these plugins; the promise fails as start-up would. */
async function start(...plugins: Array<(app: FastifyInstance) => Promise<void>>) {
  const app = await server();
  for (const plugin of plugins) await app.register(plugin);
  await app.ready();
  return app;
}

describe('start-up refuses a route that declares no access', () => {
  test('an undeclared route stops the app, and the error names the route', async () => {
    const forgetful = async (module: FastifyInstance) => {
      module.get('/forgotten', async () => 'anyone?');
    };
    await assert.rejects(start(notesModule, forgetful), (error: Error) => {
      assert.match(error.message, /GET \/forgotten/);
      assert.match(error.message, /declares neither public, self nor a permission/);
      return true;
    });
  });

  test('a POST route added by a module is refused too, whatever its other config', async () => {
    const forgetful = async (module: FastifyInstance) => {
      module.post('/notes', { config: { csrf: false } }, async () => 'posted');
    };
    await assert.rejects(start(forgetful), /POST \/notes declares neither/);
  });

  test('a route that needs a signed-in person where no module installed a policy is refused', async () => {
    const policyless = async (module: FastifyInstance) => {
      module.get('/mine', notes.self('one’s own'), async () => 'mine');
    };
    await assert.rejects(
      start(policyless),
      /GET \/mine needs a signed-in person but its plugin installs no access policy/,
    );
  });

  test('a policy covers only its own plugin: a sibling plugin cannot borrow it', async () => {
    const sibling = async (module: FastifyInstance) => {
      module.get('/borrowed', notes.self('one’s own'), async () => 'borrowed');
    };
    await assert.rejects(start(notesModule, sibling), /GET \/borrowed needs a signed-in person/);
  });

  test('declared routes, and the static files the platform serves, start', async () => {
    const app = await start(notesModule);
    assert.equal(
      (await app.inject('/assets/app.css')).statusCode,
      200,
      'static files are declared public by the platform',
    );
    await app.close();
  });
});

describe('the one check before every handler', () => {
  const started = () => start(notesModule);

  test('public: anyone', async () => {
    const app = await started();
    const res = await app.inject('/about');
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'about');
  });

  test('signed out: the login page, and back here afterwards', async () => {
    const app = await started();
    for (const url of ['/me', '/notes/ann?x=1', '/notes/NOT-VALID']) {
      const res = await app.inject(url);
      assert.equal(res.statusCode, 303, url);
      assert.equal(res.headers.location, `/login?returnTo=${encodeURIComponent(url)}`, url);
    }
  });

  test('self: the signed-in person, for themselves', async () => {
    const app = await started();
    const res = await app.inject({ url: '/me', headers: { 'x-user': 'ann' } });
    assert.equal(res.body, 'you are ann');
  });

  test('permission: allowed on the resource the route found, a 403 page with no data otherwise', async () => {
    const app = await started();
    const own = await app.inject({ url: '/notes/ann', headers: { 'x-user': 'ann' } });
    assert.equal(own.statusCode, 200);
    assert.equal(own.body, 'notes of ann');
    const other = await app.inject({ url: '/notes/bob', headers: { 'x-user': 'ann' } });
    assert.equal(other.statusCode, 403);
    assert.match(other.body, /You do not have access to this page/);
    assert.doesNotMatch(other.body, /notes of/);
  });

  test('a malformed path parameter is a 404 page once signed in, never a 500', async () => {
    const app = await started();
    const res = await app.inject({ url: '/notes/NOT-VALID', headers: { 'x-user': 'ann' } });
    assert.equal(res.statusCode, 404);
    assert.match(res.body, /Page not found|could not find/);
  });
});
