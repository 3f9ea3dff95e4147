import type { FastifyInstance } from 'fastify';
import { registerAccountRoutes } from './account-routes.tsx';
import type { Portal } from './context.ts';
import { registerHelpRoutes } from './help-routes.tsx';
import { registerHomeRoutes } from './home-routes.tsx';
import { registerLoginRoutes } from './login-routes.tsx';
import { portalAccess } from './route-access.ts';
import { registerStatementRoutes } from './statement-routes.tsx';
import { registerWizardRoutes } from './wizard-routes.tsx';

/** The Security Portal's own pages (at the root): home, login, account, profile wizard, help. */
export async function portalPlugin(app: FastifyInstance, { portal }: { portal: Portal }) {
  portalAccess.install(app);
  registerHomeRoutes(app, portal);
  registerLoginRoutes(app, portal);
  registerAccountRoutes(app, portal);
  registerWizardRoutes(app, portal);
  registerHelpRoutes(app, portal);
  registerStatementRoutes(app, portal);
}
