import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { migrate, openDatabase } from '../src/database.ts';
import { loadShippedCatalog } from '../src/elar/catalog/index.ts';
import { elarTables } from '../src/elar/index.ts';
import { COMPLETE_ANSWERS } from '../test/elar/applications/helpers.ts';
import { throwawayDatabase } from '../test/helpers/throwaway-database.ts';
import { applicationIdOf, insertSessions, LICENSE_CODES, seedApplications, type BenchPerson } from './elar-seed.ts';
import { csrfOf, form, freePort, Jar, median, memoryOf, percentile, startPortal, type Child } from './http.ts';

/**
 * Issue 13's figures, in `npm run bench` (and alone: `npm run bench -- elar`). One portal
 * process as `npm start` runs it, on its own fresh database (a throwaway database on
 * DATABASE_URL's server, or a new PGlite directory), seeded before it starts with about
 * `applications` applications and the ELAR sessions of the people the bench plays:
 *
 * - scale: GET /elar for a person with 50 applications, GET /elar/applications/:id among
 *   them all: p50/p95 one request at a time (the latency a person sees);
 * - the real limit: the same two pages under load against bench/bare-session.mjs (node:http
 *   in its own process doing ELAR's session lookup on the same database and answering the
 *   bytes the portal answered) and bench/platform-session.ts (the same inside the portal's
 *   own createHttpServer), in turn, medians of `runs`, with each server's CPU a request;
 * - live status: 400 people with five streams each (the per-person cap), 2,000 streams on one
 *   instance; each person withdraws an application at once over HTTP; the time from each
 *   POST to the change reaching each of that person's streams, and the server's peak RSS;
 * - apply and pay (PostgreSQL only: the bench signs each person in by writing an ELAR session
 *   from its own process while the server runs, which an embedded database does not allow),
 *   all over HTTP with the person's session, as a browser without JavaScript: the license's
 *   route (a new draft), the seven sections, check your answers and Submit, the application
 *   page, Pay, the test checkout, the card, the return, and the signed callback the test
 *   provider's job posts; counted once the last callback is in.
 */

export interface ElarBenchOptions {
  quick: boolean;
  seconds: number;
  runs: number;
  workers: number;
  applications: number;
  say(line: string): void;
  /** One part only (`npm run bench -- elar --only live`): pages, live or pay. */
  only?: string;
  /**
   * `--profile DIR`: the portal runs under `--cpu-prof` and writes its profile there when it
   * stops (read it with `node bench/cpu-profile.mjs FILE`).
   */
  profileDir?: string;
  /** Logins per second measured earlier in the same run, the apply-and-pay baseline. */
  logins?: number;
}

const STREAMS_EACH = 5;
const load = () => loadavg()[0]!.toFixed(1);

function sequentialLatency(url: string, cookie: string, samples: number) {
  return (async () => {
    const times: number[] = [];
    for (let i = 0; i < samples + 20; i++) {
      const t = performance.now();
      const res = await fetch(url, { headers: { cookie }, redirect: 'manual' });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
      // The first twenty warm the connection and the server's caches.
      if (i >= 20) times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { p50: percentile(times, 50), p95: percentile(times, 95) };
  })();
}

/** Requests a second under load, and the server's CPU a request (`pid`'s user and system time). */
async function rate(url: string, cookie: string, connections: number, seconds: number, pid: number) {
  const cpuBefore = cpuMsOf(pid);
  const result = await autocannon({ url, connections, duration: seconds, headers: { cookie } });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { perSecond: result.requests.average, cpuMs: (cpuMsOf(pid) - cpuBefore) / result.requests.total };
}

/** A baseline server (a script of bench/ run as `args`) in its own process, once it answers. */
async function startBaseline(args: string[], env: NodeJS.ProcessEnv): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.at(-1)} exited with ${child.exitCode}`);
    try {
      await fetch(url);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${args.at(-1)} did not start`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    },
  };
}

