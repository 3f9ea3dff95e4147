import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accessPolicy } from '../../platform/access.ts';
import { errors, PortalError } from '../../platform/errors.ts';
import type { ApplicationDeps } from '../applications/index.ts';
import { elarErrors } from '../errors.ts';
import { can, type ElarPermission } from '../staff.ts';
import { MovedPage, QueuePage, StaffApplicationPage, StaffHomePage } from './pages.tsx';
import {
  actOn,
  actionsFor,
  applicationForStaff,
  isStaffAction,
  parseCursor,
  queue,
  type StaffMember,
} from './service.ts';

export interface StaffRouteOptions {
  deps: ApplicationDeps;
  /** Whoever holds an ELAR session (staff roles or none), or null when signed out. */
  member(request: FastifyRequest): Promise<StaffMember | null>;
  /** ELAR's own sign-in over OpenID Connect, and back to this page. */
  signIn(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>;
}

/**
 * The Department's pages, under /elar/staff. Each route declares the ELAR permission it
 * needs on the route itself (src/platform/access.ts), checked with `can()` before the
 * handler: a person without it gets the 403 page and no data. What a staff member may do to
 * one application is then the transitions table's to decide.
 */
export function registerStaffRoutes(app: FastifyInstance, options: StaffRouteOptions) {
  void app.register(
    async (staff) => {
      const policy = accessPolicy<StaffMember, ElarPermission, string>({
        actor: options.member,
        authorize(actor, permission) {
          if (!can(actor, permission)) throw errors.forbidden();
        },
        signIn: options.signIn,
      });
      policy.install(staff);
      const { deps } = options;
      const evaluate = policy.permit('application.evaluate', (request) => (request.params as { id?: string }).id ?? '');
      const pageOf = (id: string) => `/elar/staff/applications/${encodeURIComponent(id)}`;

      // About the person themselves: the work their own roles allow, or a 403 with none.
      staff.get('', policy.self('the work a staff member’s own roles allow'), async (request, reply) => {
        const actor = policy.actorOf(request);
        if (actor.staffRoles.length === 0) throw errors.forbidden();
        return reply.page(<StaffHomePage ctx={request.view} actor={actor} />);
      });

      staff.get('/applications', evaluate, async (request, reply) => {
        const after = (request.query as Record<string, unknown>).after;
        const cursor = typeof after === 'string' ? parseCursor(after) : null;
        if (after !== undefined && !cursor) throw errors.badRequest();
        const page = await queue(deps.db, cursor);
        return reply.page(<QueuePage ctx={request.view} entries={page.entries} next={page.next} first={!cursor} />);
      });

      const showApplication = async (
        request: FastifyRequest,
        reply: FastifyReply,
        id: string,
        form: { status: number; errors?: Record<string, string>; values?: Record<string, string> } = { status: 200 },
      ) => {
        const actor = policy.actorOf(request);
        const found = await applicationForStaff(deps, id);
        const own = found.ownerSub === actor.sub;
        return reply.page(
          <StaffApplicationPage
            ctx={request.view}
            application={found.application}
            licenseNames={found.licenseNames}
            actions={actionsFor(actor, { state: found.application.state, ownerSub: found.ownerSub })}
            own={own}
            errors={form.errors}
            values={form.values}
          />,
          form.status,
        );
      };

      staff.get<{ Params: { id: string } }>('/applications/:id', evaluate, (request, reply) =>
        showApplication(request, reply, request.params.id),
      );

      staff.post<{ Params: { id: string } }>('/applications/:id/actions', evaluate, async (request, reply) => {
        const actor = policy.actorOf(request);
        const { id } = request.params;
        const body = (request.body ?? {}) as Record<string, unknown>;
        // The version the page showed: without it the change could land on a state nobody saw.
        if (typeof body.version !== 'string' || !/^\d{1,9}$/.test(body.version)) throw errors.badRequest();
        const action = typeof body.action === 'string' ? body.action : '';
        const reason = typeof body.reason === 'string' ? body.reason.slice(0, 2000) : '';
        const values = { action, reason };
        const again = (errs: Record<string, string>) =>
          showApplication(request, reply, id, { status: 422, errors: errs, values });
        if (!isStaffAction(action)) return again({ action: 'Choose what you want to do' });
        try {
          await actOn(deps, actor, id, action, { reason, expectedVersion: Number(body.version) });
        } catch (err) {
          if (!(err instanceof PortalError)) throw err;
          if (err.code === elarErrors.reasonRequired.code) return again({ reason: err.message });
          if (err.code === elarErrors.applicationChanged.code)
            return reply.page(<MovedPage ctx={request.view} id={id} message={err.message} code={err.code} />, 409);
          throw err;
        }
        return reply.redirect(pageOf(id), 303);
      });
    },
    { prefix: '/staff' },
  );
}
