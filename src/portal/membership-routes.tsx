import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  confirmStaffMembership,
  declineStaffMembership,
  findOrganizationByCode,
  isMember,
  type PendingMembership,
} from '../directory/index.ts';
import { errors } from '../platform/errors.ts';
import { clientIp } from '../platform/http.tsx';
import type { ZodTypeProvider } from '../platform/route-schemas.ts';
import type { ViewContext } from '../platform/views/layout.tsx';
import type { Portal } from './context.ts';
import { portalAccess } from './route-access.ts';

const membershipParams = { params: z.object({ organizationId: z.uuid() }) };

/**
 * Attack review F2: a staff membership a Directory Administrator made for this person's own
 * profile waits for them. They answer on their portal home (plain forms, no JavaScript):
 * confirm the employer, or say it is not theirs (the membership ends). Both 303 back home.
 */
export function registerMembershipRoutes(fastify: FastifyInstance, portal: Portal) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const own = portalAccess.self('one’s own staff memberships');

  app.post(
    '/account/memberships/:organizationId/confirm',
    { ...own, schema: membershipParams },
    async (request, reply) => {
      const org = await confirmStaffMembership(
        portal.db,
        portalAccess.actorOf(request),
        request.params.organizationId,
        clientIp(request),
      );
      if (!org) throw errors.notFound();
      return reply.redirect(`/?membership=confirmed&org=${org.code}`, 303);
    },
  );

  app.post(
    '/account/memberships/:organizationId/decline',
    { ...own, schema: membershipParams },
    async (request, reply) => {
      const profile = portalAccess.actorOf(request);
      const declined = await declineStaffMembership(
        portal.db,
        profile,
        request.params.organizationId,
        clientIp(request),
      );
      if (!declined) throw errors.notFound();
      portal.sendQueuedLogouts();
      return reply.redirect(`/?membership=declined&org=${declined.org.code}`, 303);
    },
  );
}

/** What the person just answered, as far as the data bears it out (a crafted link claims nothing). */
export async function membershipNotice(
  portal: Portal,
  profileId: string,
  query: Record<string, unknown>,
): Promise<string | undefined> {
  const answer = query.membership;
  const code = typeof query.org === 'string' && /^\d{8}$/.test(query.org) ? query.org : undefined;
  if ((answer !== 'confirmed' && answer !== 'declined') || !code) return undefined;
  const org = await findOrganizationByCode(portal.db, code);
  if (!org) return undefined;
  const member = await isMember(portal.db, org.id, profileId);
  if (answer === 'confirmed' && member)
    return `You confirmed ${org.name} as your employer. Its Directory Administrators can now help you with your account.`;
  if (answer === 'declined' && !member)
    return `You are not on the staff of ${org.name}. Its Directory Administrators cannot act on your account.`;
  return undefined;
}

const DATE = new Intl.DateTimeFormat('en-US', {
  month: 'long',
  day: 'numeric',
  year: 'numeric',
  timeZone: 'America/New_York',
});

/** The question on the portal home, one per waiting membership. */
export function PendingMemberships({ ctx, memberships }: { ctx: ViewContext; memberships: PendingMembership[] }) {
  if (memberships.length === 0) return null;
  return (
    <>
      {memberships.map((m) => (
        <section
          key={m.organization_id}
          class="usa-alert usa-alert--warning margin-bottom-3"
          aria-labelledby={`membership-${m.organization_code}`}
        >
          <div class="usa-alert__body">
            <h2 class="usa-alert__heading" id={`membership-${m.organization_code}`}>
              {m.organization_name} added you to its staff on {DATE.format(m.added_at)}
              {m.added_by_name ? ` (by ${m.added_by_name})` : ''}. Is this your employer?
            </h2>
            <p class="usa-alert__text">
              If you confirm, its Directory Administrators can reset your password, sign you out and give you
              application roles. If it is not your employer, say so: you are taken off its staff.
            </p>
            <div class="portal-actions margin-top-2">
              <form method="post" action={`/account/memberships/${m.organization_id}/confirm`}>
                <input type="hidden" name="_csrf" value={ctx.csrfToken()} />
                <button type="submit" class="usa-button">
                  Confirm<span class="usa-sr-only"> {m.organization_name} as your employer</span>
                </button>
              </form>
              <form method="post" action={`/account/memberships/${m.organization_id}/decline`}>
                <input type="hidden" name="_csrf" value={ctx.csrfToken()} />
                <button type="submit" class="usa-button usa-button--outline">
                  This is not my employer<span class="usa-sr-only">: {m.organization_name}</span>
                </button>
              </form>
            </div>
          </div>
        </section>
      ))}
    </>
  );
}
