import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRouteHookHandler,
  preHandlerAsyncHookHandler,
} from 'fastify';
import { errors } from './errors.ts';

/**
 * Who may use a route, declared on the route itself (`config: { access }`) and checked in
 * one place. The platform knows no domain: a module installs its own policy (how to find
 * the actor, how to decide) on its plugin, and its routes name the module's permissions.
 * A route that declares nothing, or needs a policy where none is installed, stops start-up:
 * forgetting fails closed.
 */
export type RouteAccess =
  /** Anyone, signed in or not; the text says why. */
  | { public: string }
  /** A signed-in person acting on themselves only (their account, their answers). */
  | { self: string }
  /** A signed-in person allowed the permission on the resource the route acts on. */
  | { permission: string; resource: (request: FastifyRequest) => unknown };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

export interface AccessPolicy<A, P extends string, R> {
  /** The signed-in actor, or null for someone signed out. Loaded once per request. */
  actor(request: FastifyRequest): Promise<A | null> | A | null;
  /** Throws the refusal (a 403 with no data) unless the actor may. */
  authorize(actor: A, permission: P, resource: R): void;
  /** What a signed-out person gets instead; by default the login page, and back here after. */
  signIn?(request: FastifyRequest, reply: FastifyReply): FastifyReply | Promise<FastifyReply>;
}

/** A permission declared on a route, and how its handler reads what the check found. */
export interface Permit<A, L> {
  config: { access: RouteAccess };
  /** The actor and the resource the check loaded (the handler never loads them again). */
  granted(request: FastifyRequest): { actor: A; resource: L };
}

const kPolicy = Symbol('access policy');
const kGranted = Symbol('access granted');

type Installed = AccessPolicy<unknown, string, unknown>;

/**
 * The module's side of the mechanism. `install` goes first in the module's plugin: its
 * policy then covers the routes of that plugin and of the plugins it registers (Fastify
 * encapsulation), and no others.
 */
export function accessPolicy<A, P extends string, R>(policy: AccessPolicy<A, P, R>) {
  return {
    install(app: FastifyInstance): void {
      // A property of the plugin's instance, not a decorator: a plugin inside another one
      // may install its own, and its children inherit it through the prototype chain.
      Reflect.set(app, kPolicy, policy);
    },
    self: (why: string) => ({ config: { access: { self: why } } }),
    permit<L extends R>(permission: P, resource: (request: FastifyRequest) => L | Promise<L>): Permit<A, L> {
      return {
        config: { access: { permission, resource } },
        granted: (request) => grantOf(request) as { actor: A; resource: L },
      };
    },
    /** The signed-in actor of a `self` (or permitted) route. */
    actorOf: (request: FastifyRequest): A => grantOf(request).actor as A,
  };
}

export const publicRoute = (why: string) => ({ config: { access: { public: why } as RouteAccess } });

/**
 * Plugins we do not write (static files) register routes without our config: wrapped in
 * this, every route they add is declared public for the reason given.
 */
export function publicPlugin(why: string, register: (app: FastifyInstance) => Promise<void>) {
  return async (app: FastifyInstance) => {
    Reflect.set(app, kPublicReason, why);
    await register(app);
  };
}
const kPublicReason = Symbol('routes public by plugin');

function grantOf(request: FastifyRequest): { actor: unknown; resource: unknown } {
  const granted = Reflect.get(request, kGranted) as { actor: unknown; resource: unknown } | undefined;
  // Only a route declared `self` or with a permission is checked before its handler runs.
  if (!granted) throw new Error(`${request.method} ${request.routeOptions.url} reads an actor it did not declare`);
  return granted;
}

/** Thrown at start-up for a route that declares no access. */
export class UndeclaredAccessError extends Error {
  constructor(route: string, problem: string) {
    super(`${route} ${problem}`);
    this.name = 'UndeclaredAccessError';
  }
}

/**
 * The start-up check (an onRoute hook of the root instance, so it sees every route), and
 * the per-request check it attaches to each declared route. The check runs as the route's
 * own preHandler: after CSRF and the module's session hooks, before the handler.
 */
export const enforceDeclaredAccess: onRouteHookHandler = function (route) {
  const name = `${[route.method].flat().join(',')} ${route.url}`;
  const byPlugin = Reflect.get(this, kPublicReason) as string | undefined;
  const access: RouteAccess | undefined = route.config?.access ?? (byPlugin ? { public: byPlugin } : undefined);
  if (!access)
    throw new UndeclaredAccessError(
      name,
      'declares neither public, self nor a permission: declare config.access on it',
    );
  const policy = Reflect.get(this, kPolicy) as Installed | undefined;
  if (!('public' in access) && !policy)
    throw new UndeclaredAccessError(
      name,
      'needs a signed-in person but its plugin installs no access policy: install the module’s policy first',
    );
  route.config = { ...route.config, access };
  // A malformed parameter is answered after the sign-in check, as the handlers always did.
  route.attachValidation = true;
  const check = policy && !('public' in access) ? authorizeWith(policy, access) : refuseInvalid;
  route.preHandler = [...[route.preHandler ?? []].flat(), check];
};

const refuseInvalid: preHandlerAsyncHookHandler = async (request) => {
  if (request.validationError) throw invalidInput(request.validationError);
};

function authorizeWith(
  policy: Installed,
  access: Exclude<RouteAccess, { public: string }>,
): preHandlerAsyncHookHandler {
  return async function (request, reply) {
    const actor = await policy.actor(request);
    if (actor === null) return policy.signIn ? policy.signIn(request, reply) : sendToLogin(request, reply);
    if (request.validationError) throw invalidInput(request.validationError);
    let resource: unknown;
    if ('permission' in access) {
      resource = await access.resource(request);
      policy.authorize(actor, access.permission, resource);
    }
    Reflect.set(request, kGranted, { actor, resource });
  };
}

/** A path naming nothing that could exist is "not found"; an unreadable query a bad request. */
function invalidInput(error: Error & { validationContext?: string }) {
  return error.validationContext === 'params' ? errors.notFound() : errors.badRequest();
}

/** Sends a signed-out person to log in, and back here afterwards. */
export function sendToLogin(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.redirect(`/login?returnTo=${encodeURIComponent(request.url)}`, 303);
}
