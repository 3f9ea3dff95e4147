import { availableParallelism, cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { ARGON2_PARAMS, hashSecret, verifySecret } from '../src/portal/hashing.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedScale } from './scale.ts';
import { sseBench } from './sse.ts';
import { elarBench } from './elar.ts';
import { throwawayDatabase } from '../test/helpers/throwaway-database.ts';
import {
  cli,
  closedLoop,
  csrfOf,
  form,
  Jar,
  median,
  memoryOf,
  startBetterAuth,
  startHello,
  startPortal,
} from './http.ts';

/**
 * `npm run bench` — every figure is a ratio against a baseline measured in the same run on
 * the same machine, the median of several runs. `--quick` runs each scenario briefly (the
 * harness check in CI; it asserts nothing about speed and writes nothing to docs/).
 * `npm run bench -- seed --profiles N` fills the database for the scale figures.
 */

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name: string, fallback: number) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const seconds = option('--seconds', quick ? 2 : 10);
const runs = option('--runs', quick ? 1 : 3);
const cores = availableParallelism();
const workers = Math.max(2, cores * 2);
// Issue 13's scale figure: 1,000,000 applications on PostgreSQL; PGlite holds its database in the process.
const applications = option('--applications', quick ? 2000 : process.env.DATABASE_URL ? 1_000_000 : 100_000);

async function rawArgon2Rate(): Promise<number> {
  const hash = await hashSecret('Welcome2026');
  return closedLoop(workers, seconds, async () => {
    await verifySecret(hash, 'Welcome2026');
  });
}

/**
 * Logins per second. autocannon runs the closed loop (one outstanding login per
 * connection): each login is GET /login with no cookie (a fresh jar) and a POST of the
 * form with the token and cookie that page set. autocannon rather than fetch, because on
 * a two-core machine the load generator's own CPU counts against the server's (fetch cost
 * about 1.9 ms of CPU per login, a tenth of the whole).
 */
interface LoginContext {
  csrf?: string;
  cookie?: string;
}

async function loginRate(origin: string): Promise<number> {
  const result = await autocannon({
    url: origin,
    connections: workers,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        path: '/login',
        onResponse: (_status, body, context: LoginContext, headers) => {
          context.csrf = csrfOf(body);
          const cookies = ([] as string[]).concat(headers?.['set-cookie'] ?? []);
          context.cookie = cookies.map((c) => c.split(';')[0]).join('; ');
        },
      },
      {
        method: 'POST',
        path: '/login',
        setupRequest: (request, context: LoginContext) => ({
          ...request,
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: context.cookie ?? '' },
          body: new URLSearchParams({
            _csrf: context.csrf ?? '',
            username: 'JRivera',
            password: 'Welcome2026',
          }).toString(),
        }),
      },
    ],
  });
  return completed(result, 303) / seconds;
}

/** Better Auth's email sign-in is one JSON post; the same load generator. */
async function betterAuthRate(origin: string): Promise<number> {
  const result = await autocannon({
    url: `${origin}/api/auth/sign-in/email`,
    connections: workers,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ email: 'jordan@example.org', password: 'Welcome2026' }),
  });
  return completed(result, 200) / seconds;
}

/** Responses with the expected status; anything else means the scenario is broken. */
function completed(result: autocannon.Result, status: number): number {
  const stats = result.statusCodeStats as Record<string, { count: number }>;
  const other = Object.entries(stats).filter(
    ([code]) => Number(code) !== status && !(status === 303 && code === '200'),
  );
  if (result.errors > 0 || other.length > 0)
    throw new Error(`unexpected answers: ${JSON.stringify(stats)}, ${result.errors} errors`);
  return stats[String(status)]?.count ?? 0;
}

