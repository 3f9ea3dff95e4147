import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { clientIp, requireLogin, type Portal } from '../app.tsx';
import { AUDIT_EVENT_TYPES } from '../platform/audit.ts';
import type { Organization, Profile } from '../platform/db.ts';
import { errors } from '../platform/errors.ts';
import { optionalText, parseForm, requiredText } from '../platform/forms.ts';
import { pageNumber, queryText } from '../platform/views/list.tsx';
import { identityFields, parseDateOfBirth, ssnField } from '../portal/person-fields.ts';
import { accountKey } from '../portal/login.ts';
import { hintKey } from '../portal/profile-wizard.ts';
import { findProfileById, findProfileByUserName } from '../portal/profile-repository.ts';
import { minutesUntil } from '../portal/login-routes.tsx';
import { lockedUntil } from '../portal/throttle.ts';
import { ORGANIZATION_TEXT_LIMITS, ORGANIZATION_TYPES, type OrganizationType } from './organizations.ts';
import * as pages from './pages.tsx';
import { can, decide, inReach, isDepartment, type Action, type Actor, type PersonRef, type Resource } from './policy.ts';
import * as repo from './repository.ts';
import * as service from './service.ts';
import { StaffLookupPausedPage } from './staff-lookup.tsx';

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

const designateFields = {
  username: z.string().trim().min(1, 'Enter the User Name of the person to designate').max(100, 'Enter a User Name'),
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

/** The message of a directory rule, on its own field or else on the form's first one. */
function ruleErrors(error: unknown, firstField: string): Record<string, string> {
  if (!(error instanceof service.DirectoryRuleError)) throw error;
  return { [error.field ?? firstField]: error.message };
}

export function registerDirectoryRoutes(app: FastifyInstance, portal: Portal) {
  const { db } = portal;

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

  /** The person by id, the organizations that bring them within reach, and the policy's view of them. */
  async function person(id: string): Promise<{ profile: Profile; orgs: Organization[]; ref: PersonRef }> {
    const profile = z.uuid().safeParse(id).success ? await findProfileById(db, id) : undefined;
    if (!profile) throw errors.notFound();
    const ref = await service.personRef(db, profile);
    return { profile, orgs: ref.orgs as Organization[], ref };
  }

  const params = (request: FastifyRequest) => request.params as Record<string, string>;
  const query = (request: FastifyRequest) => request.query as Record<string, unknown>;

  app.get('/directory', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    if (!isDepartment(actor) && actor.administers.size === 0) throw errors.forbidden();
    const orgs = await repo.searchOrganizations(db, '', 1, isDepartment(actor) ? undefined : [...actor.administers]);
    const conflicts = isDepartment(actor) ? (await repo.openConflicts(db, 1)).total : 0;
    return reply.page(<pages.DirectoryHome ctx={request.view} department={isDepartment(actor)} organizations={orgs} openConflicts={conflicts} />);
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
      return reply.page(<pages.AddOrganizationPage ctx={request.view} values={form.values} errors={ruleErrors(error, 'name')} />, 422);
    }
  });

  app.get('/directory/organizations/:code', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const org = await organization(params(request).code!);
    authorize(actor, 'organization.view', { kind: 'organization', org });
    const q = queryText(query(request).q);
    const [staff, admins, district] = await Promise.all([
      repo.listStaff(db, org.id, q, pageNumber(query(request).page)),
      repo.publicAdministrators(db, '', 1, org.id),
      org.district_id ? repo.findOrganizationById(db, org.district_id) : undefined,
    ]);
    return reply.page(
      <pages.OrganizationPage
        ctx={request.view}
        org={org}
        district={district}
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
      return reply.page(<pages.AddStaffPage ctx={request.view} org={org} values={form.values} errors={ruleErrors(error, 'firstName')} />, 422);
    }
    if (result.kind === 'paused') return reply.page(<StaffLookupPausedPage ctx={request.view} orgCode={org.code} minutes={minutesUntil(result.until)} />, 429);
    if (result.kind === 'conflict') {
      const message = 'These details conflict with an existing profile. The conflict has been sent to the Department to resolve.';
      return reply.page(<pages.AddStaffPage ctx={request.view} org={org} values={form.values} errors={{ firstName: message }} />, 409);
    }
    return reply.redirect(`/directory/people/${result.profileId}?notice=${result.kind === 'added' ? (result.existing ? 'added-existing' : 'added-new') : 'already-member'}`, 303);
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

  app.get('/directory/organizations/:code/administrators/new', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const org = await organization(params(request).code!);
    authorize(actor, 'diradmin.designate', { kind: 'organization', org });
    return reply.page(<pages.DesignatePage ctx={request.view} org={org} values={{}} />);
  });

  app.post('/directory/organizations/:code/administrators/new', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const org = await organization(params(request).code!);
    authorize(actor, 'diradmin.designate', { kind: 'organization', org });
    const form = parseForm(designateFields, request.body);
    if (!form.ok) return reply.page(<pages.DesignatePage ctx={request.view} org={org} values={form.values} errors={form.errors} />, 422);
    const target = await findProfileByUserName(db, form.data.username);
    const targetRef = target ? await service.personRef(db, target) : undefined;
    // A Directory Administrator designates only someone already in their organizations, and
    // learns nothing of anyone else (not even whether the User Name exists).
    if (!target || !targetRef || target.status !== 'active' || (!isDepartment(actor) && !inReach(actor, targetRef))) {
      const message = isDepartment(actor)
        ? 'There is no active profile with that User Name. User Names are case-sensitive'
        : 'There is no one with that User Name on the staff of your organizations';
      return reply.page(<pages.DesignatePage ctx={request.view} org={org} values={form.values} errors={{ username: message }} />, 422);
    }
    authorize(actor, 'diradmin.designate', { kind: 'organization', org, target: targetRef });
    try {
      await service.designateAdministrator(db, actor, org, target, { email: form.data.email, phone: form.data.phone }, clientIp(request));
    } catch (error) {
      return reply.page(<pages.DesignatePage ctx={request.view} org={org} values={form.values} errors={ruleErrors(error, 'username')} />, 422);
    }
    return reply.redirect(`/directory/organizations/${org.code}`, 303);
  });

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
    const { profile, ref } = await person(params(request).id!);
    authorize(actor, 'person.view', { kind: 'person', person: ref });
    return reply.page(await personPage(request, actor, profile, ref));
  });

  async function personPage(request: FastifyRequest, actor: Actor, profile: Profile, ref: PersonRef, extra: Partial<pages.PersonPageProps> = {}) {
    const orgs = ref.orgs as Organization[];
    const [grants, applications, locked, memberOf] = await Promise.all([
      repo.grantsOf(db, profile.id),
      repo.listApplications(db),
      lockedUntil(db, [accountKey(profile.user_name), hintKey(profile.id)]),
      repo.organizationsOf(db, profile.id),
    ]);
    // Someone beyond the administrator's reach is shown, with the reason, and no actions.
    const beyondReach = decide(actor, 'role.grant', { kind: 'person', person: ref }) === 'beyond-reach';
    const actingOrgs = beyondReach ? [] : orgs.filter((org) => can(actor, 'role.grant', { kind: 'organization', org }));
    return (
      <pages.PersonPage
        ctx={request.view}
        person={profile}
        orgs={orgs}
        actingOrgs={actingOrgs}
        beyondReach={beyondReach ? errors.beyondReach().message : undefined}
        removableFrom={actingOrgs.filter((o) => memberOf.some((m) => m.id === o.id))}
        grants={grants.filter((g) => actingOrgs.some((o) => o.code === g.organization_code))}
        applications={applications.filter((a) => a.access === 'restricted' && a.id !== 'directory')}
        locked={locked !== null}
        notice={queryText(query(request).notice)}
        {...extra}
      />
    );
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
      return reply.page(await personPage(request, actor, profile, ref, { errors: fieldErrors }), 422);
    }
    authorize(actor, 'role.grant', { kind: 'organization', org });
    try {
      await service.grantRole(db, actor, { person: profile, org, app: application, role }, clientIp(request));
    } catch (error) {
      return reply.page(await personPage(request, actor, profile, ref, { errors: ruleErrors(error, 'organization') }), 422);
    }
    return reply.redirect(`/directory/people/${profile.id}`, 303);
  });

  app.post('/directory/people/:id/roles/revoke', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const { profile, orgs, ref } = await person(params(request).id!);
    authorize(actor, 'role.grant', { kind: 'person', person: ref });
    const form = parseForm(revokeFields, request.body);
    if (!form.ok) throw errors.badRequest();
    const org = orgs.find((o) => o.code === form.data.organization);
    const application = await repo.findApplication(db, form.data.application);
    if (!org || !application) throw errors.notFound();
    authorize(actor, 'role.grant', { kind: 'organization', org });
    if (await service.revokeRole(db, actor, { person: profile, org, app: application, role: form.data.role }, clientIp(request))) {
      await portal.applicationLogout(profile.id, [application.id]);
    }
    return reply.redirect(`/directory/people/${profile.id}`, 303);
  });

  app.post('/directory/people/:id/reset-password', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    const { profile, ref } = await person(params(request).id!);
    authorize(actor, 'person.resetPassword', { kind: 'person', person: ref });
    const temporary = await service.resetPassword(db, actor, profile, clientIp(request));
    await portal.singleSignOut({ accountId: profile.id });
    // Shown in this response only: never stored in clear, never in a URL, never again.
    return reply.page(<pages.TemporaryPasswordPage ctx={request.view} person={profile} password={temporary} />);
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
    );
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
    authorize(actor, 'conflict.resolve', { kind: 'system' });
    const result = await repo.openConflicts(db, pageNumber(query(request).page));
    return reply.page(<pages.ConflictsPage ctx={request.view} result={result} />);
  });

  app.post('/directory/conflicts/:id/resolve', async (request, reply) => {
    const actor = await actorOf(request, reply);
    if (!actor) return reply;
    authorize(actor, 'conflict.resolve', { kind: 'system' });
    const id = params(request).id!;
    const row = /^\d{1,18}$/.test(id) ? await repo.findConflict(db, id) : undefined;
    if (!row) throw errors.notFound();
    await service.resolveConflict(db, actor, id, row.profile_id, clientIp(request));
    return reply.redirect('/directory/conflicts', 303);
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
      return reply.page(<pages.RegisterApplicationPage ctx={request.view} values={form.values} errors={ruleErrors(error, 'name')} />, 422);
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
    return reply.page(<pages.ApplicationPage ctx={request.view} application={await application(params(request).id!)} />);
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
