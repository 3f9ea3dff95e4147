import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Organization } from '../schema.ts';
import { errors } from '../../platform/errors.ts';
import { optionalText, parseForm, requiredText } from '../../platform/forms.ts';
import { clientIp } from '../../platform/http.tsx';
import { FORM_ERROR } from '../../platform/views/form.tsx';
import { minutesUntil, parseDateOfBirth } from '../../portal/index.ts';
import { ORGANIZATION_TEXT_LIMITS, ORGANIZATION_TYPES, type OrganizationType } from '../organizations.ts';
import { staffFields } from '../people/fields.ts';
import { can, isDepartment, type Actor } from '../policy.ts';
import * as repo from '../repository.ts';
import {
  authorize,
  codeParams,
  noticeQuery,
  ruleErrors,
  searchQuery,
  staffMemberParams,
  typed,
  type DirectoryRoutes,
} from '../routing.ts';
import * as service from '../service.ts';
import { StaffLookupPausedPage } from '../staff-lookup.tsx';
import * as pages from './pages.tsx';

/** The directory workspace, organizations and their staff (SPEC D3, D5). */

const organizationDetailFields = {
  name: requiredText('the organization’s name', ORGANIZATION_TEXT_LIMITS.name),
  town: optionalText('town', ORGANIZATION_TEXT_LIMITS.town),
  phone: optionalText('phone number', ORGANIZATION_TEXT_LIMITS.phone),
};
const newOrganizationFields = {
  name: organizationDetailFields.name,
  code: z
    .string()
    .trim()
    .regex(/^\d{8}$/, 'Enter the organization code as 8 digits, like 00350505'),
  type: z
    .string()
    .refine((t) => (ORGANIZATION_TYPES as readonly string[]).includes(t), 'Select the kind of organization'),
  town: organizationDetailFields.town,
  phone: organizationDetailFields.phone,
};
const editOrganizationFields = {
  ...organizationDetailFields,
  status: z.enum(['active', 'inactive'], 'Select whether the organization is active'),
};

const organizationPageQuery = searchQuery.extend(noticeQuery.shape);

/** A form an inactive organization does not serve: a page that says so (409: the organization's state refuses it). */
export function inactive(request: FastifyRequest, reply: FastifyReply, actor: Actor, org: Organization) {
  return reply.page(
    <pages.InactiveOrganizationPage
      ctx={request.view}
      org={org}
      canManage={can(actor, 'organization.manage', { kind: 'organization', org })}
    />,
    409,
  );
}

