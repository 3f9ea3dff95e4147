import { createHash, createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RouteOptions,
} from 'fastify';
import type { VNode } from 'preact';
import { enforceDeclaredAccess, publicPlugin } from './access.ts';
import type { Config } from './config.ts';
import { errors, PortalError, refusedByFramework } from './errors.ts';
import { ErrorPage } from './views/error-page.tsx';
import type { Navigation, ViewContext } from './views/layout.tsx';
import { renderDocument } from './views/render.ts';
import { useZodSchemas } from './route-schemas.ts';

/**
 * The HTTP platform: security headers, cookies, CSRF on every POST, form bodies, rate
 * limits, static assets, HTML rendering and one error handler that turns every failure
 * into a page with a 4xx (or, for a real fault, a 500 that tells nothing internal).
 */

declare module 'fastify' {
  interface FastifyRequest {
    view: ViewContext;
  }
  interface FastifyReply {
    page(node: VNode, status?: number): FastifyReply;
  }
}

export interface CookieNames {
  session: string;
  flow: string;
  csrf: string;
}

/** `__Host-` cookies need Secure, so they are used whenever the portal is served over https. */
export function cookieNames(config: Config): CookieNames {
  const prefix = config.secureCookies ? '__Host-' : '';
  return { session: `${prefix}portal_session`, flow: `${prefix}portal_flow`, csrf: `${prefix}portal_csrf` };
}

export function cookieOptions(config: Pick<Config, 'secureCookies'>) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: config.secureCookies };
}

/** The project folder (public/ is there): up from this file, whether it runs from src/ or from the compiled dist/. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}
const root = projectRoot();
const require = createRequire(import.meta.url);
// The package exports only its script; the dist folder (css, fonts, img) sits around it.
const uswdsDist = join(dirname(require.resolve('@uswds/uswds')), '..');

/**
 * `secretsKey` keys the CSRF tokens' HMAC. A token is bound to the browser's portal session
 * cookie (its hash, whether or not the session is still valid): a token and secret cookie
 * carried over from another browser, or issued before login, do not fit the session they
 * are sent with. Pages without a session bind to an empty cookie; the login form to none.
 */
