import { readFileSync } from 'node:fs';
import { cli, closedLoop, csrfOf, form, Jar, startPortal } from '../http.ts';
import { hashSecret, verifySecret } from '../../src/portal/hashing.ts';

const ticks = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const portal = await startPortal((env) => { cli(env, ['seed-demo']); if (process.env.PROF) env.NODE_OPTIONS = '--cpu-prof --cpu-prof-dir=/tmp/prof'; });
async function once() {
  const jar = new Jar();
  const page = await jar.fetch(`${portal.url}/login`);
  const csrf = csrfOf(await page.text());
  const res = await jar.fetch(`${portal.url}/login`, form({ _csrf: csrf, username: 'JRivera', password: 'Welcome2026' }));
  await res.arrayBuffer();
  if (res.status !== 303) throw new Error(String(res.status));
}
for (let i = 0; i < 20; i++) await once();
const t0 = ticks(portal.pid); const c0 = process.cpuUsage();
const rate = await closedLoop(4, 8, once);
const t1 = ticks(portal.pid); const c1 = process.cpuUsage(c0);
const n = rate * 8;
console.log(`logins/s ${rate.toFixed(1)}; server CPU per login ${((t1 - t0) / n).toFixed(2)} ms; client CPU per login ${((c1.user + c1.system) / 1000 / n).toFixed(2)} ms`);
const hash = await hashSecret('Welcome2026');
const a0 = process.cpuUsage();
const arate = await closedLoop(4, 5, async () => void (await verifySecret(hash, 'Welcome2026')));
const a1 = process.cpuUsage(a0);
console.log(`argon2/s ${arate.toFixed(1)}; CPU per verify ${((a1.user + a1.system) / 1000 / (arate * 5)).toFixed(2)} ms`);
await portal.stop();
