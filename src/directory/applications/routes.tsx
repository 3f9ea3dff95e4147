import { z } from 'zod';
import { errors } from '../../platform/errors.ts';
import { optionalText, parseForm, requiredText } from '../../platform/forms.ts';
import { clientIp } from '../../platform/http.tsx';
import * as repo from '../repository.ts';
import { applicationParams, noticeQuery, queryField, ruleErrors, typed, type DirectoryRoutes } from '../routing.ts';
import * as service from '../service.ts';
import * as pages from './pages.tsx';

/** Applications (OIDC clients) and their roles, registered and edited by the department (SPEC D5). */

/** One URI per line (the service checks each). */
const uriLines = (label: string) =>
  z
    .string()
    .max(20_000, `${label} are too long`)
    .transform((s) =>
      s
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean),
    )
    .refine((lines) => lines.length <= 20, `Enter at most 20 ${label.toLowerCase()}`);
const applicationFields = {
  name: requiredText('the application’s name', 100),
  clientId: z.string().trim().min(1, 'Enter a client id').max(63, 'Client id must be 63 characters or fewer'),
  access: z.enum(['open', 'restricted'], 'Select who may open the application'),
  roles: optionalText('roles', 500),
  redirectUris: uriLines('Redirect URIs'),
  postLogoutRedirectUris: uriLines('Post-logout redirect URIs'),
  backchannelLogoutUri: optionalText('back-channel logout URI', 2000),
  launchUrl: optionalText('launch URL', 2000),
};
const { clientId: _clientId, ...editFields } = applicationFields;

/** The settings as the service takes them, from the form's fields. */
function settingsOf(data: z.output<z.ZodObject<typeof editFields>>) {
  return {
    name: data.name,
    redirectUris: data.redirectUris,
    restricted: data.access === 'restricted',
    roles: (data.roles ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
    postLogoutRedirectUris: data.postLogoutRedirectUris,
    backchannelLogoutUri: data.backchannelLogoutUri,
    launchUrl: data.launchUrl,
  };
}

export function registerApplicationRoutes({ app: fastify, portal, access, find }: DirectoryRoutes) {
  const app = typed(fastify);
  const { db } = portal;
  const manage = access.permit('application.manage', find.system);

  async function application(id: string) {
    const found = await repo.findApplication(db, id);
    if (!found) throw errors.notFound();
    return found;
  }

  /** An application the department may edit: the portal's own parts are not (their page offers no edit). */
  async function editableApplication(id: string) {
    const found = await application(id);
    if (service.isPartOfPortal(found)) throw errors.notFound();
    return found;
  }

  app.get('/applications', manage, async (request, reply) => {
    return reply.page(<pages.ApplicationsPage ctx={request.view} applications={await repo.listApplications(db)} />);
  });

  app.get(
    '/applications/new',
    { ...manage, schema: { querystring: z.object({ clientId: queryField }) } },
    async (request, reply) => {
      // "Register it" on a catalog entry's page starts with its id and name filled in.
      const found = await repo.findApplication(db, request.query.clientId);
      const catalog = found && !found.client_secret_encrypted && !service.isPartOfPortal(found) ? found : undefined;
      const values = catalog
        ? { clientId: catalog.id, name: catalog.name, access: catalog.access, roles: catalog.roles.join(', ') }
        : {};
      return reply.page(<pages.RegisterApplicationPage ctx={request.view} values={values} />);
    },
  );

  app.post('/applications/new', manage, async (request, reply) => {
    const { actor } = manage.granted(request);
    const form = parseForm(applicationFields, request.body);
    if (!form.ok)
      return reply.page(
        <pages.RegisterApplicationPage ctx={request.view} values={form.values} errors={form.errors} />,
        422,
      );
    const { data } = form;
    try {
      const secret = await service.registerApplication(
        db,
        portal.box,
        { id: data.clientId, ...settingsOf(data) },
        actor.profile.id,
        { replace: false, ip: clientIp(request) },
      );
      const registered = (await repo.findApplication(db, data.clientId))!;
      // Shown in this response only, like a temporary password.
      return reply.page(
        <pages.ClientSecretPage
          ctx={request.view}
          application={registered}
          secret={secret}
          issuer={portal.config.publicUrl}
        />,
      );
    } catch (error) {
      return reply.page(
        <pages.RegisterApplicationPage ctx={request.view} values={form.values} errors={ruleErrors(error)} />,
        422,
      );
    }
  });

  app.get(
    '/applications/:id',
    { ...manage, schema: { params: applicationParams, querystring: noticeQuery } },
    async (request, reply) => {
      return reply.page(
        <pages.ApplicationPage
          ctx={request.view}
          application={await application(request.params.id)}
          notice={request.query.notice}
        />,
      );
    },
  );

  app.get('/applications/:id/edit', { ...manage, schema: { params: applicationParams } }, async (request, reply) => {
    const found = await editableApplication(request.params.id);
    return reply.page(
      <pages.EditApplicationPage ctx={request.view} application={found} values={pages.applicationFormValues(found)} />,
    );
  });

  app.post('/applications/:id/edit', { ...manage, schema: { params: applicationParams } }, async (request, reply) => {
    const { actor } = manage.granted(request);
    const found = await editableApplication(request.params.id);
    const form = parseForm(editFields, request.body);
    const page = (errors: Record<string, string>) => (
      <pages.EditApplicationPage ctx={request.view} application={found} values={form.values} errors={errors} />
    );
    if (!form.ok) return reply.page(page(form.errors), 422);
    try {
      await service.updateApplication(db, actor, found, settingsOf(form.data), clientIp(request));
    } catch (error) {
      return reply.page(page(ruleErrors(error)), 422);
    }
    portal.sendQueuedLogouts();
    return reply.redirect(`/directory/applications/${found.id}?notice=updated`, 303);
  });

  app.post('/applications/:id/secret', { ...manage, schema: { params: applicationParams } }, async (request, reply) => {
    const { actor } = manage.granted(request);
    const found = await application(request.params.id);
    // Its page offers no such button: only a hand-made request gets here.
    if (!service.hasReplaceableSecret(found)) throw errors.notFound();
    const secret = await service.issueClientSecret(db, portal.box, found, actor, clientIp(request));
    return reply.page(
      <pages.ClientSecretPage
        ctx={request.view}
        application={found}
        secret={secret}
        issuer={portal.config.publicUrl}
      />,
    );
  });
}
