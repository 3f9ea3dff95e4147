import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { clientIp, requireLogin, type Portal } from '../app.tsx';
import { AUDIT_EVENT_TYPES } from '../platform/audit.ts';
import type { Application, Organization, Profile } from '../platform/db.ts';
import { errors } from '../platform/errors.ts';
import { optionalText, parseForm, requiredText } from '../platform/forms.ts';
import { FORM_ERROR } from '../platform/views/form.tsx';
import { pageNumber, queryText } from '../platform/views/list.tsx';
import { identityFields, parseDateOfBirth, ssnField } from '../portal/person-fields.ts';
import { accountKey } from '../portal/login.ts';
import { hintKey } from '../portal/profile-wizard.ts';
import { findProfileById } from '../portal/profile-repository.ts';
import { minutesUntil } from '../portal/login-routes.tsx';
import { lockedUntil } from '../portal/throttle.ts';
import { ORGANIZATION_TEXT_LIMITS, ORGANIZATION_TYPES, type OrganizationType } from './organizations.ts';
import * as applicationPages from './application-pages.tsx';
import * as confirmPages from './confirm-pages.tsx';
import * as pages from './pages.tsx';
import { can, decide, hasDirectoryAccess, isDepartment, type Action, type Actor, type PersonRef, type Resource } from './policy.ts';
import { registerDepartmentRoleRoutes } from './department-roles/routes.tsx';
import * as repo from './repository.ts';
import * as service from './service.ts';
import { IdentityChecksPausedPage, StaffLookupPausedPage } from './staff-lookup.tsx';

/**
 * Directory Administration (SPEC D3–D5). Every handler: who is asking (`actor`), may
 * they (`authorize`, i.e. `can`), then one service call and a page or a redirect.
 */

const staffFields = {
  firstName: identityFields.firstName,
  lastName: identityFields.lastName,
  ssn: ssnField,
  dobMonth: z.string(),
  dobDay: z.string(),
  dobYear: z.string(),
  email: optionalText('email address', 254).refine((s) => s === null || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s), 'Enter an email address in the correct format, like name@example.com'),
};

/** A staff member picked from the list, or (the department) a User Name typed in any case. */
const designateFields = {
  profileId: z.string().trim().max(36).optional().transform((s) => s || null),
  username: z.string().trim().max(100, 'Enter a User Name').optional().transform((s) => s || null),
  email: staffFields.email,
  phone: optionalText('phone number', 30),
};

const contactFields = { email: designateFields.email, phone: designateFields.phone };

const organizationField = z.string().regex(/^\d{8}$/, 'Select an organization');
/** The grant form offers application and role as one choice, "sims:user". */
const grantFields = {
  organization: organizationField,
  applicationRole: z.string().regex(/^[a-z0-9][a-z0-9_-]*:[A-Za-z0-9_-]+$/, 'Select an application and role'),
};
const revokeFields = {
  organization: organizationField,
  application: z.string().min(1).max(63),
  role: z.string().min(1).max(63),
};

