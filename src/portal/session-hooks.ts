import type { FastifyInstance } from 'fastify';
import type { Portal } from './context.ts';
import { loadSession } from './sessions.ts';

/**
 * The portal's session on every request of the plugins registered where this is used (the
 * portal, the directory, the single sign-on login step), and on nothing else: ELAR, the
 * provider's protocol endpoints and static files are registered outside and never read it.
 */
export function usePortalSessions(app: FastifyInstance, portal: Portal): void {
  app.addHook('onRequest', async (request) => {
    const token = request.cookies[portal.cookies.session];
    if (!token) return;
    request.session = await loadSession(portal.db, token, portal.config.session);
    if (request.session) {
      const p = request.session.profile;
      request.view.user = { userName: p.user_name, displayName: `${p.first_name} ${p.last_name}` };
    }
  });

  // A person who must change their password (first login, administrator reset) can do
  // nothing else until they have.
  app.addHook('preHandler', async (request, reply) => {
    const profile = request.session?.profile;
    if (!profile?.must_change_password) return;
    const path = request.view.path;
    if (
      path === '/account/password' ||
      path === '/logout' ||
      path.startsWith('/help') ||
      path === '/privacy' ||
      path === '/accessibility'
    )
      return;
    return reply.redirect('/account/password', 303);
  });
}