export async function createHttpServer(
  config: Config,
  loggerOption: boolean | object,
  secretsKey: string,
  navigation: Navigation,
  /** Sees every route as it is registered (the permission matrix lists them from here). */
  onRoute?: (route: RouteOptions) => void,
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOption,
    trustProxy: trustedProxies(config.trustProxy),
    bodyLimit: 64 * 1024,
    requestIdHeader: false,
  });
  if (onRoute) app.addHook('onRoute', onRoute);
  // Every route must say who may use it; a route that does not stops start-up.
  app.addHook('onRoute', enforceDeclaredAccess);
  useZodSchemas(app);

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        ...(config.secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: config.secureCookies ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(cookie);
  await app.register(formbody);
  const names = cookieNames(config);
  // The login form is the one that starts a session, and may be sent from a tab opened
  // before another tab logged in: it binds to no session (its secret cookie still binds it
  // to the browser).
  const sessionOf = (request: FastifyRequest) =>
    request.url.split('?')[0] === '/login'
      ? 'login'
      : createHash('sha256')
          .update(request.cookies[names.session] ?? '')
          .digest('base64url');
  await app.register(csrf, {
    cookieKey: names.csrf,
    cookieOpts: cookieOptions(config),
    getToken: (req) => (req.body as Record<string, unknown> | undefined)?._csrf as string,
    getUserInfo: sessionOf,
    csrfOpts: { hmacKey: createHmac('sha256', secretsKey).update('csrf-tokens').digest() },
  });
  // Every form post is rate limited per address. This hook must come before the plugin's
  // own onRoute hook, which reads the route's rateLimit config.
  app.addHook('onRoute', (route) => {
    // A route with a limit of its own (a provider's signed callbacks) keeps it.
    if (route.method === 'POST' && config.rateLimitPostsPerMinute > 0 && route.config?.rateLimit === undefined) {
      route.config = {
        ...(route.config ?? {}),
        rateLimit: { max: config.rateLimitPostsPerMinute, timeWindow: 60_000 },
      };
    }
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: () => errors.tooManyRequests(),
  });
  await app.register(
    publicPlugin('static files', async (assets) => {
      await assets.register(fastifyStatic, {
        root: uswdsDist,
        prefix: '/assets/uswds/',
        maxAge: '1d',
        index: false,
      });
      await assets.register(fastifyStatic, {
        root: join(root, 'public'),
        prefix: '/assets/',
        maxAge: '1h',
        index: false,
        decorateReply: false,
      });
    }),
  );

  // No field, query or path of ours can hold a NUL character and PostgreSQL text cannot
  // store one: refuse it at the edge, wherever it hides, rather than let a query fail with
  // a 500. (The provider's routes are handed over before this and check their own input.)
  app.addHook('preValidation', async (request, reply) => {
    if (reply.sent) return;
    if (containsNul(request.query) || containsNul(request.params) || containsNul(request.body))
      throw errors.badRequest();
  });

  // Every form post must carry the CSRF token, except server-to-server endpoints that opt
  // out with `config: { csrf: false }` and authenticate otherwise (signed logout tokens).
  app.addHook('preHandler', (request, reply, done) => {
    const exempt = (request.routeOptions.config as { csrf?: boolean }).csrf === false;
    if (request.method === 'POST' && !exempt) app.csrfProtection(request, reply, done);
    else done();
  });

  app.decorateRequest('view', null as unknown as ViewContext);
  app.decorateReply('page', function (this: FastifyReply, node: VNode, status = 200) {
    // Personal pages must not sit in shared or back-button caches.
    return this.code(status)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(renderDocument(node));
  });
  app.addHook('onRequest', async (request, reply) => {
    let token: string | undefined;
    request.view = {
      helpdesk: config.helpdesk,
      agency: config.agency,
      navigation,
      user: null,
      path: request.url.split('?')[0] ?? '/',
      csrfToken: () => (token ??= reply.generateCsrf({ userInfo: sessionOf(request) })),
    };
  });

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = toPortalError(error);
    // A refusal is the service working: logged with its code (and, when the framework
    // refused, its own error) so an operator can follow a person's call to the help desk.
    if (known) request.log.info({ code: known.code, ...(known === error ? {} : { err: error }) }, 'request refused');
    else request.log.error({ err: error }, 'unhandled error');
    const shown = known ?? errors.internal();
    const view = request.view ?? {
      helpdesk: config.helpdesk,
      agency: config.agency,
      navigation,
      user: null,
      path: '/',
      csrfToken: () => '',
    };
    return reply.page(
      <ErrorPage ctx={view} title={titleFor(shown)} message={shown.message} code={shown.code} />,
      shown.statusCode,
    );
  });

  return app;
}

/**
 * The 404 page, set by the composition root on the plugin whose hooks it should run (the
 * portal's session, so the page shows who is signed in): Fastify runs a not-found
 * handler with the hooks of the instance that set it.
 */
export function showNotFoundPage(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const { message, code } = errors.notFound();
    reply.page(<ErrorPage ctx={request.view} title="Page not found" message={message} code={code} />, 404);
  });
}

/** The client address as the rate limiter and the audit log see it. */
export function clientIp(request: FastifyRequest): string {
  return request.ip;
}

/**
 * Fastify reads a bare number as "trust nothing" (it cannot tell a proxy from a client that
 * connects directly), so a hop count becomes the rule it stands for: the socket and the
 * next `hops - 1` entries from the right are proxies; the one after them is the client.
 */
function trustedProxies(setting: Config['trustProxy']): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return setting;
}

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).some(([key, v]) => key.includes('\u0000') || containsNul(v));
  return false;
}

function toPortalError(error: FastifyError): PortalError | null {
  if (error instanceof PortalError) return error;
  if (error.code?.startsWith('FST_CSRF')) return errors.csrf();
  if (error.statusCode === 413) return errors.payloadTooLarge();
  if (error.statusCode === 429) return errors.tooManyRequests();
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return refusedByFramework(error.statusCode);
  }
  return null;
}

function titleFor({ statusCode: status, code }: PortalError): string {
  // Only a refused form was "not sent"; a page refused to this person is about access.
  if (code === errors.csrf.code) return 'Your form could not be sent';
  if (status === 403) return 'You do not have access to this page';
  if (status === 404) return 'Page not found';
  if (status === 409) return 'Your answers have expired';
  if (status === 429) return 'Too many requests';
  if (status >= 500) return 'Sorry, there is a problem with the service';
  return 'There is a problem with your request';
}
