// The portal's own HTTP platform with nothing of a page: `createHttpServer` (Fastify with
// helmet, cookies, form bodies, CSRF, rate limits and the error pages, as every portal route
// runs) and one route that does exactly what bench/bare-session.mjs does and answers the same
// bytes. Between the bare server and a real page it tells what the platform costs and what
// the page's own work (its queries and its rendering) costs.
// Env: PORT, those of bench/session-lookup.mjs, and the portal's, read as `npm start` reads them.
import { publicRoute } from '../src/platform/access.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createHttpServer } from '../src/platform/http.tsx';
import { standardNavigation } from '../src/platform/views/navigation.ts';
// @ts-expect-error plain JavaScript, shared with the bare server, which runs without a loader
import { lookUpSession, pages } from './session-lookup.mjs';

const app = await createHttpServer(loadConfig(), false, process.env.SECRETS_KEY!, standardNavigation('/logout'));
app.get('/elar*', publicRoute('benchmark: the platform floor of a signed-in page'), async (request, reply) => {
  const page = (pages as [string, Buffer][]).find(([prefix]) => request.url.startsWith(prefix));
  const token = request.cookies.elar_session;
  if (!page || !token) return reply.code(404).send();
  if (!(await lookUpSession(token))) return reply.redirect('/login', 303);
  return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page[1]);
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