/** An ELAR live-status stream; calls `onStatus` with each status event's application id. */
function openStream(origin: string, cookie: string, onStatus: (applicationId: string) => void) {
  return new Promise<ClientRequest>((resolve, reject) => {
    const req = request(`${origin}/elar/applications/events`, {
      agent: false,
      headers: { accept: 'text/event-stream', cookie },
    });
    req.on('error', reject);
    req.on('response', (response) => {
      if (response.statusCode !== 200) return reject(new Error(`the stream answered ${response.statusCode}`));
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^event: status\ndata: (.+)$/m.exec(frame)?.[1];
          if (data) onStatus((JSON.parse(data) as { applicationId: string }).applicationId);
        }
      });
      resolve(req);
    });
    req.end();
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

/** CPU time (user + system) a process has used, in ms. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Spread `changes` over this long in the paced round: 100 changes a second, far above the agency's day. */
const PACE_MS = 10;

async function liveStatus(origin: string, pid: number, people: BenchPerson[], say: (line: string) => void) {
  // Each person's two applications' pages first: the CSRF token and the version each withdraw form carries.
  const withdrawals = await Promise.all(
    people.flatMap((person, k) =>
      [0, 1].map(async (round) => {
        const jar = new Jar();
        jar.cookies.set('elar_session', person.token);
        const id = applicationIdOf(50 + 2 * k + round);
        const page = await jar.fetch(`${origin}/elar/applications/${id}`);
        const html = await page.text();
        if (page.status !== 200) throw new Error(`application page answered ${page.status}`);
        const version = /name="version" value="(\d+)"/.exec(html)![1]!;
        return { round, jar, id, csrf: csrfOf(html), version };
      }),
    ),
  );
  const idle = memoryOf(pid);
  // Peak RSS from here on (Linux: 5 resets VmHWM), so the figure is the streams' and the changes'.
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const streams: ClientRequest[] = [];
  const started = Date.now();
  for (let k = 0; k < people.length; k += 40) {
    const batch = people.slice(k, k + 40).flatMap((person) =>
      Array.from({ length: STREAMS_EACH }, () =>
        openStream(origin, `elar_session=${person.token}`, (applicationId) => {
          const at = sentAt.get(applicationId);
          if (at !== undefined) latencies.push(performance.now() - at);
        }),
      ),
    );
    streams.push(...(await Promise.all(batch)));
  }
  const openMs = Date.now() - started;
  // Each stream subscribes just after answering; give the last ones a moment.
  await new Promise((r) => setTimeout(r, 1000));
  const open = memoryOf(pid);
  const n = people.length * STREAMS_EACH;
  for (const [round, paced] of [
    [0, true],
    [1, false],
  ] as const) {
    latencies.length = 0;
    const cpuBefore = cpuMsOf(pid);
    const loadBefore = load();
    const t0 = performance.now();
    await Promise.all(
      withdrawals
        .filter((w) => w.round === round)
        .map(async ({ jar, id, csrf, version }, k) => {
          if (paced) await new Promise((r) => setTimeout(r, k * PACE_MS));
          sentAt.set(id, performance.now());
          const res = await jar.fetch(
            `${origin}/elar/applications/${id}/withdraw`,
            form({ _csrf: csrf, version, reason: '' }),
          );
          await res.arrayBuffer();
          if (res.status !== 303) throw new Error(`withdraw answered ${res.status}`);
        }),
    );
    await until(`every stream heard its person's change`, () => latencies.length >= n, 120_000);
    const wallS = (performance.now() - t0) / 1000;
    const cpu = cpuMsOf(pid) - cpuBefore;
    latencies.sort((a, b) => a - b);
    say(
      `| Live status, ${n} streams open (${people.length} people × ${STREAMS_EACH}, the per-person cap): ${people.length} people each withdraw an application over HTTP, ${paced ? `one every ${PACE_MS} ms` : 'all at once'}; from the POST to each of the person's streams | p50 ${ms(percentile(latencies, 50))}, **p95 ${ms(percentile(latencies, 95))}**, max ${ms(latencies.at(-1)!)}; server CPU ${(cpu / people.length).toFixed(1)} ms a change (${(cpu / wallS / 10).toFixed(0)} % of a core) | p95 < 1 s | ${loadBefore} |`,
    );
  }
  const peak = memoryOf(pid);
  for (const stream of streams) stream.destroy();
  say(
    `| Live status: server RSS before the streams / with ${n} open (opened in ${openMs} ms) / **peak** through both rounds | ${idle.rssMb} / ${open.rssMb} / **${peak.peakMb} MB** | peak < 250 MB | ${load()} |`,
  );
}

