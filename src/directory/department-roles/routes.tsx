import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Profile } from '../../portal/index.ts';
import { parseForm } from '../../platform/forms.ts';
import { clientIp } from '../../platform/http.tsx';
import { profilesByUserNameAnyCase } from '../repository.ts';
import { noticeQuery, typed, type DirectoryRoutes } from '../routing.ts';
import { DirectoryRuleError } from '../service.ts';
import { DepartmentRolesPage } from './pages.tsx';
import { departmentRoleHolders } from './repository.ts';
import { grantDepartmentRole, revokeDepartmentRole } from './service.ts';

/**
 * The console page of department roles (issue 12): only a console administrator
 * (`departmentRole.manage`) sees it, grants and revokes. A person is picked by User Name.
 */

const changeFields = {
  username: z.string().trim().min(1, 'Enter a User Name').max(100, 'Enter a User Name'),
  role: z.string().trim().min(1, 'Select a role').max(63, 'Select a role'),
};

export function registerDepartmentRoleRoutes({ app: fastify, portal, access, find }: DirectoryRoutes) {
  const app = typed(fastify);
  const { db } = portal;
  const manage = access.permit('departmentRole.manage', find.system);

  /** The exact User Name, or the one profile it matches in another case. */
  async function byUserName(userName: string): Promise<Profile | undefined> {
    const found = await profilesByUserNameAnyCase(db, userName);
    return found.find((p) => p.user_name === userName) ?? (found.length === 1 ? found[0] : undefined);
  }

  async function page(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    values: Record<string, string | undefined>,
    fieldErrors?: Record<string, string>,
    notice?: string,
  ) {
    const holders = await departmentRoleHolders(db);
    return reply.page(
      <DepartmentRolesPage ctx={request.view} holders={holders} values={values} errors={fieldErrors} notice={notice} />,
      status,
    );
  }

  app.get('/department-roles', { ...manage, schema: { querystring: noticeQuery } }, async (request, reply) =>
    page(request, reply, 200, {}, undefined, request.query.notice),
  );

  for (const [path, change, done] of [
    ['/department-roles', grantDepartmentRole, ['granted', 'already-held']],
    ['/department-roles/revoke', revokeDepartmentRole, ['revoked', 'not-held']],
  ] as const) {
    app.post(path, manage, async (request, reply) => {
      const { actor } = manage.granted(request);
      const form = parseForm(changeFields, request.body);
      if (!form.ok) return page(request, reply, 422, form.values, form.errors);
      const person = await byUserName(form.data.username);
      if (!person)
        return page(request, reply, 422, form.values, { username: 'There is no profile with that User Name' });
      try {
        const changed = await change(db, actor, { person, role: form.data.role }, clientIp(request));
        return reply.redirect(`/directory/department-roles?notice=${changed ? done[0] : done[1]}`, 303);
      } catch (error) {
        if (!(error instanceof DirectoryRuleError)) throw error;
        return page(request, reply, 422, form.values, { [error.field ?? 'role']: error.message });
      }
    });
  }
}
