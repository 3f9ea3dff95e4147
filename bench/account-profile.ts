import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { cli, csrfOf, form, Jar, startPortal } from './http.ts';

/**
 * `node --import tsx bench/account-profile.ts [SECONDS]`: the portal's signed-in /account under
 * autocannon (8 connections) on the embedded database, with the server under `--cpu-prof`; prints
 * requests/s, then where the server's CPU went (bench/cpu-profile.mjs).
 */
const seconds = Number(process.argv[2] ?? 8);
const profiles = mkdtempSync(join(tmpdir(), 'portal-account-profile-'));
const portal = await startPortal((env) => {
  // The demo people on the bench's own throwaway database: seed-demo refuses NODE_ENV=production.
  cli({ ...env, NODE_ENV: 'development' }, ['seed-demo']);
  env.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${profiles}`;
});
try {
  const jar = new Jar();
  const login = await jar.fetch(`${portal.url}/login`);
  const done = await jar.follow(
    portal.url,
    `${portal.url}/login`,
    form({ _csrf: csrfOf(await login.text()), username: 'JRivera', password: 'Welcome2026' }),
  );
  await done.arrayBuffer();
  const cpuMs = () => {
    const fields = readFileSync(`/proc/${portal.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  const before = cpuMs();
  const result = await autocannon({
    url: `${portal.url}/account`,
    connections: 8,
    duration: seconds,
    headers: { cookie: jar.header() },
  });
  if (result.non2xx > 0) throw new Error(`/account answered ${result.non2xx} non-2xx`);
  // Server CPU a request: steadier than requests/s on a machine shared with other work.
  const perRequest = (cpuMs() - before) / result.requests.total;
  console.log(
    `/account: ${result.requests.average.toFixed(0)} req/s, ${perRequest.toFixed(2)} ms of server CPU a request (load average ${loadavg()[0]!.toFixed(1)})`,
  );
} finally {
  await portal.stop();
}
const file = readdirSync(profiles).find((f) => f.endsWith('.cpuprofile'));
console.log(`profile: ${file ? join(profiles, file) : 'none written'} (node bench/cpu-profile.mjs FILE)`);
if (!file) rmSync(profiles, { recursive: true, force: true });