/** Answers as a form sends them: rows and questions as `list.0.field`, a ticked box as "yes". */
function formFields(answers: object, prefix = ''): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(answers)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object') Object.assign(fields, formFields(value, name));
    else fields[name] = value === true ? 'yes' : String(value);
  }
  return fields;
}

/** Sends a page's POST form to `target` (its hidden fields, CSRF token included) with these answers. */
async function send(jar: Jar, origin: string, html: string, target: RegExp, answers: Record<string, string>) {
  const found = [...html.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)].find(
    ([, attributes]) =>
      /method="post"/.test(attributes!) && target.test(/action="([^"]*)"/.exec(attributes!)?.[1] ?? ''),
  );
  const action = found && /action="([^"]+)"/.exec(found[1]!)?.[1];
  if (!action) throw new Error(`no form to ${target} on the page`);
  const hidden: Record<string, string> = {};
  for (const [, name, value] of found[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    hidden[name!] = value!.replace(/&amp;/g, '&');
  return jar.fetch(`${origin}${action.replace(/&amp;/g, '&')}`, form({ ...hidden, ...answers }));
}

async function applyAndPay(origin: string, url: string, options: ElarBenchOptions) {
  const database = await openDatabase({ databaseUrl: url, dataDir: 'memory://', poolSize: 8 });
  const db = elarTables(database.db);
  const card = { cardholderName: 'Bench Payer', cardNumber: '4242 4242 4242 4242', expiry: '04/39', cvc: '123' };
  let serial = 0;
  const ids: string[] = [];
  const one = async () => {
    const sub = `bench-apply-${process.pid}-${serial++}`;
    const [person] = await insertSessions(database.db, [sub]);
    const jar = new Jar();
    jar.cookies.set('elar_session', person!.token);
    // The draft through its pages, as a person without JavaScript sends them: the license's
    // route, each section's "Save and continue", the affidavit, then Submit on check your answers.
    const license = LICENSE_CODES[serial % LICENSE_CODES.length]!;
    const route = await jar.fetch(`${origin}/elar/applications/new/route?license=${license}&type=INI`);
    const started = await send(jar, origin, await route.text(), /\/applications\/new$/, { route: 'PREP' });
    const id = /\/elar\/applications\/([0-9a-f-]{36})\/tasks$/.exec(started.headers.get('location') ?? '')?.[1];
    if (!id) throw new Error(`starting a draft answered ${started.status}`);
    for (const [section, answers] of Object.entries(COMPLETE_ANSWERS)) {
      const path = `${origin}/elar/applications/${id}/sections/${section}`;
      const page = await jar.fetch(path);
      const saved = await jar.fetch(
        path,
        form({ _csrf: csrfOf(await page.text()), ...formFields(answers), action: 'continue' }),
      );
      await saved.arrayBuffer();
      if (saved.status !== 303) throw new Error(`section ${section} answered ${saved.status}`);
    }
    const check = await (await jar.fetch(`${origin}/elar/applications/${id}/check-answers`)).text();
    const sent = await send(jar, origin, check, /\/submit$/, {});
    await sent.arrayBuffer();
    if (sent.status !== 303) throw new Error(`submit answered ${sent.status}`);
    const draft = { id };
    const page = await (await jar.fetch(`${origin}/elar/applications/${draft.id}`)).text();
    const checkout = await jar.follow(
      origin,
      `${origin}/elar/payments/pay`,
      form({ _csrf: csrfOf(page), kind: 'application', payable: draft.id, purpose: 'application-fee' }),
    );
    const checkoutPage = await checkout.text();
    if (checkout.status !== 200) throw new Error(`checkout answered ${checkout.status}`);
    // The test checkout's form posts to its own address.
    const back = await jar.follow(origin, checkout.url, form({ _csrf: csrfOf(checkoutPage), ...card }));
    await back.arrayBuffer();
    if (back.status !== 200) throw new Error(`the return page answered ${back.status}`);
    ids.push(draft.id);
  };
  try {
    const loopStart = performance.now();
    const end = loopStart + options.seconds * 1000;
    await Promise.all(
      Array.from({ length: options.workers }, async () => {
        while (performance.now() < end) await one();
      }),
    );
    // End to end means the test provider's signed callback has arrived too.
    await until('every callback delivered', async () => {
      const left = await db
        .selectFrom('job')
        .select(db.fn.countAll<string>().as('n'))
        .where('name', 'like', 'elar.payments.%')
        .executeTakeFirstOrThrow();
      return Number(left.n) === 0;
    });
    const elapsed = (performance.now() - loopStart) / 1000;
    const moved = await db.selectFrom('application').select('state').where('id', 'in', ids).execute();
    const payments = await db.selectFrom('payment').select('state').where('payable_id', 'in', ids).execute();
    const completed = moved.filter((a) => a.state === 'not-ready').length;
    if (completed !== ids.length || payments.length !== ids.length || payments.some((p) => p.state !== 'succeeded'))
      throw new Error(`apply and pay: ${ids.length} applications, ${completed} paid once and moved on`);
    const perSecond = completed / elapsed;
    options.say(
      `| Apply and pay end to end (${options.workers} at once, ${elapsed.toFixed(1)} s including the last callback): draft, 7 sections, submit (their pages), application page, Pay, test checkout, card, return, signed callback | **${perSecond.toFixed(1)} completed applications/s** (${completed}, each paid once) | ${options.logins ? `logins ${options.logins.toFixed(1)}/s: **${(perSecond / options.logins).toFixed(2)}×**` : '—'} | ${load()} |`,
    );
  } finally {
    await database.close();
  }
}

export async function elarBench(options: ElarBenchOptions): Promise<void> {
  const { say, quick } = options;
  // 2,000 streams; `--quick` (CI's harness check) opens a tenth of them.
  const LIVE_PEOPLE = quick ? 40 : 400;
  const serverUrl = process.env.DATABASE_URL;
  const throwaway = serverUrl ? await throwawayDatabase(serverUrl, 'bench_elar') : undefined;
  const kind = throwaway ? 'PostgreSQL' : 'PGlite';
  let bareDir: string | undefined;
  let dashboard: BenchPerson | undefined;
  let live: BenchPerson[] = [];
  let seeded = '';
  const portal = await startPortal(async (env) => {
    if (throwaway) env.DATABASE_URL = throwaway.url;
    env.SSE_MAX_CONNECTIONS = String(LIVE_PEOPLE * STREAMS_EACH);
    if (options.profileDir) env.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${options.profileDir}`;
    const database = await openDatabase({ databaseUrl: throwaway?.url, dataDir: env.DATA_DIR!, poolSize: 4 });
    try {
      await migrate(database.db);
      // Licenses are foreign keys into the catalog, which ELAR loads at start: load it first.
      await loadShippedCatalog(elarTables(database.db));
      const t = performance.now();
      await seedApplications(database.db, options.applications, LIVE_PEOPLE, (done) => {
        if (process.stderr.isTTY) process.stderr.write(`\rseeding applications: ${done.toLocaleString()}`);
      });
      seeded = `${options.applications.toLocaleString()} applications seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`;
      [dashboard] = await insertSessions(database.db, ['bench-dashboard']);
      live = await insertSessions(
        database.db,
        Array.from({ length: LIVE_PEOPLE }, (_, k) => `bench-live-${k}`),
      );
    } finally {
      await database.close();
    }
    // The embedded database is one process's: the bare server opens a copy made now.
    if (!throwaway) {
      bareDir = mkdtempSync(join(tmpdir(), 'portal-bench-bare-'));
      for (const baseline of ['bare', 'platform'])
        cpSync(join(env.DATA_DIR!, 'pglite'), join(bareDir, baseline), { recursive: true });
    }
  });
  const pagesDir = mkdtempSync(join(tmpdir(), 'portal-bench-pages-'));
  let bare: Child | undefined;
  let platform: Child | undefined;
  try {
    const cookie = `elar_session=${dashboard!.token}`;
    const applicationPath = `/elar/applications/${applicationIdOf(0)}`;
    const pages: Record<string, string> = {};
    const sizes: Record<string, string> = {};
    for (const [prefix, path] of [
      ['/elar/applications/', applicationPath],
      ['/elar', '/elar'],
    ] as const) {
      const res = await fetch(`${portal.url}${path}`, { headers: { cookie }, redirect: 'manual' });
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
      pages[prefix] = join(pagesDir, prefix.replace(/\W/g, '_'));
      const bytes = Buffer.from(await res.arrayBuffer());
      writeFileSync(pages[prefix], bytes);
      sizes[prefix] = `${(bytes.length / 1024).toFixed(1)} kB`;
    }
    bare = await startBaseline(['bench/bare-session.mjs'], {
      DATABASE_URL: throwaway?.url ?? '',
      PGLITE_DIR: bareDir ? join(bareDir, 'bare') : '',
      PAGES: JSON.stringify(pages),
    });
    platform = await startBaseline(['--import', 'tsx', 'bench/platform-session.ts'], {
      ...portal.env,
      DATABASE_URL: throwaway?.url ?? '',
      PGLITE_DIR: bareDir ? join(bareDir, 'platform') : '',
      PAGES: JSON.stringify(pages),
    });

    say('');
    say(`ELAR (issue 13) on ${kind}: ${seeded}; load average (1 min) in the last column`);
    say('');
    say('| scenario | measured | baseline / target | load |');
    say('|---|---|---|---|');
    const samples = quick ? 50 : 500;
    const part = (name: string) => !options.only || options.only === name;
    const pagesMeasured = part('pages')
      ? ([
          [`Dashboard GET /elar (${sizes['/elar']}), a person with 50 applications`, '/elar'],
          [
            `Application page GET /elar/applications/:id (${sizes['/elar/applications/']}) among ${options.applications.toLocaleString()}`,
            applicationPath,
          ],
        ] as const)
      : [];
    for (const [name, path] of pagesMeasured) {
      const ours = await sequentialLatency(`${portal.url}${path}`, cookie, samples);
      const limit = await sequentialLatency(`${bare.url}${path}`, cookie, samples);
      say(
        `| ${name}: one request at a time, ${samples} | p50 ${ms(ours.p50)}, **p95 ${ms(ours.p95)}** | p95 < 20 ms (bare session lookup: p95 ${ms(limit.p95)}) | ${load()} |`,
      );
      // Alternately, so a change in the machine's load falls on all three alike.
      const servers = { ours: portal, platform: platform!, bare };
      const runs = { ours: [], platform: [], bare: [] } as Record<
        keyof typeof servers,
        { perSecond: number; cpuMs: number }[]
      >;
      for (let run = 0; run < options.runs; run++)
        for (const [which, server] of Object.entries(servers) as [keyof typeof servers, Child][])
          runs[which].push(
            await rate(`${server.url}${path}`, cookie, options.workers * 4, options.seconds, server.pid),
          );
      const perSecond = (which: keyof typeof servers) => median(runs[which].map((r) => r.perSecond));
      const cpu = (which: keyof typeof servers) => ms(median(runs[which].map((r) => r.cpuMs)));
      const [o, p, b] = [perSecond('ours'), perSecond('platform'), perSecond('bare')];
      say(
        `| ${name}: under load (${options.workers * 4} connections, median of ${options.runs}) vs bare node:http with the same session lookup and bytes | ${o.toFixed(0)} req/s vs ${b.toFixed(0)} req/s: **${(o / b).toFixed(2)}×**; the portal's platform alone (Fastify and its plugins, the same lookup and bytes: bench/platform-session.ts) ${p.toFixed(0)} req/s, ${(p / b).toFixed(2)}×. Server CPU a request: page ${cpu('ours')}, platform ${cpu('platform')}, bare ${cpu('bare')} | ≥ 0.5× | ${load()} |`,
      );
    }
    if (part('live')) await liveStatus(portal.url, portal.pid, live, say);
    if (!part('pay')) return;
    if (throwaway) await applyAndPay(portal.url, throwaway.url, options);
    else say('| Apply and pay | measured on PostgreSQL only (the bench writes drafts beside the server) | — | — |');
  } finally {
    await bare?.stop();
    await platform?.stop();
    await portal.stop();
    rmSync(pagesDir, { recursive: true, force: true });
    if (bareDir) rmSync(bareDir, { recursive: true, force: true });
    await throwaway?.drop();
  }
}
