import { z } from 'zod';
import { AUDIT_EVENT_TYPES } from '../audit-events.ts';
import * as repo from '../repository.ts';
import { queryField, searchQuery, typed, type DirectoryRoutes } from '../routing.ts';
import * as pages from './pages.tsx';

/** The audit log (SPEC D5): filtered by event type and User Name. */

const auditQuery = z.object({
  // An unknown event type filters nothing, as if none were chosen.
  type: queryField.transform((type) => ((AUDIT_EVENT_TYPES as string[]).includes(type) ? type : undefined)),
  user: queryField,
  page: searchQuery.shape.page,
});

export function registerAuditRoutes({ app: fastify, portal, access, find }: DirectoryRoutes) {
  const app = typed(fastify);
  const read = access.permit('audit.read', find.system);
  app.get('/audit', { ...read, schema: { querystring: auditQuery } }, async (request, reply) => {
    const { type, user, page } = request.query;
    const result = await repo.auditLog(portal.db, { type, userName: user || undefined }, page);
    return reply.page(<pages.AuditPage ctx={request.view} type={type ?? ''} user={user} result={result} />);
  });
}
