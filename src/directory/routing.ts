import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { accessPolicy } from '../platform/access.ts';
import type { Db } from '../database.ts';
import type { Organization } from './schema.ts';
import type { Profile } from '../portal/index.ts';
import { errors } from '../platform/errors.ts';
import type { ZodTypeProvider } from '../platform/route-schemas.ts';
import { FORM_ERROR } from '../platform/views/form.tsx';
import { pageNumber, queryText } from '../platform/views/list.tsx';
import { findProfileById, type Portal } from '../portal/index.ts';
import { decide, type Action, type Actor, type PersonRef, type Resource } from './policy.ts';
import * as repo from './repository.ts';
import * as service from './service.ts';

/**
 * What the directory's routes share: its access policy (the actor, `decide`), how a route
 * finds the resource it acts on, and the schemas of its params and queries. Every route
 * declares its permission; the platform's check loads the actor once, finds the resource
 * and asks `decide` before the handler runs.
 */

/**
 * The only place a directory route decides "no": a 403 page that shows no data, or that
 * says the person has powers beyond the administrator's (only the department acts on them).
 */
export function authorize(actor: Actor, action: Action, resource: Resource): void {
  const decision = decide(actor, action, resource);
  if (decision === 'beyond-reach') throw errors.beyondReach();
  if (decision !== 'allow') throw errors.forbidden();
}

export function directoryAccess(db: Db) {
  return accessPolicy<Actor, Action, Resource>({
    actor: (request) => (request.session ? service.loadActor(db, request.session.profile) : null),
    authorize,
  });
}

/** The organization code in a path: 8 digits, or the page does not exist. */
export const codeParams = z.object({ code: z.string().regex(/^\d{8}$/) });
export const personParams = z.object({ id: z.uuid() });
export const staffMemberParams = z.object({ code: codeParams.shape.code, profileId: z.uuid() });
export const conflictParams = z.object({ id: z.string().regex(/^\d{1,18}$/) });
export const applicationParams = z.object({ id: z.string().max(63) });

/** Queries are read leniently, as links and forms send them: anything unreadable is its default. */
export const queryField = z.unknown().optional().transform(queryText);
const page = z.unknown().optional().transform(pageNumber);
export const searchQuery = z.object({ q: queryField, page });
export const noticeQuery = z.object({ notice: queryField });

export type PersonResource = { kind: 'person'; person: PersonRef; profile: Profile; orgs: repo.Membership[] };

/** How a route finds the resource its permission is about; a path that names nothing is a 404. */
export function resources(db: Db) {
  async function organization(code: string): Promise<Organization> {
    const org = await repo.findOrganizationByCode(db, code);
    if (!org) throw errors.notFound();
    return org;
  }

  /**
   * The person by id, the organizations that bring them within reach (with the work email of
   * a membership there), and the policy's view of them.
   */
  async function person(id: string): Promise<PersonResource> {
    const profile = await findProfileById(db, id);
    if (!profile) throw errors.notFound();
    const [ref, memberships] = await Promise.all([
      service.personRef(db, profile),
      repo.organizationsOf(db, profile.id),
    ]);
    const orgs = ref.orgs.map((org) => ({
      ...(org as Organization),
      work_email: memberships.find((m) => m.id === org.id)?.work_email ?? null,
    }));
    return { kind: 'person', person: ref, profile, orgs };
  }

  return {
    system: () => ({ kind: 'system' as const }),
    organization: async (request: FastifyRequest) => ({
      kind: 'organization' as const,
      org: await organization(codeParams.parse(request.params).code),
    }),
    person: (request: FastifyRequest) => person(personParams.parse(request.params).id),
    /** A person named by what a route found (a partial-match case's profile). */
    personById: person,
    /** A member of an organization's staff, acted on within the organization. */
    staffMember: async (request: FastifyRequest) => {
      const params = staffMemberParams.parse(request.params);
      const org = await organization(params.code);
      const { profile, person: target } = await person(params.profileId);
      return { kind: 'organization' as const, org, target, profile };
    },
  };
}

/** What every part of the directory's routes is handed by its plugin. */
export interface DirectoryRoutes {
  app: FastifyInstance;
  portal: Portal;
  access: ReturnType<typeof directoryAccess>;
  find: ReturnType<typeof resources>;
}

export const typed = (app: FastifyInstance) => app.withTypeProvider<ZodTypeProvider>();

/** The message of a directory rule, on its own field, or about the whole form. */
export function ruleErrors(error: unknown): Record<string, string> {
  if (!(error instanceof service.DirectoryRuleError)) throw error;
  return { [error.field ?? FORM_ERROR]: error.message };
}
