import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errors } from '../../platform/errors.ts';
import { parseForm } from '../../platform/forms.ts';
import { clientIp } from '../../platform/http.tsx';
import { can } from '../policy.ts';
import * as repo from '../repository.ts';
import { conflictParams, noticeQuery, searchQuery, typed, type DirectoryRoutes } from '../routing.ts';
import * as service from '../service.ts';
import * as pages from './pages.tsx';

/** Partial matches to resolve (SPEC D5). */

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
        .refine(
          (s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(s),
          'The reason must not contain special characters',
        ),
    ),
};

export function registerConflictRoutes({ app: fastify, portal, access, find }: DirectoryRoutes) {
  const app = typed(fastify);
  const { db } = portal;

  // The department resolves every case; a Directory Administrator sees those of their own
  // staff (the conflicting record is usually theirs) and corrects the profile from there.
  const list = access.permit('directory.use', find.system);
  app.get(
    '/conflicts',
    { ...list, schema: { querystring: searchQuery.pick({ page: true }).extend(noticeQuery.shape) } },
    async (request, reply) => {
      const { actor } = list.granted(request);
      const department = can(actor, 'conflict.resolve', { kind: 'system' });
      const result = await repo.openConflicts(db, request.query.page, department ? undefined : [...actor.administers]);
      return reply.page(
        <pages.ConflictsPage
          ctx={request.view}
          result={result}
          department={department}
          notice={request.query.notice}
        />,
      );
    },
  );

  /**
   * Closing a case is acting on its person: the case, and the person it is about as the
   * resource, so the help desk closes only the cases of people without powers.
   */
  async function openConflict(request: FastifyRequest) {
    const conflict = await repo.findConflict(db, conflictParams.parse(request.params).id);
    if (!conflict) throw errors.notFound();
    const { person } = await find.personById(conflict.profile_id);
    return { kind: 'person' as const, person, conflict };
  }

  const resolve = access.permit('conflict.resolve', openConflict);
  app.get('/conflicts/:id/resolve', { ...resolve, schema: { params: conflictParams } }, async (request, reply) => {
    const { conflict } = resolve.granted(request).resource;
    return reply.page(<pages.ConfirmCloseConflictPage ctx={request.view} conflict={conflict} values={{}} />);
  });

  app.post('/conflicts/:id/resolve', { ...resolve, schema: { params: conflictParams } }, async (request, reply) => {
    const { actor, resource } = resolve.granted(request);
    const { conflict } = resource;
    const form = parseForm(closeConflictFields, request.body);
    if (!form.ok)
      return reply.page(
        <pages.ConfirmCloseConflictPage
          ctx={request.view}
          conflict={conflict}
          values={form.values}
          errors={form.errors}
        />,
        422,
      );
    await service.resolveConflict(db, actor, conflict.id, conflict.profile_id, form.data.reason, clientIp(request));
    return reply.redirect('/directory/conflicts?notice=closed', 303);
  });
}
