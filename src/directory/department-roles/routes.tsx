import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Profile } from '../../portal/index.ts';
import { parseForm } from '../../platform/forms.ts';
import { FORM_ERROR, type FieldErrors, type FormValues } from '../../platform/views/form.tsx';
import { clientIp } from '../../platform/http.tsx';
import { profilesByUserNameAnyCase } from '../repository.ts';
import { noticeQuery, queryField, typed, type DirectoryRoutes } from '../routing.ts';
import { DirectoryRuleError } from '../service.ts';
import { withQuery } from '../shared-pages.tsx';
import { DepartmentRolesPage, type NoticeAbout } from './pages.tsx';
import { departmentRoleHolders, type DepartmentRoleHolder } from './repository.ts';
import { DEPARTMENT_ROLE_NAMES, isDepartmentRole } from './schema.ts';
import { grantDepartmentRole, revokeDepartmentRole } from './service.ts';

/**
 * The console page of department roles (issue 12): only a console administrator
 * (`departmentRole.manage`) sees it, grants and revokes. A person is picked by User Name.
 */

const changeFields = {
  username: z.string().trim().min(1, 'Enter a User Name').max(100, 'Enter a User Name'),
  role: z.string().trim().min(1, 'Select a role').max(63, 'Select a role'),
};

const rolesNoticeQuery = noticeQuery.extend({ username: queryField, role: queryField });

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
    notice?: { notice: string; username: string; role: string },
  ) {
    const holders = await departmentRoleHolders(db);
    return reply.page(
      <DepartmentRolesPage
        ctx={request.view}
        holders={holders}
        values={values}
        errors={fieldErrors}
        notice={notice?.notice}
        noticeAbout={notice && (await noticeAbout(notice, holders))}
      />,
      status,
    );
  }

  /**
   * Whom and which role the notice after a change is about, from the redirect's query but
   * only as far as the stored roles bear it out: a crafted link cannot claim a grant.
   */
  async function noticeAbout(
    q: { notice: string; username: string; role: string },
    holders: DepartmentRoleHolder[],
  ): Promise<NoticeAbout | undefined> {
    const person = q.username ? await byUserName(q.username) : undefined;
    if (!person || !isDepartmentRole(q.role)) return undefined;
    const held = holders.some((h) => h.profile_id === person.id && h.role === q.role);
    const heldAfter = q.notice === 'granted' || q.notice === 'already-held';
    if (held !== heldAfter) return undefined;
    return {
      role: DEPARTMENT_ROLE_NAMES[q.role],
      person: `${person.first_name} ${person.last_name} (${person.user_name})`,
    };
  }

  app.get('/department-roles', { ...manage, schema: { querystring: rolesNoticeQuery } }, async (request, reply) =>
    page(request, reply, 200, {}, undefined, request.query),
  );

  for (const [path, change, done, fromTable] of [
    ['/department-roles', grantDepartmentRole, ['granted', 'already-held'], false],
    ['/department-roles/revoke', revokeDepartmentRole, ['revoked', 'not-held'], true],
  ] as const) {
    // A Revoke button sits in a row of the table: a refusal is about the row, not the grant
    // form's fields, which stay empty.
    const refuse = (request: FastifyRequest, reply: FastifyReply, values: FormValues, errors: FieldErrors) =>
      fromTable
        ? page(request, reply, 422, {}, { [FORM_ERROR]: Object.values(errors).join('. ') })
        : page(request, reply, 422, values, errors);
    app.post(path, manage, async (request, reply) => {
      const { actor } = manage.granted(request);
      const form = parseForm(changeFields, request.body);
      if (!form.ok) return refuse(request, reply, form.values, form.errors);
      const person = await byUserName(form.data.username);
      if (!person) return refuse(request, reply, form.values, { username: 'There is no profile with that User Name' });
      try {
        const changed = await change(db, actor, { person, role: form.data.role }, clientIp(request));
        const notice = changed ? done[0] : done[1];
        return reply.redirect(
          withQuery('/directory/department-roles', { notice, username: person.user_name, role: form.data.role }),
          303,
        );
      } catch (error) {
        if (!(error instanceof DirectoryRuleError)) throw error;
        return refuse(request, reply, form.values, { [error.field ?? 'role']: error.message });
      }
    });
  }
}