async function autocannonRate(url: string, headers: Record<string, string> = {}): Promise<number> {
  const result = await autocannon({ url, connections: workers * 4, duration: seconds, headers });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

/** Signs in to ELAR through the portal, as a browser would; returns the jar holding both sessions. */
async function signedInBrowser(origin: string): Promise<Jar> {
  const jar = new Jar();
  const login = await jar.follow(origin, `${origin}/elar`);
  const html = await login.text();
  const returnTo = /name="returnTo" value="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
  const done = await jar.follow(
    origin,
    `${origin}/login`,
    form({ _csrf: csrfOf(html), username: 'JRivera', password: 'Welcome2026', returnTo }),
  );
  if (done.status !== 200 || !(await done.text()).includes('ELAR Welcome Page')) throw new Error('ELAR sign-in failed');
  return jar;
}

async function codeExchange(origin: string, jar: Jar, secret: string): Promise<string> {
  const verifier = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  const challenge = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))).toString(
    'base64url',
  );
  const auth = await jar.follow(
    origin,
    `${origin}/oidc/auth?client_id=bench&response_type=code&scope=openid%20profile%20roles&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/cb')}&code_challenge=${challenge}&code_challenge_method=S256&state=s`,
  );
  const code = new URL(auth.headers.get('location')!).searchParams.get('code');
  if (!code) throw new Error(`no code: ${auth.status} ${auth.headers.get('location')}`);
  const token = await fetch(`${origin}/oidc/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`bench:${secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'http://127.0.0.1:9/cb',
      code_verifier: verifier,
    }),
  });
  const body = (await token.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`token exchange failed: ${JSON.stringify(body)}`);
  return body.access_token;
}

