import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { publicRoute } from '../../platform/access.ts';
import type { Organization } from '../schema.ts';
import type { Profile } from '../../portal/index.ts';
import { errors } from '../../platform/errors.ts';
import { optionalText, parseForm } from '../../platform/forms.ts';
import { clientIp } from '../../platform/http.tsx';
import { findProfileById, type Portal } from '../../portal/index.ts';
import { staffFields } from '../people/fields.ts';
import { isDepartment, type Actor } from '../policy.ts';
import * as repo from '../repository.ts';
import { authorize, codeParams, ruleErrors, searchQuery, typed, type DirectoryRoutes } from '../routing.ts';
import * as service from '../service.ts';
import * as pages from './administrator-pages.tsx';
import { inactive } from './routes.tsx';

/** Directory Administrators of an organization: designating them, and what they publish of themselves (SPEC D3, D4). */

/** A staff member picked from the list, or (the department) a User Name typed in any case. */
const designateFields = {
  profileId: z
    .string()
    .trim()
    .max(36)
    .optional()
    .transform((s) => s || null),
  username: z
    .string()
    .trim()
    .max(100, 'Enter a User Name')
    .optional()
    .transform((s) => s || null),
  email: staffFields.email,
  phone: optionalText('phone number', 30),
};

const contactFields = { email: designateFields.email, phone: designateFields.phone };

const designationParams = codeParams.extend({ profileId: z.uuid() });

export function registerAdministratorRoutes({ app: fastify, portal, access, find }: DirectoryRoutes) {
  const app = typed(fastify);
  const { db } = portal;

  function designatePage(
    request: FastifyRequest,
    actor: Actor,
    org: Organization,
    staff: repo.StaffRow[],
    values: Record<string, string | undefined>,
    errors?: Record<string, string>,
  ) {
    return (
      <pages.DesignatePage
        ctx={request.view}
        org={org}
        staff={staff}
        byUserName={isDepartment(actor)}
        values={values}
        errors={errors}
      />
    );
  }

  const designate = access.permit('diradmin.designate', find.organization);
  app.get(
    '/organizations/:code/administrators/new',
    { ...designate, schema: { params: codeParams } },
    async (request, reply) => {
      const {
        actor,
        resource: { org },
      } = designate.granted(request);
      if (org.status !== 'active') return inactive(request, reply, actor, org);
      return reply.page(designatePage(request, actor, org, await repo.staffChoices(db, org.id), {}));
    },
  );

  app.post(
    '/organizations/:code/administrators/new',
    { ...designate, schema: { params: codeParams } },
    async (request, reply) => {
      const {
        actor,
        resource: { org },
      } = designate.granted(request);
      const form = parseForm(designateFields, request.body);
      const staff = await repo.staffChoices(db, org.id);
      if (!form.ok) return reply.page(designatePage(request, actor, org, staff, form.values, form.errors), 422);
      const target = await designationTarget(actor, org, form.data);
      if ('error' in target)
        return reply.page(designatePage(request, actor, org, staff, form.values, target.error), 422);
      // A staff member with powers beyond the administrator's is refused with the reason.
      authorize(actor, 'diradmin.designate', {
        kind: 'organization',
        org,
        target: await service.personRef(db, target.profile),
      });
      try {
        await service.designateAdministrator(
          db,
          actor,
          org,
          target.profile,
          { email: form.data.email, phone: form.data.phone },
          clientIp(request),
        );
      } catch (error) {
        return reply.page(designatePage(request, actor, org, staff, form.values, ruleErrors(error)), 422);
      }
      return reply.redirect(`/directory/organizations/${org.code}`, 303);
    },
  );

  /**
   * Who is being designated: a member of the organization's staff picked from its list, or, for
   * the department only, any active profile by User Name in whatever case it was typed.
   */
  async function designationTarget(
    actor: Actor,
    org: Organization,
    data: { profileId: string | null; username: string | null },
  ): Promise<{ profile: Profile } | { error: Record<string, string> }> {
    if (data.profileId) {
      const profile = z.uuid().safeParse(data.profileId).success
        ? await findProfileById(db, data.profileId)
        : undefined;
      if (!profile || profile.status !== 'active' || !(await repo.isMember(db, org.id, profile.id))) {
        return { error: { profileId: `Choose a member of ${org.name}’s staff` } };
      }
      return { profile };
    }
    if (data.username && isDepartment(actor)) {
      const found = (await repo.profilesByUserNameAnyCase(db, data.username)).filter((p) => p.status === 'active');
      const profile = found.find((p) => p.user_name === data.username) ?? (found.length === 1 ? found[0] : undefined);
      if (profile) return { profile };
      const message =
        found.length > 1
          ? 'More than one User Name differs from this one only in case: type it exactly'
          : 'There is no active profile with that User Name';
      return { error: { username: message } };
    }
    return {
      error: {
        profileId: isDepartment(actor)
          ? 'Choose a staff member or enter a User Name'
          : `Choose a member of ${org.name}’s staff`,
      },
    };
  }

  /** The signed-in person's own designation here, or 404: only they change what is published of them. */
  async function ownDesignation(actor: Actor, org: Organization) {
    const found = await repo.designation(db, org.id, actor.profile.id);
    if (!found) throw errors.notFound();
    return found;
  }

  const publishContacts = access.permit('diradmin.publishContacts', find.organization);
  app.get(
    '/organizations/:code/administrators/me',
    { ...publishContacts, schema: { params: codeParams } },
    async (request, reply) => {
      const {
        actor,
        resource: { org },
      } = publishContacts.granted(request);
      const current = await ownDesignation(actor, org);
      return reply.page(
        <pages.PublishContactsPage
          ctx={request.view}
          org={org}
          values={{ email: current.email ?? '', phone: current.phone ?? '' }}
        />,
      );
    },
  );

  app.post(
    '/organizations/:code/administrators/me',
    { ...publishContacts, schema: { params: codeParams } },
    async (request, reply) => {
      const {
        actor,
        resource: { org },
      } = publishContacts.granted(request);
      await ownDesignation(actor, org);
      const form = parseForm(contactFields, request.body);
      if (!form.ok)
        return reply.page(
          <pages.PublishContactsPage ctx={request.view} org={org} values={form.values} errors={form.errors} />,
          422,
        );
      await service.publishContacts(db, actor, org, form.data, clientIp(request));
      return reply.redirect(`/directory/organizations/${org.code}?notice=contacts`, 303);
    },
  );

  app.post(
    '/organizations/:code/administrators/:profileId/revoke',
    { ...designate, schema: { params: designationParams } },
    async (request, reply) => {
      const {
        actor,
        resource: { org },
      } = designate.granted(request);
      await service.revokeAdministrator(db, actor, org, request.params.profileId, clientIp(request));
      return reply.redirect(`/directory/organizations/${org.code}`, 303);
    },
  );
}

/** D4: the public list of Directory Administrators, at /directory-administrators, for anyone. */
export async function directoryAdministratorsPlugin(fastify: FastifyInstance, { portal }: { portal: Portal }) {
  const app = typed(fastify);
  app.get(
    '/directory-administrators',
    { ...publicRoute('the public list of Directory Administrators (D4)'), schema: { querystring: searchQuery } },
    async (request, reply) => {
      const { q, page } = request.query;
      const result = await repo.publicAdministrators(portal.db, q, page);
      return reply.page(<pages.PublicAdministratorsPage ctx={request.view} q={q} result={result} />);
    },
  );
}
