import assert from 'node:assert/strict';
import { elarTables } from '../../src/elar/index.ts';
import { Browser, createProfile, startPortal, type TestPortal } from './portal.ts';
import { listenAhead } from './server.ts';

/**
 * Co-hosted ELAR under test: the portal listening on a loopback port, because ELAR finds its
 * issuer over HTTP (discovery, JWKS) exactly as a separate relying party would.
 */
export interface TestElar {
  portal: TestPortal;
  origin: string;
  /** ELAR's tables (its schema), as ELAR's own code sees them. */
  db: ReturnType<typeof elarTables>;
  /** A browser on this portal, from its own address (each test its own, so throttles never meet). */
  browser(ip: string): Browser;
  close(): Promise<void>;
}

export async function startElar(env: Record<string, string> = {}): Promise<TestElar> {
  const port = await listenAhead();
  const portal = await startPortal({ PUBLIC_URL: port.origin, ...env });
  port.serve(portal.app);
  return {
    portal,
    origin: port.origin,
    db: elarTables(portal.db),
    browser: (ip) => new Browser(portal.app, ip, port.origin),
    close: async () => {
      await portal.close();
      await port.close();
    },
  };
}

/** Opens /elar signed out, logs in at the portal as `userName`, and follows back to ELAR: returns the ELAR page reached. */
export async function signInToElar(b: Browser, userName: string, password = 'Secret123') {
  const login = await b.follow(await b.get('/elar'));
  assert.match(login.body, /action="\/login"/, 'ELAR sends a signed-out person to the portal login');
  const returnTo = /name="returnTo" value="([^"]+)"/.exec(login.body)![1]!.replace(/&amp;/g, '&');
  assert.match(returnTo, /^\/interaction\//);
  return b.follow(await b.post('/login', { username: userName, password, returnTo }));
}

/**
 * People with portal profiles, by role in a test ("owner", "stranger"): their User Names and
 * the `sub` ELAR knows them by. `seed` keeps names, birth dates, SSNs and addresses apart
 * from other files' (a number from 1 to 99).
 */
export async function profilesFor<Role extends string>(
  elar: TestElar,
  roles: readonly Role[],
  seed: number,
): Promise<Record<Role, { userName: string; sub: string }>> {
  const people = {} as Record<Role, { userName: string; sub: string }>;
  for (const [i, role] of roles.entries()) {
    const { userName } = await createProfile(elar.browser(`10.${seed}.250.${i + 1}`), {
      firstName: role.charAt(0).toUpperCase() + role.slice(1),
      lastName: `Elartest${'abcdefghij'[seed % 10]}${'klmnopqrst'[i % 10]}`,
      dob: ['3', String(i + 1), String(1960 + (seed % 40))],
      ssn: `8${String(seed).padStart(2, '0')}-4${i}-6789`,
    });
    const { id: sub } = await elar.portal.db
      .selectFrom('profile')
      .select('id')
      .where('user_name', '=', userName)
      .executeTakeFirstOrThrow();
    people[role] = { userName, sub };
  }
  return people;
}