async function main() {
  if (args[0] === 'sse') return sseBench(args);
  if (args[0] === 'elar')
    return elarBench({
      quick,
      seconds,
      runs,
      workers,
      applications,
      only: args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined,
      profileDir: args.includes('--profile') ? args[args.indexOf('--profile') + 1] : undefined,
      say: (line) => console.log(line),
    });
  if (args[0] === 'seed') {
    const n = Number(args[args.indexOf('--profiles') + 1] ?? 100_000);
    await seedScale(n);
    return;
  }
  const started = new Date();
  const lines: string[] = [];
  const say = (line: string) => {
    console.log(line);
    lines.push(line);
  };

  // A fresh database for the run on DATABASE_URL's server, dropped at the end.
  const serverUrl = process.env.DATABASE_URL;
  const throwaway = serverUrl ? await throwawayDatabase(serverUrl, 'bench') : undefined;
  if (throwaway) process.env.DATABASE_URL = throwaway.url;
  let secret = '';
  const portal = await startPortal((env) => {
    // The demo people on the bench's own throwaway database: seed-demo refuses NODE_ENV=production.
    cli({ ...env, NODE_ENV: 'development' }, ['seed-demo']);
    secret = /^client secret: (\S+)$/m.exec(
      cli(env, ['app', 'add', '--client-id', 'bench', '--name', 'Bench', '--redirect-uri', 'http://127.0.0.1:9/cb']),
    )![1]!;
  });
  const hello = await startHello();
  const peer = await startBetterAuth();
  let stopped = false;
  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    await peer.stop();
    await hello.stop();
    await portal.stop();
  };
  try {
    const idle = memoryOf(portal.pid);
    const results: Record<string, number[]> = {
      argon2: [],
      logins: [],
      peer: [],
      hello: [],
      elar: [],
      exchanges: [],
      userinfo: [],
    };
    const jar = await signedInBrowser(portal.url);
    const accessToken = await codeExchange(portal.url, jar, secret);
    // Which load drives the portal's memory: its peak RSS after each scenario of the first run.
    const peakAfter: string[] = [];
    for (let run = 0; run < runs; run++) {
      const measure = async (name: string, scenario: () => Promise<number>) => {
        results[name]!.push(await scenario());
        if (run === 0) peakAfter.push(`${name} ${memoryOf(portal.pid).peakMb}`);
      };
      await measure('argon2', rawArgon2Rate);
      await measure('logins', () => loginRate(portal.url));
      await measure('peer', () => betterAuthRate(peer.url));
      await measure('hello', () => autocannonRate(hello.url));
      await measure('elar', () => autocannonRate(`${portal.url}/elar`, { cookie: jar.header() }));
      await measure('exchanges', () =>
        closedLoop(workers, seconds, async () => void (await codeExchange(portal.url, jar, secret))),
      );
      await measure('userinfo', () =>
        autocannonRate(`${portal.url}/oidc/me`, { authorization: `Bearer ${accessToken}` }),
      );
    }
    const under = memoryOf(portal.pid);
    const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)])) as Record<string, number>;
    const perCore = (x: number) => (x / cores).toFixed(1);

    say(
      `Machine: ${cores} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; database ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite (embedded)'}`,
    );
    say(
      `Date: ${started.toISOString()}; ${runs} run(s) of ${seconds} s each, medians; closed loops with ${workers} workers, autocannon with ${workers * 4} connections`,
    );
    say('');
    say('| scenario | measured | baseline (same run) | ratio | target |');
    say('|---|---|---|---|---|');
    say(
      `| 1. logins (GET + POST /login, fresh cookie jar) vs raw argon2id verify (m=${ARGON2_PARAMS.memoryCost} KiB, t=${ARGON2_PARAMS.timeCost}, p=${ARGON2_PARAMS.parallelism}) | ${m.logins!.toFixed(1)} logins/s (${perCore(m.logins!)} per core) | ${m.argon2!.toFixed(1)} verifies/s | ${(m.logins! / m.argon2!).toFixed(2)} | ≥ 0.85 |`,
    );
    say(
      `| 3. logins (ours, GET + POST) vs Better Auth email sign-in (one POST), same argon2id, same database kind | ${m.logins!.toFixed(1)} logins/s | ${m.peer!.toFixed(1)} sign-ins/s | ${(m.logins! / m.peer!).toFixed(2)} | ≥ 1.5 |`,
    );
    say(
      `| 2. ELAR Welcome Page, signed in, vs bare node:http hello | ${m.elar!.toFixed(0)} req/s | ${m.hello!.toFixed(0)} req/s | ${(m.elar! / m.hello!).toFixed(2)} | ≥ 0.25 |`,
    );
    say(
      `| 4a. OIDC authorization + code exchange (PKCE) | ${m.exchanges!.toFixed(1)} /s (${perCore(m.exchanges!)} per core) | Keycloak published: 120 grants/s per vCPU | ${(m.exchanges! / cores / 120).toFixed(2)} of Keycloak per vCPU | — |`,
    );
    say(
      `| 4b. OIDC userinfo | ${m.userinfo!.toFixed(0)} req/s (${perCore(m.userinfo!)} per core) | bare hello ${m.hello!.toFixed(0)} req/s | ${(m.userinfo! / m.hello!).toFixed(2)} | — |`,
    );
    say(
      `| 6. memory of the portal process | idle ${idle.rssMb} MB RSS; peak under load ${under.peakMb} MB | — | — | < 200 MB under load |`,
    );
    say('');
    say(
      `Portal peak RSS (MB) after each scenario of the first run: ${peakAfter.join(', ')}; after all runs ${under.peakMb}`,
    );
    say('');
    say(
      `Raw figures per run: ${JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.map((x) => Number(x.toFixed(1)))])))}`,
    );

    await stopAll();
    await elarBench({ quick, seconds, runs, workers, applications, say, logins: m.logins });
    say('');
    say(`Whole bench: ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
    if (!quick && runs >= 3) writeFileSync('docs/benchmarks.results.md', `${lines.join('\n')}\n`);
  } finally {
    await stopAll();
    if (throwaway) process.env.DATABASE_URL = serverUrl;
    await throwaway?.drop();
  }
  if (quick) {
    // Keep the scale harness from rotting: a small seed on a throwaway embedded database.
    const dir = mkdtempSync(join(tmpdir(), 'portal-bench-scale-'));
    process.env.DATA_DIR = dir;
    delete process.env.DATABASE_URL;
    await seedScale(2000);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
