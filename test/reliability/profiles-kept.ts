import { sql } from 'kysely';
import type { Db } from '../../src/database.ts';
import { Browser, contactFields, identityFields, textOf, type Person, type Response } from '../helpers/portal.ts';

/**
 * What the reliability tests check after a crash: each profile a client was told about
 * exists exactly once, and every profile that exists was written whole by the Create
 * Profile final submit (profile, password history, issued MEPID, its audit event, the
 * finished wizard flow), with nothing left over from a submit that did not commit.
 */

export interface Expected {
  label: string;
  ssnHash: string;
  userName?: string;
  mepid?: string;
}

export interface Findings {
  lost: string[];
  duplicated: string[];
  halfWritten: string[];
  /** Profiles in the database. */
  profiles: number;
}

const count = <T>(values: T[]) => values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<T, number>());

/** `acknowledged`: told to a client, so must exist once; every row in the database must be whole. */
export async function profilesKept(db: Db, acknowledged: Expected[]): Promise<Findings> {
  const lost: string[] = [];
  const duplicated: string[] = [];
  const halfWritten: string[] = [];
  const profiles = await db.selectFrom('profile').selectAll().execute();
  const byUserName = count(profiles.map((p) => p.user_name));
  const byMepid = count(profiles.map((p) => p.mepid));
  const bySsn = count(profiles.map((p) => p.ssn_hash));
  for (const a of acknowledged) {
    const copies = [
      a.userName ? (byUserName.get(a.userName) ?? 0) : 1,
      a.mepid ? (byMepid.get(a.mepid) ?? 0) : 1,
      bySsn.get(a.ssnHash) ?? 0,
    ];
    const finding = `${a.label} ${a.userName ?? '?'}/${a.mepid ?? '?'}: rows by User Name/MEPID/SSN ${copies.join('/')}`;
    if (copies.includes(0)) lost.push(finding);
    else if (copies.some((c) => c > 1)) duplicated.push(finding);
    const row = profiles.find((p) => p.ssn_hash === a.ssnHash);
    if (row && a.userName && (row.user_name !== a.userName || row.mepid !== a.mepid)) {
      halfWritten.push(`${a.label}: told ${a.userName}/${a.mepid}, stored ${row.user_name}/${row.mepid}`);
    }
  }
  for (const [ssn, n] of bySsn) if (n > 1) duplicated.push(`${n} profiles share one SSN (${String(ssn).slice(0, 8)}…)`);

  const historyRows = await db
    .selectFrom('password_history as h')
    .innerJoin('profile as p', 'p.id', 'h.profile_id')
    .select(['h.profile_id', 'h.password_hash', 'p.password_hash as current'])
    .execute();
  const history = count(historyRows.filter((r) => r.password_hash === r.current).map((r) => r.profile_id));
  const allHistory = count(
    (await db.selectFrom('password_history').select('profile_id').execute()).map((r) => r.profile_id),
  );
  const issued = new Set((await db.selectFrom('issued_mepid').select('mepid').execute()).map((r) => r.mepid));
  const events = await db
    .selectFrom('audit_event')
    .select('subject_id')
    .where('type', '=', 'profile.created')
    .execute();
  const createdEvents = count(events.map((r) => r.subject_id));
  const flows = await db
    .selectFrom('flow_state')
    .select('result_profile_id')
    .where('result_profile_id', 'is not', null)
    .execute();
  const finishedFlows = count(flows.map((r) => r.result_profile_id));
  const required = [
    'password_hash',
    'hint_question',
    'hint_answer_hash',
    'ssn_hash',
    'ssn_last4',
    'date_of_birth',
    'email',
    'address_line1',
    'city',
    'state',
    'postal_code',
  ] as const;
  for (const p of profiles) {
    const missing: string[] = required.filter((column) => !p[column]);
    if (p.status !== 'active') missing.push(`status ${p.status}`);
    if (history.get(p.id) !== 1) missing.push(`${history.get(p.id) ?? 0} password history entries with its password`);
    if (!issued.has(p.mepid)) missing.push('MEPID not recorded as issued');
    if (createdEvents.get(p.id) !== 1) missing.push(`${createdEvents.get(p.id) ?? 0} profile.created audit events`);
    if (finishedFlows.get(p.id) !== 1) missing.push(`${finishedFlows.get(p.id) ?? 0} wizard flows finished with it`);
    if (missing.length > 0) halfWritten.push(`${p.user_name}: ${missing.join(', ')}`);
  }
  // Left over from a submit that did not commit: no profile is ever deleted in these tests.
  const all = await db.selectFrom('profile').select(['id', 'mepid']).execute();
  const ids = new Set(all.map((p) => p.id));
  const mepids = new Set(all.map((p) => p.mepid));
  for (const m of issued) if (!mepids.has(m)) halfWritten.push(`issued MEPID ${m} has no profile`);
  for (const [id] of createdEvents)
    if (id === null || !ids.has(id)) halfWritten.push(`profile.created event for ${id} has no profile`);
  for (const [id] of finishedFlows)
    if (id === null || !ids.has(id)) halfWritten.push(`wizard flow finished with ${id} has no profile`);
  for (const [id] of allHistory) if (!ids.has(id)) halfWritten.push(`password history for ${id} has no profile`);
  const conflicts = await db
    .selectFrom('match_conflict')
    .select(sql<number>`count(*)::int`.as('n'))
    .executeTakeFirstOrThrow();
  if (conflicts.n !== 0) halfWritten.push(`${conflicts.n} match conflicts recorded`);
  return { lost, duplicated, halfWritten, profiles: profiles.length };
}

/** Create Profile up to its last page, ready for the final submit. */
export async function fillWizard(
  b: Browser,
  person: Person,
  secrets: { hintQuestion: string; hintAnswer: string; password: string },
): Promise<void> {
  const steps: [string, Record<string, string>, string][] = [
    ['/profile/new/identity', identityFields(person), '/profile/new/contact'],
    ['/profile/new/contact', contactFields, '/profile/new/background'],
    ['/profile/new/background', { previousLastName: '', priorLicenseNumber: '' }, '/profile/new/security'],
    ['/profile/new/security', { ...secrets, passwordConfirm: secrets.password }, '/profile/new/review'],
  ];
  await b.get('/profile/new');
  for (const [action, fields, next] of steps) {
    const res = await b.post(action, fields);
    if (res.location !== next)
      throw new Error(`${action} answered ${res.status} ${res.location ?? ''}, expected ${next}`);
    await b.get(next);
  }
}

/** The final submit, and the page it leads to. */
export async function submitReview(b: Browser): Promise<{ userName?: string; mepid?: string; page: Response }> {
  const page = await b.follow(await b.post('/profile/new/review', {}));
  return { userName: textOf(page.body, 'data-username'), mepid: textOf(page.body, 'data-mepid'), page };
}