/** The reason a partial-match case is closed: free text, several lines allowed (a textarea). */
const closeConflictFields = {
  reason: z
    .string()
    .transform((s) => s.trim())
    .pipe(
      z
        .string()
        .min(1, 'Enter why you are closing this case')
        .max(1000, 'The reason must be 1000 characters or fewer')
        .refine((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(s), 'The reason must not contain special characters'),
    ),
};

const organizationDetailFields = {
  name: requiredText('the organization’s name', ORGANIZATION_TEXT_LIMITS.name),
  town: optionalText('town', ORGANIZATION_TEXT_LIMITS.town),
  phone: optionalText('phone number', ORGANIZATION_TEXT_LIMITS.phone),
};
const newOrganizationFields = {
  name: organizationDetailFields.name,
  code: z.string().trim().regex(/^\d{8}$/, 'Enter the organization code as 8 digits, like 00350505'),
  type: z.string().refine((t) => (ORGANIZATION_TYPES as readonly string[]).includes(t), 'Select the kind of organization'),
  town: organizationDetailFields.town,
  phone: organizationDetailFields.phone,
};
const editOrganizationFields = {
  ...organizationDetailFields,
  status: z.enum(['active', 'inactive'], 'Select whether the organization is active'),
};

/** One URI per line (the service checks each). */
const uriLines = (label: string) =>
  z
    .string()
    .max(20_000, `${label} are too long`)
    .transform((s) => s.split(/\r?\n/).map((line) => line.trim()).filter(Boolean))
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

/** The message of a directory rule, on its own field, or about the whole form. */
function ruleErrors(error: unknown): Record<string, string> {
  if (!(error instanceof service.DirectoryRuleError)) throw error;
  return { [error.field ?? FORM_ERROR]: error.message };
}

export function registerDirectoryRoutes(app: FastifyInstance, portal: Portal) {
  const { db } = portal;
  registerDepartmentRoleRoutes(app, portal);

  async function actorOf(request: FastifyRequest, reply: FastifyReply): Promise<Actor | null> {
    if (!requireLogin(request, reply)) return null;
    return service.loadActor(db, request.session!.profile);
  }

  /**
   * The only place a directory route decides "no": a 403 page that shows no data, or that
   * says the person has powers beyond the administrator's (only the department acts on them).
   */
  function authorize(actor: Actor, action: Action, resource: Resource): void {
    const decision = decide(actor, action, resource);
    if (decision === 'beyond-reach') throw errors.beyondReach();
    if (decision !== 'allow') throw errors.forbidden();
  }

  async function organization(code: string): Promise<Organization> {
    const org = /^\d{8}$/.test(code) ? await repo.findOrganizationByCode(db, code) : undefined;
    if (!org) throw errors.notFound();
    return org;
  }

  /**
   * The person by id, the organizations that bring them within reach (with the work email of
   * a membership there), and the policy's view of them.
   */
  async function person(id: string): Promise<{ profile: Profile; orgs: repo.Membership[]; ref: PersonRef }> {
    const profile = z.uuid().safeParse(id).success ? await findProfileById(db, id) : undefined;
    if (!profile) throw errors.notFound();
    const [ref, memberships] = await Promise.all([service.personRef(db, profile), repo.organizationsOf(db, profile.id)]);
    const orgs = ref.orgs.map((org) => ({ ...(org as Organization), work_email: memberships.find((m) => m.id === org.id)?.work_email ?? null }));
    return { profile, orgs, ref };
  }

  const params = (request: FastifyRequest) => request.params as Record<string, string>;
  const query = (request: FastifyRequest) => request.query as Record<string, unknown>;

  app.get('/directory', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    if (!hasDirectoryAccess(actor)) throw errors.forbidden();
    const orgs = await repo.searchOrganizations(db, '', 1, isDepartment(actor) ? undefined : [...actor.administers]);
    const allConflicts = can(actor, 'conflict.resolve', { kind: 'system' });
    const conflicts = (await repo.openConflicts(db, 1, allConflicts ? undefined : [...actor.administers])).total;
    const system = { kind: 'system' } as const;
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
      <pages.DirectoryHome ctx={request.view} department={isDepartment(actor)} consoleLinks={consoleLinks} administers={actor.administers.size > 0} organizations={orgs} openConflicts={conflicts} />,
    );
  });

  app.get('/directory/organizations', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    if (!isDepartment(actor) && actor.administers.size === 0) throw errors.forbidden();
    const q = queryText(query(request).q);
    const result = await repo.searchOrganizations(db, q, pageNumber(query(request).page), isDepartment(actor) ? undefined : [...actor.administers]);
    return reply.page(<pages.OrganizationList ctx={request.view} q={q} result={result} canManage={can(actor, 'organization.manage', { kind: 'system' })} />);
  });

  app.get('/directory/organizations/new', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    authorize(actor, 'organization.manage', { kind: 'system' });
    return reply.page(<pages.AddOrganizationPage ctx={request.view} values={{}} />);
  });

  app.post('/directory/organizations/new', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    authorize(actor, 'organization.manage', { kind: 'system' });
    const form = parseForm(newOrganizationFields, request.body);
    if (!form.ok) return reply.page(<pages.AddOrganizationPage ctx={request.view} values={form.values} errors={form.errors} />, 422);
    try {
      const org = await service.addOrganization(db, actor, { ...form.data, type: form.data.type as OrganizationType }, clientIp(request));
      return reply.redirect(`/directory/organizations/${org.code}?notice=added`, 303);
    } catch (error) {
      return reply.page(<pages.AddOrganizationPage ctx={request.view} values={form.values} errors={ruleErrors(error)} />, 422);
    }
  });

  app.get('/directory/organizations/:code', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const org = await organization(params(request).code!);
    authorize(actor, 'organization.view', { kind: 'organization', org });
    const q = queryText(query(request).q);
    // A district's page lists its schools, and its staff search covers theirs.
    const schools = org.type === 'district' ? await repo.schoolsOf(db, org.id) : [];
    const [staff, admins, district] = await Promise.all([
      repo.listStaff(db, [org.id, ...schools.map((school) => school.id)], q, pageNumber(query(request).page)),
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
        notice={queryText(query(request).notice)}
      />,
    );
  });

  app.get('/directory/organizations/:code/edit', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const org = await organization(params(request).code!);
    authorize(actor, 'organization.manage', { kind: 'organization', org });
    const values = { name: org.name, town: org.town ?? '', phone: org.phone ?? '', status: org.status };
    return reply.page(<pages.EditOrganizationPage ctx={request.view} org={org} values={values} />);
  });

  app.post('/directory/organizations/:code/edit', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const org = await organization(params(request).code!);
    authorize(actor, 'organization.manage', { kind: 'organization', org });
    const form = parseForm(editOrganizationFields, request.body);
    if (!form.ok) return reply.page(<pages.EditOrganizationPage ctx={request.view} org={org} values={form.values} errors={form.errors} />, 422);
    const ended = await service.updateOrganization(db, actor, org, form.data, clientIp(request));
    for (const [profileId, applications] of ended) await portal.applicationLogout(profileId, applications);
    return reply.redirect(`/directory/organizations/${org.code}?notice=updated`, 303);
  });

  app.get('/directory/organizations/:code/staff/new', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const org = await organization(params(request).code!);
    authorize(actor, 'staff.add', { kind: 'organization', org });
    if (org.status !== 'active') return inactive(request, reply, actor, org);
    return reply.page(<pages.AddStaffPage ctx={request.view} org={org} values={{}} />);
  });

  app.post('/directory/organizations/:code/staff/new', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const org = await organization(params(request).code!);
    authorize(actor, 'staff.add', { kind: 'organization', org });
    const form = parseForm(staffFields, request.body);
    const dob = parseDateOfBirth(form.values);
    if (!form.ok || 'error' in dob) {
      const fieldErrors = { ...(form.ok ? {} : form.errors), ...('error' in dob ? { dobMonth: dob.error } : {}) };
      return reply.page(<pages.AddStaffPage ctx={request.view} org={org} values={form.values} errors={fieldErrors} />, 422);
    }
    let result: service.AddStaffResult;
    try {
      result = await service.addStaffMember(
        db,
        portal.accounts,
        actor,
        org,
        { firstName: form.data.firstName, lastName: form.data.lastName, dateOfBirth: dob.date, ssnDigits: form.data.ssn, email: form.data.email },
        clientIp(request),
        portal.staffLookup,
        (target) => authorize(actor, 'staff.add', { kind: 'organization', org, target }),
      );
    } catch (error) {
      return reply.page(<pages.AddStaffPage ctx={request.view} org={org} values={form.values} errors={ruleErrors(error)} />, 422);
    }
    if (result.kind === 'paused') return reply.page(<StaffLookupPausedPage ctx={request.view} orgCode={org.code} minutes={minutesUntil(result.until)} />, 429);
    if (result.kind === 'conflict') {
      // About the person as a whole, not one field: any of them may be the one that is wrong.
      const message = 'These details conflict with an existing profile. The conflict has been sent to be resolved';
      return reply.page(<pages.AddStaffPage ctx={request.view} org={org} values={form.values} errors={{ [FORM_ERROR]: message }} />, 409);
    }
    // Their page stays closed to this administrator until the person confirms: back to the staff list.
    if (result.pending) return reply.redirect(`/directory/organizations/${org.code}?notice=${result.kind === 'added' ? 'added-pending' : 'already-pending'}`, 303);
    const notice = result.kind === 'added' ? (result.existing ? 'added-existing' : 'added-new') : 'already-member';
    return reply.redirect(`/directory/people/${result.profileId}?notice=${notice}&org=${org.code}`, 303);
  });

  app.post('/directory/organizations/:code/staff/:profileId/remove', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const org = await organization(params(request).code!);
    const { profile, ref } = await person(params(request).profileId!);
    authorize(actor, 'staff.remove', { kind: 'organization', org, target: ref });
    const applications = await service.removeStaffMember(db, actor, org, profile, clientIp(request));
    if (!applications) throw errors.notFound();
    await portal.applicationLogout(profile.id, applications);
    return reply.redirect(`/directory/organizations/${org.code}?notice=removed`, 303);
  });

  /** A form an inactive organization does not serve: a page that says so (409: the organization's state refuses it). */
  function inactive(request: FastifyRequest, reply: FastifyReply, actor: Actor, org: Organization) {
    return reply.page(<pages.InactiveOrganizationPage ctx={request.view} org={org} canManage={can(actor, 'organization.manage', { kind: 'organization', org })} />, 409);
  }

  function designatePage(request: FastifyRequest, actor: Actor, org: Organization, staff: repo.StaffRow[], values: Record<string, string | undefined>, errors?: Record<string, string>) {
    return <pages.DesignatePage ctx={request.view} org={org} staff={staff} byUserName={isDepartment(actor)} values={values} errors={errors} />;
  }

  app.get('/directory/organizations/:code/administrators/new', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const org = await organization(params(request).code!);
    authorize(actor, 'diradmin.designate', { kind: 'organization', org });
    if (org.status !== 'active') return inactive(request, reply, actor, org);
    return reply.page(designatePage(request, actor, org, await repo.staffChoices(db, org.id), {}));
  });

  app.post('/directory/organizations/:code/administrators/new', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const org = await organization(params(request).code!);
    authorize(actor, 'diradmin.designate', { kind: 'organization', org });
    const form = parseForm(designateFields, request.body);
    const staff = await repo.staffChoices(db, org.id);
    if (!form.ok) return reply.page(designatePage(request, actor, org, staff, form.values, form.errors), 422);
    const target = await designationTarget(actor, org, form.data);
    if ('error' in target) return reply.page(designatePage(request, actor, org, staff, form.values, target.error), 422);
    // A staff member with powers beyond the administrator's is refused with the reason.
    authorize(actor, 'diradmin.designate', { kind: 'organization', org, target: await service.personRef(db, target.profile) });
    try {
      await service.designateAdministrator(db, actor, org, target.profile, { email: form.data.email, phone: form.data.phone }, clientIp(request));
    } catch (error) {
      return reply.page(designatePage(request, actor, org, staff, form.values, ruleErrors(error)), 422);
    }
    return reply.redirect(`/directory/organizations/${org.code}`, 303);
  });

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
      const profile = z.uuid().safeParse(data.profileId).success ? await findProfileById(db, data.profileId) : undefined;
      if (!profile || profile.status !== 'active' || !(await repo.isMember(db, org.id, profile.id))) {
        return { error: { profileId: `Choose a member of ${org.name}’s staff` } };
      }
      return { profile };
    }
    if (data.username && isDepartment(actor)) {
      const found = (await repo.profilesByUserNameAnyCase(db, data.username)).filter((p) => p.status === 'active');
      const profile = found.find((p) => p.user_name === data.username) ?? (found.length === 1 ? found[0] : undefined);
      if (profile) return { profile };
      const message = found.length > 1 ? 'More than one User Name differs from this one only in case: type it exactly' : 'There is no active profile with that User Name';
      return { error: { username: message } };
    }
    return { error: { profileId: isDepartment(actor) ? 'Choose a staff member or enter a User Name' : `Choose a member of ${org.name}’s staff` } };
  }

  /** The signed-in person's own designation here, or 404: only they change what is published of them. */
  async function ownDesignation(actor: Actor, org: Organization) {
    authorize(actor, 'diradmin.publishContacts', { kind: 'organization', org });
    const found = await repo.designation(db, org.id, actor.profile.id);
    if (!found) throw errors.notFound();
    return found;
  }

  app.get('/directory/organizations/:code/administrators/me', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const org = await organization(params(request).code!);
    const current = await ownDesignation(actor, org);
    return reply.page(<pages.PublishContactsPage ctx={request.view} org={org} values={{ email: current.email ?? '', phone: current.phone ?? '' }} />);
  });

  app.post('/directory/organizations/:code/administrators/me', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const org = await organization(params(request).code!);
    await ownDesignation(actor, org);
    const form = parseForm(contactFields, request.body);
    if (!form.ok) return reply.page(<pages.PublishContactsPage ctx={request.view} org={org} values={form.values} errors={form.errors} />, 422);
    await service.publishContacts(db, actor, org, form.data, clientIp(request));
    return reply.redirect(`/directory/organizations/${org.code}?notice=contacts`, 303);
  });

  app.post('/directory/organizations/:code/administrators/:profileId/revoke', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const org = await organization(params(request).code!);
    authorize(actor, 'diradmin.designate', { kind: 'organization', org });
    const id = params(request).profileId!;
    if (!z.uuid().safeParse(id).success) throw errors.notFound();
    await service.revokeAdministrator(db, actor, org, id, clientIp(request));
    return reply.redirect(`/directory/organizations/${org.code}`, 303);
  });

  app.get('/directory/people/:id', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const { profile, orgs, ref } = await person(params(request).id!);
    authorize(actor, 'person.view', { kind: 'person', person: ref });
    return reply.page(await personPage(request, actor, profile, ref, orgs));
  });

  async function personPage(request: FastifyRequest, actor: Actor, profile: Profile, ref: PersonRef, orgs: repo.Membership[], extra: Partial<pages.PersonPageProps> = {}) {
    const [grants, applications, locked, memberOf] = await Promise.all([
      repo.grantsOf(db, profile.id),
      repo.listApplications(db),
      lockedUntil(db, [accountKey(profile.user_name), hintKey(profile.id)]),
      repo.organizationsOf(db, profile.id),
    ]);
    // Someone beyond the administrator's reach is shown with the reason, and only what takes
    // the administrator's own organizations' roles and staff memberships away.
    const beyondReach = decide(actor, 'person.resetPassword', { kind: 'person', person: ref }) === 'beyond-reach';
    const actingOrgs = beyondReach ? [] : orgs.filter((org) => can(actor, 'role.grant', { kind: 'organization', org }));
    const revokingOrgs = orgs.filter((org) => can(actor, 'role.revoke', { kind: 'organization', org }));
    const shownGrants = grants.filter((g) => revokingOrgs.some((o) => o.code === g.organization_code));
    return (
      <pages.PersonPage
        ctx={request.view}
        person={profile}
        orgs={orgs}
        actingOrgs={actingOrgs}
        beyondReach={beyondReach ? errors.beyondReach().message : undefined}
        removableFrom={orgs.filter((o) => memberOf.some((m) => m.id === o.id) && can(actor, 'staff.remove', { kind: 'organization', org: o }))}
        grants={shownGrants}
        // Open applications have roles too (an application may tell its users apart by them); Directory Administration's is a designation.
        applications={applications.filter((a) => a.id !== 'directory')}
        lockedUntil={locked}
        notice={queryText(query(request).notice)}
        noticeDetail={noticeDetail(query(request), orgs, applications, shownGrants)}
        {...extra}
      />
    );
  }

  /**
   * What a notice is about, from the redirect's query but only as far as the data bears it
   * out: a link someone else crafted cannot make the page claim a grant that is not there.
   */
  function noticeDetail(q: Record<string, unknown>, orgs: repo.Membership[], applications: Application[], grants: repo.GrantRow[]): string | undefined {
    const org = orgs.find((o) => o.code === queryText(q.org));
    const notice = queryText(q.notice);
    if ((notice === 'added-existing' || notice === 'already-member') && org?.work_email) return `The work email ${org.work_email} is kept for ${org.name}.`;
    const [appId, role] = queryText(q.role).split(':');
    const application = applications.find((a) => a.id === appId);
    if (!org || !application || !role) return undefined;
    const held = grants.some((g) => g.application_id === application.id && g.role === role && g.organization_code === org.code);
    if (notice === 'granted' && held) return `${application.name}: ${role} in ${org.name} is granted.`;
    if (notice === 'revoked' && !held) return `${application.name}: ${role} in ${org.name} is revoked.`;
    return undefined;
  }

  app.post('/directory/people/:id/roles', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const { profile, orgs, ref } = await person(params(request).id!);
    authorize(actor, 'role.grant', { kind: 'person', person: ref });
    const form = parseForm(grantFields, request.body);
    const [applicationId, role] = form.ok ? form.data.applicationRole.split(':') : [];
    const org = form.ok ? orgs.find((o) => o.code === form.data.organization) : undefined;
    const application = applicationId ? await repo.findApplication(db, applicationId) : undefined;
    if (!form.ok || !org || !application || !role || !application.roles.includes(role) || application.id === 'directory') {
      const fieldErrors = form.ok ? { organization: 'Choose one of this person’s organizations, an application and one of its roles' } : form.errors;
      return reply.page(await personPage(request, actor, profile, ref, orgs, { errors: fieldErrors }), 422);
    }
    authorize(actor, 'role.grant', { kind: 'organization', org });
    try {
      await service.grantRole(db, actor, { person: profile, org, app: application, role }, clientIp(request));
    } catch (error) {
      return reply.page(await personPage(request, actor, profile, ref, orgs, { errors: ruleErrors(error) }), 422);
    }
    return reply.redirect(`/directory/people/${profile.id}?notice=granted&role=${application.id}:${role}&org=${org.code}`, 303);
  });

  app.post('/directory/people/:id/roles/revoke', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const { profile, orgs, ref } = await person(params(request).id!);
    authorize(actor, 'role.revoke', { kind: 'person', person: ref });
    const form = parseForm(revokeFields, request.body);
    if (!form.ok) throw errors.badRequest();
    const org = orgs.find((o) => o.code === form.data.organization);
    const application = await repo.findApplication(db, form.data.application);
    if (!org || !application) throw errors.notFound();
    authorize(actor, 'role.revoke', { kind: 'organization', org });
    if (await service.revokeRole(db, actor, { person: profile, org, app: application, role: form.data.role }, clientIp(request))) {
      await portal.applicationLogout(profile.id, [application.id]);
    }
    return reply.redirect(`/directory/people/${profile.id}?notice=revoked&role=${application.id}:${encodeURIComponent(form.data.role)}&org=${org.code}`, 303);
  });

  app.get('/directory/people/:id/reset-password', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const { profile, ref } = await person(params(request).id!);
    authorize(actor, 'person.resetPassword', { kind: 'person', person: ref });
    const refusal = service.resetRefusal(profile);
    if (refusal) return reply.page(<confirmPages.ResetRefusedPage ctx={request.view} person={profile} message={refusal.message} />, 409);
    return reply.page(<confirmPages.ConfirmResetPasswordPage ctx={request.view} person={profile} />);
  });

  app.post('/directory/people/:id/reset-password', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const { profile, ref } = await person(params(request).id!);
    authorize(actor, 'person.resetPassword', { kind: 'person', person: ref });
    const refusal = service.resetRefusal(profile);
    if (refusal) return reply.page(<confirmPages.ResetRefusedPage ctx={request.view} person={profile} message={refusal.message} />, 409);
    const temporary = await service.resetPassword(db, actor, profile, clientIp(request));
    await portal.singleSignOut({ accountId: profile.id });
    // Shown in this response only: never stored in clear, never in a URL, never again.
    return reply.page(<pages.TemporaryPasswordPage ctx={request.view} person={profile} password={temporary} />);
  });

  app.get('/directory/people/:id/sessions/end', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const { profile, ref } = await person(params(request).id!);
    authorize(actor, 'person.endSessions', { kind: 'person', person: ref });
    return reply.page(<confirmPages.ConfirmSignOutPage ctx={request.view} person={profile} />);
  });

  app.post('/directory/people/:id/sessions/end', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const { profile, ref } = await person(params(request).id!);
    authorize(actor, 'person.endSessions', { kind: 'person', person: ref });
    await service.endPersonSessions(db, actor, profile, clientIp(request));
    await portal.singleSignOut({ accountId: profile.id });
    return reply.redirect(`/directory/people/${profile.id}?notice=signed-out`, 303);
  });

  app.post('/directory/people/:id/unlock', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const { profile, ref } = await person(params(request).id!);
    authorize(actor, 'person.unlock', { kind: 'person', person: ref });
    await service.unlockAccount(db, actor, profile, clientIp(request));
    return reply.redirect(`/directory/people/${profile.id}?notice=unlocked`, 303);
  });

  app.get('/directory/people/:id/fix', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const { profile, ref } = await person(params(request).id!);
    authorize(actor, 'person.fixData', { kind: 'person', person: ref });
    // The names only: the date of birth and SSN are the person's to give (issue 11), and
    // the administrator enters them as the person states them.
    const values = { firstName: profile.first_name, lastName: profile.last_name };
    return reply.page(<pages.FixDataPage ctx={request.view} person={profile} values={values} />);
  });

  app.post('/directory/people/:id/fix', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const { profile, ref } = await person(params(request).id!);
    authorize(actor, 'person.fixData', { kind: 'person', person: ref });
    const schema = { ...staffFields, ssn: z.string().transform((s) => s.trim()).pipe(z.union([z.literal(''), ssnField])) };
    const form = parseForm(schema, request.body);
    const dob = parseDateOfBirth(form.values);
    if (!form.ok || 'error' in dob) {
      const fieldErrors = { ...(form.ok ? {} : form.errors), ...('error' in dob ? { dobMonth: dob.error } : {}) };
      return reply.page(<pages.FixDataPage ctx={request.view} person={profile} values={form.values} errors={fieldErrors} />, 422);
    }
    const outcome = await service.fixPersonData(
      db,
      portal.accounts,
      actor,
      profile,
      { firstName: form.data.firstName, lastName: form.data.lastName, dateOfBirth: dob.date, ssnDigits: form.data.ssn || null },
      clientIp(request),
      portal.staffLookup,
    );
    if (typeof outcome === 'object') return reply.page(<IdentityChecksPausedPage ctx={request.view} backTo={`/directory/people/${profile.id}`} minutes={minutesUntil(outcome.paused)} />, 429);
    if (outcome === 'ssn-taken') {
      const message = 'This Social Security number belongs to another profile. Call the Department help desk';
      return reply.page(<pages.FixDataPage ctx={request.view} person={profile} values={form.values} errors={{ ssn: message }} />, 409);
    }
    return reply.redirect(`/directory/people/${profile.id}?notice=fixed`, 303);
  });

  // Department console (SPEC D5).

  app.get('/directory/people', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    authorize(actor, 'person.search', { kind: 'system' });
    const q = queryText(query(request).q);
    const result = await repo.searchPeople(db, q, pageNumber(query(request).page));
    return reply.page(<pages.PeopleSearchPage ctx={request.view} q={q} result={result} />);
  });

  app.get('/directory/conflicts', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    // The department resolves every case; a Directory Administrator sees those of their own
    // staff (the conflicting record is usually theirs) and corrects the profile from there.
    const department = can(actor, 'conflict.resolve', { kind: 'system' });
    if (!department && actor.administers.size === 0) throw errors.forbidden();
    const result = await repo.openConflicts(db, pageNumber(query(request).page), department ? undefined : [...actor.administers]);
    return reply.page(<pages.ConflictsPage ctx={request.view} result={result} department={department} notice={queryText(query(request).notice)} />);
  });

  async function openConflict(id: string) {
    const row = /^\d{1,18}$/.test(id) ? await repo.findConflict(db, id) : undefined;
    if (!row) throw errors.notFound();
    return row;
  }

  app.get('/directory/conflicts/:id/resolve', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    authorize(actor, 'conflict.resolve', { kind: 'system' });
    const conflict = await openConflict(params(request).id!);
    // Closing a case is acting on its person: the help desk closes only those of people without powers.
    authorize(actor, 'conflict.resolve', { kind: 'person', person: (await person(conflict.profile_id)).ref });
    return reply.page(<confirmPages.ConfirmCloseConflictPage ctx={request.view} conflict={conflict} values={{}} />);
  });

  app.post('/directory/conflicts/:id/resolve', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    authorize(actor, 'conflict.resolve', { kind: 'system' });
    const conflict = await openConflict(params(request).id!);
    // Closing a case is acting on its person: the help desk closes only those of people without powers.
    authorize(actor, 'conflict.resolve', { kind: 'person', person: (await person(conflict.profile_id)).ref });
    const form = parseForm(closeConflictFields, request.body);
    if (!form.ok) return reply.page(<confirmPages.ConfirmCloseConflictPage ctx={request.view} conflict={conflict} values={form.values} errors={form.errors} />, 422);
    await service.resolveConflict(db, actor, conflict.id, conflict.profile_id, form.data.reason, clientIp(request));
    return reply.redirect('/directory/conflicts?notice=closed', 303);
  });

  app.get('/directory/audit', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    authorize(actor, 'audit.read', { kind: 'system' });
    const type = queryText(query(request).type);
    const user = queryText(query(request).user);
    const filter = { type: (AUDIT_EVENT_TYPES as string[]).includes(type) ? type : undefined, userName: user || undefined };
    const result = await repo.auditLog(db, filter, pageNumber(query(request).page));
    return reply.page(<pages.AuditPage ctx={request.view} type={filter.type ?? ''} user={user} result={result} />);
  });

  app.get('/directory/applications', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    authorize(actor, 'application.manage', { kind: 'system' });
    return reply.page(<pages.ApplicationsPage ctx={request.view} applications={await repo.listApplications(db)} />);
  });

  app.get('/directory/applications/new', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    authorize(actor, 'application.manage', { kind: 'system' });
    // "Register it" on a catalog entry's page starts with its id and name filled in.
    const found = await repo.findApplication(db, queryText(query(request).clientId));
    const catalog = found && !found.client_secret_encrypted && !service.isPartOfPortal(found) ? found : undefined;
    const values = catalog ? { clientId: catalog.id, name: catalog.name, access: catalog.access, roles: catalog.roles.join(', ') } : {};
    return reply.page(<pages.RegisterApplicationPage ctx={request.view} values={values} />);
  });

  app.post('/directory/applications/new', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    authorize(actor, 'application.manage', { kind: 'system' });
    const form = parseForm(applicationFields, request.body);
    if (!form.ok) return reply.page(<pages.RegisterApplicationPage ctx={request.view} values={form.values} errors={form.errors} />, 422);
    const { data } = form;
    try {
      const secret = await service.registerApplication(
        db,
        portal.box,
        {
          id: data.clientId,
          name: data.name,
          redirectUris: data.redirectUris,
          restricted: data.access === 'restricted',
          roles: (data.roles ?? '').split(',').map((r) => r.trim()).filter(Boolean),
          postLogoutRedirectUris: data.postLogoutRedirectUris,
          backchannelLogoutUri: data.backchannelLogoutUri,
          launchUrl: data.launchUrl,
        },
        actor.profile.id,
        { replace: false, ip: clientIp(request) },
      );
      const application = (await repo.findApplication(db, data.clientId))!;
      // Shown in this response only, like a temporary password.
      return reply.page(<pages.ClientSecretPage ctx={request.view} application={application} secret={secret} issuer={portal.config.publicUrl} />);
    } catch (error) {
      return reply.page(<pages.RegisterApplicationPage ctx={request.view} values={form.values} errors={ruleErrors(error)} />, 422);
    }
  });

  async function application(id: string) {
    const found = id.length <= 63 ? await repo.findApplication(db, id) : undefined;
    if (!found) throw errors.notFound();
    return found;
  }

  app.get('/directory/applications/:id', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    authorize(actor, 'application.manage', { kind: 'system' });
    return reply.page(<pages.ApplicationPage ctx={request.view} application={await application(params(request).id!)} notice={queryText(query(request).notice)} />);
  });

  /** An application the department may edit: the portal's own parts are not (their page offers no edit). */
  async function editableApplication(id: string) {
    const found = await application(id);
    if (service.isPartOfPortal(found)) throw errors.notFound();
    return found;
  }

  app.get('/directory/applications/:id/edit', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    authorize(actor, 'application.manage', { kind: 'system' });
    const found = await editableApplication(params(request).id!);
    return reply.page(<applicationPages.EditApplicationPage ctx={request.view} application={found} values={applicationPages.applicationFormValues(found)} />);
  });

  app.post('/directory/applications/:id/edit', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    authorize(actor, 'application.manage', { kind: 'system' });
    const found = await editableApplication(params(request).id!);
    const { clientId: _clientId, ...editFields } = applicationFields;
    const form = parseForm(editFields, request.body);
    const page = (errors: Record<string, string>) => <applicationPages.EditApplicationPage ctx={request.view} application={found} values={form.values} errors={errors} />;
    if (!form.ok) return reply.page(page(form.errors), 422);
    const { data } = form;
    let signedOut: string[];
    try {
      signedOut = await service.updateApplication(
        db,
        actor,
        found,
        {
          name: data.name,
          redirectUris: data.redirectUris,
          restricted: data.access === 'restricted',
          roles: (data.roles ?? '').split(',').map((r) => r.trim()).filter(Boolean),
          postLogoutRedirectUris: data.postLogoutRedirectUris,
          backchannelLogoutUri: data.backchannelLogoutUri,
          launchUrl: data.launchUrl,
        },
        clientIp(request),
      );
    } catch (error) {
      return reply.page(page(ruleErrors(error)), 422);
    }
    for (const accountId of signedOut) await portal.applicationLogout(accountId, [found.id]);
    return reply.redirect(`/directory/applications/${found.id}?notice=updated`, 303);
  });

  app.post('/directory/applications/:id/secret', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    authorize(actor, 'application.manage', { kind: 'system' });
    const found = await application(params(request).id!);
    // Its page offers no such button: only a hand-made request gets here.
    if (!service.hasReplaceableSecret(found)) throw errors.notFound();
    const secret = await service.issueClientSecret(db, portal.box, found, actor, clientIp(request));
    return reply.page(<pages.ClientSecretPage ctx={request.view} application={found} secret={secret} issuer={portal.config.publicUrl} />);
  });

  // D4: public, no login.
  app.get('/directory-administrators', async (request, reply) => {
    const q = queryText(query(request).q);
    const result = await repo.publicAdministrators(db, q, pageNumber(query(request).page));
    return reply.page(<pages.PublicAdministratorsPage ctx={request.view} q={q} result={result} />);
  });
}