export function registerOrganizationRoutes({ app: fastify, portal, access, find }: DirectoryRoutes) {
  const app = typed(fastify);
  const { db } = portal;
  /** Only the organizations a Directory Administrator acts in; the department sees all. */
  const within = (actor: Actor) => (isDepartment(actor) ? undefined : [...actor.administers]);

  const workspace = access.permit('directory.use', find.system);
  app.get('/', { ...workspace, prefixTrailingSlash: 'no-slash' }, async (request, reply) => {
    const { actor } = workspace.granted(request);
    const orgs = await repo.searchOrganizations(db, '', 1, within(actor));
    const system = { kind: 'system' } as const;
    const allConflicts = can(actor, 'conflict.resolve', system);
    const conflicts = (await repo.openConflicts(db, 1, allConflicts ? undefined : [...actor.administers])).total;
    // Each department role sees the links of its own part of the console, and only those.
    const consoleLinks: pages.ConsoleLinks = {
      organizations: can(actor, 'organization.manage', system),
      people: can(actor, 'person.search', system),
      conflicts: allConflicts,
      applications: can(actor, 'application.manage', system),
      departmentRoles: can(actor, 'departmentRole.manage', system),
      audit: can(actor, 'audit.read', system),
    };
    return reply.page(
      <pages.DirectoryHome
        ctx={request.view}
        department={isDepartment(actor)}
        consoleLinks={consoleLinks}
        administers={actor.administers.size > 0}
        organizations={orgs}
        openConflicts={conflicts}
      />,
    );
  });

  app.get('/organizations', { ...workspace, schema: { querystring: searchQuery } }, async (request, reply) => {
    const { actor } = workspace.granted(request);
    const { q, page } = request.query;
    const result = await repo.searchOrganizations(db, q, page, within(actor));
    return reply.page(
      <pages.OrganizationList
        ctx={request.view}
        q={q}
        result={result}
        canManage={can(actor, 'organization.manage', { kind: 'system' })}
      />,
    );
  });

  const addOrganization = access.permit('organization.manage', find.system);
  app.get('/organizations/new', addOrganization, async (request, reply) => {
    return reply.page(<pages.AddOrganizationPage ctx={request.view} values={{}} />);
  });

  app.post('/organizations/new', addOrganization, async (request, reply) => {
    const { actor } = addOrganization.granted(request);
    const form = parseForm(newOrganizationFields, request.body);
    if (!form.ok)
      return reply.page(
        <pages.AddOrganizationPage ctx={request.view} values={form.values} errors={form.errors} />,
        422,
      );
    try {
      const org = await service.addOrganization(
        db,
        actor,
        { ...form.data, type: form.data.type as OrganizationType },
        clientIp(request),
      );
      return reply.redirect(`/directory/organizations/${org.code}?notice=added`, 303);
    } catch (error) {
      return reply.page(
        <pages.AddOrganizationPage ctx={request.view} values={form.values} errors={ruleErrors(error)} />,
        422,
      );
    }
  });

  const view = access.permit('organization.view', find.organization);
  app.get(
    '/organizations/:code',
    { ...view, schema: { params: codeParams, querystring: organizationPageQuery } },
    async (request, reply) => {
      const {
        actor,
        resource: { org },
      } = view.granted(request);
      const { q, page, notice } = request.query;
      // A district's page lists its schools, and its staff search covers theirs.
      const schools = org.type === 'district' ? await repo.schoolsOf(db, org.id) : [];
      const [staff, admins, district] = await Promise.all([
        repo.listStaff(db, [org.id, ...schools.map((school) => school.id)], q, page),
        repo.publicAdministrators(db, '', 1, org.id),
        org.district_id ? repo.findOrganizationById(db, org.district_id) : undefined,
      ]);
      return reply.page(
        <pages.OrganizationPage
          ctx={request.view}
          org={org}
          district={district}
          schools={schools}
          staff={staff}
          q={q}
          administrators={admins.items}
          canDesignate={can(actor, 'diradmin.designate', { kind: 'organization', org })}
          canManage={can(actor, 'organization.manage', { kind: 'organization', org })}
          designated={actor.administers.has(org.id)}
          notice={notice}
        />,
      );
    },
  );

  const edit = access.permit('organization.manage', find.organization);
  app.get('/organizations/:code/edit', { ...edit, schema: { params: codeParams } }, async (request, reply) => {
    const { org } = edit.granted(request).resource;
    const values = { name: org.name, town: org.town ?? '', phone: org.phone ?? '', status: org.status };
    return reply.page(<pages.EditOrganizationPage ctx={request.view} org={org} values={values} />);
  });

  app.post('/organizations/:code/edit', { ...edit, schema: { params: codeParams } }, async (request, reply) => {
    const {
      actor,
      resource: { org },
    } = edit.granted(request);
    const form = parseForm(editOrganizationFields, request.body);
    if (!form.ok)
      return reply.page(
        <pages.EditOrganizationPage ctx={request.view} org={org} values={form.values} errors={form.errors} />,
        422,
      );
    await service.updateOrganization(db, actor, org, form.data, clientIp(request));
    portal.sendQueuedLogouts();
    return reply.redirect(`/directory/organizations/${org.code}?notice=updated`, 303);
  });

  const addStaff = access.permit('staff.add', find.organization);
  app.get('/organizations/:code/staff/new', { ...addStaff, schema: { params: codeParams } }, async (request, reply) => {
    const {
      actor,
      resource: { org },
    } = addStaff.granted(request);
    if (org.status !== 'active') return inactive(request, reply, actor, org);
    return reply.page(<pages.AddStaffPage ctx={request.view} org={org} values={{}} />);
  });

  app.post(
    '/organizations/:code/staff/new',
    { ...addStaff, schema: { params: codeParams } },
    async (request, reply) => {
      const {
        actor,
        resource: { org },
      } = addStaff.granted(request);
      const form = parseForm(staffFields, request.body);
      const dob = parseDateOfBirth(form.values);
      if (!form.ok || 'error' in dob) {
        const fieldErrors = { ...(form.ok ? {} : form.errors), ...('error' in dob ? { dobMonth: dob.error } : {}) };
        return reply.page(
          <pages.AddStaffPage ctx={request.view} org={org} values={form.values} errors={fieldErrors} />,
          422,
        );
      }
      let result: service.AddStaffResult;
      try {
        result = await service.addStaffMember(
          db,
          portal.accounts,
          actor,
          org,
          {
            firstName: form.data.firstName,
            lastName: form.data.lastName,
            dateOfBirth: dob.date,
            ssnDigits: form.data.ssn,
            email: form.data.email,
          },
          clientIp(request),
          portal.staffLookup,
          // The person found: someone with powers beyond the administrator's is refused with the reason.
          (target) => authorize(actor, 'staff.add', { kind: 'organization', org, target }),
        );
      } catch (error) {
        return reply.page(
          <pages.AddStaffPage ctx={request.view} org={org} values={form.values} errors={ruleErrors(error)} />,
          422,
        );
      }
      if (result.kind === 'paused')
        return reply.page(
          <StaffLookupPausedPage ctx={request.view} orgCode={org.code} minutes={minutesUntil(result.until)} />,
          429,
        );
      if (result.kind === 'conflict') {
        // About the person as a whole, not one field: any of them may be the one that is wrong.
        const message = 'These details conflict with an existing profile. The conflict has been sent to be resolved';
        return reply.page(
          <pages.AddStaffPage ctx={request.view} org={org} values={form.values} errors={{ [FORM_ERROR]: message }} />,
          409,
        );
      }
      // Their page stays closed to this administrator until the person confirms: back to the staff list.
      if (result.pending)
        return reply.redirect(
          `/directory/organizations/${org.code}?notice=${result.kind === 'added' ? 'added-pending' : 'already-pending'}`,
          303,
        );
      const notice = result.kind === 'added' ? (result.existing ? 'added-existing' : 'added-new') : 'already-member';
      return reply.redirect(`/directory/people/${result.profileId}?notice=${notice}&org=${org.code}`, 303);
    },
  );

  const removeStaff = access.permit('staff.remove', find.staffMember);
  app.post(
    '/organizations/:code/staff/:profileId/remove',
    { ...removeStaff, schema: { params: staffMemberParams } },
    async (request, reply) => {
      const {
        actor,
        resource: { org, profile },
      } = removeStaff.granted(request);
      if (!(await service.removeStaffMember(db, actor, org, profile, clientIp(request)))) throw errors.notFound();
      portal.sendQueuedLogouts();
      return reply.redirect(`/directory/organizations/${org.code}?notice=removed`, 303);
    },
  );
}
