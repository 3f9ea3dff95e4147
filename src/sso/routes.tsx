import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errors as oidcErrors, type Provider } from 'oidc-provider';
import {
  findApplication,
  mayUseApplication,
  organizationsOf,
  publicAdministrators,
  type Application,
  type PublicAdministrator,
} from '../directory/index.ts';
import { publicRoute } from '../platform/access.ts';
import { clientIp } from '../platform/http.tsx';
import type { ZodTypeProvider } from '../platform/route-schemas.ts';
import { Layout, type ViewContext } from '../platform/views/layout.tsx';
import type { Portal } from '../portal/index.ts';
import { ssoErrors } from './errors.ts';

/**
 * The client address of a request handed to the provider, as the portal computes it
 * (TRUST_PROXY): the provider's own (Koa's) cannot follow a list of trusted proxies.
 */
export const providerRequestIp = new WeakMap<IncomingMessage, string>();

interface SsoOptions {
  portal: Portal;
  provider: Provider;
}

/**
 * Mounts the OpenID Connect provider. Its requests are handed to oidc-provider before
 * Fastify reads their bodies; registered outside the portal's session hooks (the provider
 * keeps its own session).
 */
export async function ssoProtocolPlugin(app: FastifyInstance, { portal, provider }: SsoOptions) {
  const callback = provider.callback();
  // The provider turns its own failures into an error page and tells no one else: the
  // cause reaches the log here.
  provider.on('server_error', (_ctx: unknown, err: unknown) =>
    app.log.error({ err }, 'single sign-on provider failed a request'),
  );
  const publicUrl = new URL(portal.config.publicUrl);
  const handOver = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    reply.hijack();
    providerRequestIp.set(request.raw, clientIp(request));
    // The provider builds every URL it names (discovery, endpoints, redirects) from the
    // request: a client's Host or X-Forwarded-Host would put the token endpoint elsewhere in
    // a cached discovery document. It sees PUBLIC_URL only. The scheme stays forwarded as
    // PUBLIC_URL's so Secure cookies still work behind a TLS-terminating trusted proxy.
    request.raw.headers.host = publicUrl.host;
    delete request.raw.headers['x-forwarded-host'];
    request.raw.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
    callback(request.raw, reply.raw);
    done();
  };
  const unreachable = async () => undefined;
  const protocol = publicRoute('OpenID Connect protocol: the provider authenticates clients and people itself');
  app.route({
    method: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    url: '/oidc/*',
    ...protocol,
    onRequest: handOver,
    handler: unreachable,
  });
  app.route({
    method: ['GET', 'HEAD', 'OPTIONS'],
    url: '/.well-known/openid-configuration',
    ...protocol,
    onRequest: handOver,
    handler: unreachable,
  });
}

const interactionParams = { params: z.object({ uid: z.string() }) };

/** The provider's login step, a portal page: it reads the portal's session (registered within its hooks). */
export async function ssoLoginStepPlugin(fastify: FastifyInstance, { portal, provider }: SsoOptions) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  // Public: the provider's interaction is checked first (an expired one is a 400 whoever
  // asks), then a signed-out person is sent to log in and back here.
  const loginStep = publicRoute('single sign-on login step: sends a signed-out person to log in');
  app.get('/interaction/:uid', { ...loginStep, schema: interactionParams }, async (request, reply) => {
    const { uid } = request.params;
    let details: Awaited<ReturnType<Provider['interactionDetails']>>;
    try {
      details = await provider.interactionDetails(request.raw, reply.raw);
    } catch (err) {
      // The provider's refusal (an interaction expired or from another browser) is the
      // person's to fix; anything else (its storage failing) is ours, and a 500.
      if (!(err instanceof oidcErrors.OIDCProviderError)) throw err;
      request.log.info({ err }, 'single sign-on interaction not found');
      throw ssoErrors.signInExpired();
    }
    const profile = request.session?.profile;
    if (!profile) return reply.redirect(`/login?returnTo=${encodeURIComponent(`/interaction/${uid}`)}`, 303);

    const clientId = String(details.params.client_id);
    if (!(await mayUseApplication(portal.db, profile.id, clientId))) {
      // SPEC S2: no code for this application; say who can grant access instead.
      const application = await findApplication(portal.db, clientId);
      const orgs = await organizationsOf(portal.db, profile.id);
      const found = (await Promise.all(orgs.map((o) => publicAdministrators(portal.db, '', 1, o.id)))).flatMap(
        (p) => p.items,
      );
      // A school's list includes its district's administrators: each is named once, with where they sit.
      const admins = [...new Map(found.map((a) => [`${a.acting_organization_id}-${a.profile_id}`, a])).values()];
      return reply.page(<NoAccessPage ctx={request.view} application={application} administrators={admins} />, 403);
    }
    reply.hijack();
    await provider.interactionFinished(
      request.raw,
      reply.raw,
      { login: { accountId: profile.id } },
      { mergeWithLastSubmission: false },
    );
    return reply;
  });
}

function NoAccessPage({
  ctx,
  application,
  administrators,
}: {
  ctx: ViewContext;
  application: Application | undefined;
  administrators: PublicAdministrator[];
}) {
  const name = application?.name ?? 'this application';
  return (
    <Layout ctx={ctx} title={`You do not have access to ${name}`}>
      <h1>You do not have access to {name}</h1>
      <p class="usa-intro">
        {name} is for school, district and organization staff. A Directory Administrator of your organization has to
        give you access first.
      </p>
      {administrators.length > 0 ? (
        <>
          <h2>Your Directory Administrators</h2>
          <ul class="usa-list">
            {administrators.map((a) => (
              <li key={`${a.acting_organization_id}-${a.profile_id}`}>
                {a.first_name} {a.last_name}, {a.acting_organization_name}
                {a.email && (
                  <>
                    {' '}
                    · <a href={`mailto:${a.email}`}>{a.email}</a>
                  </>
                )}
                {a.phone && ` · ${a.phone}`}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>
          <a href="/directory-administrators">Find your organization's Directory Administrator</a>.
        </p>
      )}
      <p>
        <a href="/">Go to your applications</a>
      </p>
    </Layout>
  );
}
