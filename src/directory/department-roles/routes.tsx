import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { clientIp, requireLogin, type Portal } from '../../app.tsx';
import type { Profile } from '../../platform/db.ts';
import { errors } from '../../platform/errors.ts';
import { parseForm } from '../../platform/forms.ts';
import { queryText } from '../../platform/views/list.tsx';
import { decide, type Actor } from '../policy.ts';
import { profilesByUserNameAnyCase } from '../repository.ts';
import { DirectoryRuleError, loadActor } from '../service.ts';
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

export function registerDepartmentRoleRoutes(app: FastifyInstance, portal: Portal) {
  const { db } = portal;

  /** The signed-in console administrator, or a 403 page that shows nothing. */
  async function consoleAdministrator(request: FastifyRequest, reply: FastifyReply): Promise<Actor | null> {
    if (!requireLogin(request, reply)) return null;
    const actor = await loadActor(db, request.session!.profile);
    if (decide(actor, 'departmentRole.manage', { kind: 'system' }) !== 'allow') throw errors.forbidden();
    return actor;
  }

  /** The exact User Name, or the one profile it matches in another case. */
  async function byUserName(userName: string): Promise<Profile | undefined> {
    const found = await profilesByUserNameAnyCase(db, userName);
    return found.find((p) => p.user_name === userName) ?? (found.length === 1 ? found[0] : undefined);
  }

  async function page(request: FastifyRequest, reply: FastifyReply, status: number, values: Record<string, string | undefined>, fieldErrors?: Record<string, string>) {
    const holders = await departmentRoleHolders(db);
    return reply.page(<DepartmentRolesPage ctx={request.view} holders={holders} values={values} errors={fieldErrors} notice={queryText((request.query as Record<string, unknown>).notice)} />, status);
  }

  app.get('/directory/department-roles', async (request, reply) => {
    if (!(await consoleAdministrator(request, reply))) return reply;
    return page(request, reply, 200, {});
  });

  for (const [path, change, done] of [
    ['/directory/department-roles', grantDepartmentRole, ['granted', 'already-held']],
    ['/directory/department-roles/revoke', revokeDepartmentRole, ['revoked', 'not-held']],
  ] as const) {
    app.post(path, async (request, reply) => {
      const actor = await consoleAdministrator(request, reply);
      if (!actor) return reply;
      const form = parseForm(changeFields, request.body);
      if (!form.ok) return page(request, reply, 422, form.values, form.errors);
      const person = await byUserName(form.data.username);
      if (!person) return page(request, reply, 422, form.values, { username: 'There is no profile with that User Name' });
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
