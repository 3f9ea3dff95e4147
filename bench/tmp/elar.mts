import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { cli, csrfOf, form, Jar, startPortal } from '../http.ts';

const ticks = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const portal = await startPortal((env) => { cli(env, ['seed-demo']); if (process.env.PROF) env.NODE_OPTIONS = '--cpu-prof --cpu-prof-dir=/tmp/prof'; });
const origin = portal.url;
const jar = new Jar();
const login = await jar.follow(origin, `${origin}/elar`);
const html = await login.text();
const returnTo = /name="returnTo" value="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
await jar.follow(origin, `${origin}/login`, form({ _csrf: csrfOf(html), username: 'JRivera', password: 'Welcome2026', returnTo }));
await autocannon({ url: `${origin}/elar`, connections: 16, duration: 2, headers: { cookie: jar.header() } });
const t0 = ticks(portal.pid);
const r = await autocannon({ url: `${origin}/elar`, connections: 16, duration: 8, headers: { cookie: jar.header() } });
const t1 = ticks(portal.pid);
console.log(`elar req/s ${r.requests.average}; non2xx ${r.non2xx}; server CPU per request ${((t1 - t0) / r.requests.total).toFixed(3)} ms`);
await portal.stop();
