import type { FastifyInstance } from 'fastify';
import type { Portal } from '../portal/index.ts';
import { registerApplicationRoutes } from './applications/routes.tsx';
import { registerAuditRoutes } from './audit/routes.tsx';
import { registerConflictRoutes } from './conflicts/routes.tsx';
import { registerDepartmentRoleRoutes } from './department-roles/routes.tsx';
import { registerAdministratorRoutes } from './organizations/administrator-routes.tsx';
import { registerOrganizationRoutes } from './organizations/routes.tsx';
import { registerPeopleRoutes } from './people/routes.tsx';
import { directoryAccess, resources, type DirectoryRoutes } from './routing.ts';

export { directoryAdministratorsPlugin } from './organizations/administrator-routes.tsx';

/**
 * Directory Administration and the department console (SPEC D3–D5), registered at
 * /directory. Every route declares its permission and the resource it acts on; the
 * platform's check asks the directory's policy before any handler runs.
 */
export async function directoryPlugin(app: FastifyInstance, { portal }: { portal: Portal }) {
  const access = directoryAccess(portal.db);
  access.install(app);
  const routes: DirectoryRoutes = { app, portal, access, find: resources(portal.db) };
  registerOrganizationRoutes(routes);
  registerAdministratorRoutes(routes);
  registerPeopleRoutes(routes);
  registerConflictRoutes(routes);
  registerAuditRoutes(routes);
  registerApplicationRoutes(routes);
  registerDepartmentRoleRoutes(routes);
}
