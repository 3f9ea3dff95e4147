import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Application } from '../schema.ts';
import { errors } from '../../platform/errors.ts';
import { parseForm } from '../../platform/forms.ts';
import { clientIp } from '../../platform/http.tsx';
import { accountLockedUntil, minutesUntil, parseDateOfBirth, ssnField } from '../../portal/index.ts';
import { can, decide, type Actor } from '../policy.ts';
import * as repo from '../repository.ts';
import {
  authorize,
  noticeQuery,
  personParams,
  queryField,
  ruleErrors,
  searchQuery,
  typed,
  type DirectoryRoutes,
  type PersonResource,
} from '../routing.ts';
import * as service from '../service.ts';
import { IdentityChecksPausedPage } from '../staff-lookup.tsx';
import { staffFields } from './fields.ts';
import * as pages from './pages.tsx';

/** A person within an administrator's reach, and what may be done for them (SPEC D3, D5). */

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
/** The SSN may be left empty when correcting the other details. */
const fixFields = {
  ...staffFields,
  ssn: z
    .string()
    .transform((s) => s.trim())
    .pipe(z.union([z.literal(''), ssnField])),
};

/** The redirect after a change says what changed (`notice`), about which role and organization. */
const personQuery = noticeQuery.extend({ org: queryField, role: queryField });
type PersonQuery = z.output<typeof personQuery>;
const personSchema = { params: personParams, querystring: personQuery };

