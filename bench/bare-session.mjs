// The real limit of a signed-in ELAR page: bare node:http in its own process that does what
// every ELAR page must (bench/session-lookup.mjs: read the session cookie, look the session up
// and move its idle end on, on the same database) and answers the bytes the portal answered
// for that page. No framework, no rendering, no other query.
// Env: PORT, and those of bench/session-lookup.mjs.
import { createServer } from 'node:http';
import { lookUpSession, pages } from './session-lookup.mjs';

function cookie(header, name) {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

createServer(async (req, res) => {
  const page = pages.find(([prefix]) => req.url.startsWith(prefix));
  const token = cookie(req.headers.cookie, 'elar_session');
  if (!page || !token) return res.writeHead(404).end();
  if (!(await lookUpSession(token))) return res.writeHead(303, { location: '/login' }).end();
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': page[1].length });
  res.end(page[1]);
}).listen(Number(process.env.PORT), '127.0.0.1');