export function registerPeopleRoutes({ app: fastify, portal, access, find }: DirectoryRoutes) {
  const app = typed(fastify);
  const { db } = portal;

  const view = access.permit('person.view', find.person);
  app.get('/people/:id', { ...view, schema: personSchema }, async (request, reply) => {
    const { actor, resource } = view.granted(request);
    return reply.page(await personPage(request, actor, resource, request.query));
  });

  async function personPage(
    request: FastifyRequest,
    actor: Actor,
    { profile, person: ref, orgs }: PersonResource,
    query: PersonQuery,
    extra: Partial<pages.PersonPageProps> = {},
  ) {
    const [grants, applications, locked, memberOf] = await Promise.all([
      repo.grantsOf(db, profile.id),
      repo.listApplications(db),
      accountLockedUntil(db, profile),
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
        removableFrom={orgs.filter(
          (o) => memberOf.some((m) => m.id === o.id) && can(actor, 'staff.remove', { kind: 'organization', org: o }),
        )}
        grants={shownGrants}
        // Open applications have roles too (an application may tell its users apart by them); Directory Administration's is a designation.
        applications={applications.filter((a) => a.id !== 'directory')}
        lockedUntil={locked}
        notice={query.notice}
        noticeDetail={noticeDetail(query, orgs, applications, shownGrants)}
        {...extra}
      />
    );
  }

  /**
   * What a notice is about, from the redirect's query but only as far as the data bears it
   * out: a link someone else crafted cannot make the page claim a grant that is not there.
   */
  function noticeDetail(
    q: PersonQuery,
    orgs: repo.Membership[],
    applications: Application[],
    grants: repo.GrantRow[],
  ): string | undefined {
    const org = orgs.find((o) => o.code === q.org);
    const { notice } = q;
    if ((notice === 'added-existing' || notice === 'already-member') && org?.work_email)
      return `The work email ${org.work_email} is kept for ${org.name}.`;
    const [appId, role] = q.role.split(':');
    const application = applications.find((a) => a.id === appId);
    if (!org || !application || !role) return undefined;
    const held = grants.some(
      (g) => g.application_id === application.id && g.role === role && g.organization_code === org.code,
    );
    if (notice === 'granted' && held) return `${application.name}: ${role} in ${org.name} is granted.`;
    if (notice === 'revoked' && !held) return `${application.name}: ${role} in ${org.name} is revoked.`;
    return undefined;
  }

  const grant = access.permit('role.grant', find.person);
  app.post('/people/:id/roles', { ...grant, schema: personSchema }, async (request, reply) => {
    const { actor, resource } = grant.granted(request);
    const { profile, orgs } = resource;
    const form = parseForm(grantFields, request.body);
    const [applicationId, role] = form.ok ? form.data.applicationRole.split(':') : [];
    const org = form.ok ? orgs.find((o) => o.code === form.data.organization) : undefined;
    const application = applicationId ? await repo.findApplication(db, applicationId) : undefined;
    if (
      !form.ok ||
      !org ||
      !application ||
      !role ||
      !application.roles.includes(role) ||
      application.id === 'directory'
    ) {
      const fieldErrors = form.ok
        ? { organization: 'Choose one of this person’s organizations, an application and one of its roles' }
        : form.errors;
      return reply.page(await personPage(request, actor, resource, request.query, { errors: fieldErrors }), 422);
    }
    // The organization chosen on the form must be one the administrator acts in, too.
    authorize(actor, 'role.grant', { kind: 'organization', org });
    try {
      await service.grantRole(db, actor, { person: profile, org, app: application, role }, clientIp(request));
    } catch (error) {
      return reply.page(await personPage(request, actor, resource, request.query, { errors: ruleErrors(error) }), 422);
    }
    return reply.redirect(
      `/directory/people/${profile.id}?notice=granted&role=${application.id}:${role}&org=${org.code}`,
      303,
    );
  });

  const revoke = access.permit('role.revoke', find.person);
  app.post('/people/:id/roles/revoke', { ...revoke, schema: { params: personParams } }, async (request, reply) => {
    const {
      actor,
      resource: { profile, orgs },
    } = revoke.granted(request);
    const form = parseForm(revokeFields, request.body);
    if (!form.ok) throw errors.badRequest();
    const org = orgs.find((o) => o.code === form.data.organization);
    const application = await repo.findApplication(db, form.data.application);
    if (!org || !application) throw errors.notFound();
    authorize(actor, 'role.revoke', { kind: 'organization', org });
    await service.revokeRole(
      db,
      actor,
      { person: profile, org, app: application, role: form.data.role },
      clientIp(request),
    );
    portal.sendQueuedLogouts();
    return reply.redirect(
      `/directory/people/${profile.id}?notice=revoked&role=${application.id}:${encodeURIComponent(form.data.role)}&org=${org.code}`,
      303,
    );
  });

  const resetPassword = access.permit('person.resetPassword', find.person);
  app.get(
    '/people/:id/reset-password',
    { ...resetPassword, schema: { params: personParams } },
    async (request, reply) => {
      const { profile } = resetPassword.granted(request).resource;
      const refusal = service.resetRefusal(profile);
      if (refusal)
        return reply.page(
          <pages.ResetRefusedPage ctx={request.view} person={profile} message={refusal.message} />,
          409,
        );
      return reply.page(<pages.ConfirmResetPasswordPage ctx={request.view} person={profile} />);
    },
  );

  app.post(
    '/people/:id/reset-password',
    { ...resetPassword, schema: { params: personParams } },
    async (request, reply) => {
      const {
        actor,
        resource: { profile },
      } = resetPassword.granted(request);
      const refusal = service.resetRefusal(profile);
      if (refusal)
        return reply.page(
          <pages.ResetRefusedPage ctx={request.view} person={profile} message={refusal.message} />,
          409,
        );
      const temporary = await service.resetPassword(db, actor, profile, clientIp(request));
      await portal.singleSignOut({ accountId: profile.id });
      // Shown in this response only: never stored in clear, never in a URL, never again.
      return reply.page(<pages.TemporaryPasswordPage ctx={request.view} person={profile} password={temporary} />);
    },
  );

  const endSessions = access.permit('person.endSessions', find.person);
  app.get('/people/:id/sessions/end', { ...endSessions, schema: { params: personParams } }, async (request, reply) => {
    const { profile } = endSessions.granted(request).resource;
    return reply.page(<pages.ConfirmSignOutPage ctx={request.view} person={profile} />);
  });

  app.post('/people/:id/sessions/end', { ...endSessions, schema: { params: personParams } }, async (request, reply) => {
    const {
      actor,
      resource: { profile },
    } = endSessions.granted(request);
    await service.endPersonSessions(db, actor, profile, clientIp(request));
    await portal.singleSignOut({ accountId: profile.id });
    return reply.redirect(`/directory/people/${profile.id}?notice=signed-out`, 303);
  });

  const unlock = access.permit('person.unlock', find.person);
  app.post('/people/:id/unlock', { ...unlock, schema: { params: personParams } }, async (request, reply) => {
    const {
      actor,
      resource: { profile },
    } = unlock.granted(request);
    await service.unlockAccount(db, actor, profile, clientIp(request));
    return reply.redirect(`/directory/people/${profile.id}?notice=unlocked`, 303);
  });

  const fixData = access.permit('person.fixData', find.person);
  app.get('/people/:id/fix', { ...fixData, schema: { params: personParams } }, async (request, reply) => {
    const { profile } = fixData.granted(request).resource;
    // The names only: the date of birth and SSN are the person's to give (issue 11), and
    // the administrator enters them as the person states them.
    const values = { firstName: profile.first_name, lastName: profile.last_name };
    return reply.page(<pages.FixDataPage ctx={request.view} person={profile} values={values} />);
  });

  app.post('/people/:id/fix', { ...fixData, schema: { params: personParams } }, async (request, reply) => {
    const {
      actor,
      resource: { profile },
    } = fixData.granted(request);
    const form = parseForm(fixFields, request.body);
    const dob = parseDateOfBirth(form.values);
    if (!form.ok || 'error' in dob) {
      const fieldErrors = { ...(form.ok ? {} : form.errors), ...('error' in dob ? { dobMonth: dob.error } : {}) };
      return reply.page(
        <pages.FixDataPage ctx={request.view} person={profile} values={form.values} errors={fieldErrors} />,
        422,
      );
    }
    const outcome = await service.fixPersonData(
      db,
      portal.accounts,
      actor,
      profile,
      {
        firstName: form.data.firstName,
        lastName: form.data.lastName,
        dateOfBirth: dob.date,
        ssnDigits: form.data.ssn || null,
      },
      clientIp(request),
      portal.staffLookup,
    );
    if (typeof outcome === 'object')
      return reply.page(
        <IdentityChecksPausedPage
          ctx={request.view}
          backTo={`/directory/people/${profile.id}`}
          minutes={minutesUntil(outcome.paused)}
        />,
        429,
      );
    if (outcome === 'ssn-taken') {
      const message = 'This Social Security number belongs to another profile. Call the Department help desk';
      return reply.page(
        <pages.FixDataPage ctx={request.view} person={profile} values={form.values} errors={{ ssn: message }} />,
        409,
      );
    }
    return reply.redirect(`/directory/people/${profile.id}?notice=fixed`, 303);
  });

  // Department console (SPEC D5).
  const search = access.permit('person.search', find.system);
  app.get('/people', { ...search, schema: { querystring: searchQuery } }, async (request, reply) => {
    const { q, page } = request.query;
    const result = await repo.searchPeople(db, q, page);
    return reply.page(<pages.PeopleSearchPage ctx={request.view} q={q} result={result} />);
  });
}
