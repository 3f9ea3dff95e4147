import {
  applyStaffTransition,
  guards,
  licensesAskedFor,
  loadApplication,
  mayRun,
  STATE_WORDS,
  TRANSITIONS,
  type ApplicationDeps,
  type ApplicationState,
  type ApplicationView,
  type Transition,
  type TransitionName,
} from '../applications/index.ts';
import { elarErrors } from '../errors.ts';
import type { ElarDb } from '../schema.ts';
import type { ElarActor } from '../staff.ts';
import { ownerOf, queuePage, type QueueCursor } from './repository.ts';

/**
 * Department staff at work on applications: the queue, one application, and the changes a
 * staff member may make to it now. The transitions table (applications/transitions.ts)
 * decides who may do what from where; this adds what is staff's own: nobody acts on their
 * own application, and a draft is the educator's alone until it is sent.
 */

/** A signed-in member of staff: the portal's `sub` and the roles ELAR read from the claims. */
export interface StaffMember extends ElarActor {
  sub: string;
}

/**
 * The changes offered to staff, and their buttons. A staff transition not named here is not
 * offered: asking for information needs its items and approving needs the license it issues,
 * and both come with evaluation.
 */
export const STAFF_ACTIONS: Partial<Record<TransitionName, string>> = {
  'start-review': 'Start review',
  'gate-items-incomplete': 'Return to not ready for review',
  deny: 'Deny the application',
  'uphold-denial': 'Uphold the denial',
  'reopen-review': 'Review it again',
  withdraw: 'Withdraw the application',
};

export interface StaffAction {
  name: TransitionName;
  label: string;
  reasonRequired: boolean;
}

export const QUEUE_PAGE_SIZE = 50;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURSOR =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.(\d{3})\d{3}Z)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

const needsReason = (t: Transition) => t.guards.some((g) => g === guards.reasonGiven || g === guards.staffGiveAReason);

/** What this staff member may do to an application in `state` now; nothing when it is their own. */
export function actionsFor(actor: StaffMember, application: { state: ApplicationState; ownerSub: string }) {
  if (application.ownerSub === actor.sub) return [];
  const as = { kind: 'staff' as const, ...actor };
  return TRANSITIONS.filter((t) => STAFF_ACTIONS[t.name] && t.from.includes(application.state) && mayRun(t, as)).map(
    (t): StaffAction => ({ name: t.name, label: STAFF_ACTIONS[t.name]!, reasonRequired: needsReason(t) }),
  );
}

export function isStaffAction(name: string): name is TransitionName {
  return Object.hasOwn(STAFF_ACTIONS, name);
}

/** A sent application and whose it is; a draft, a missing one and a malformed id are all "not found". */
export async function applicationForStaff(
  deps: ApplicationDeps,
  id: string,
): Promise<{ application: ApplicationView; ownerSub: string; licenseNames: string[] }> {
  const owner = UUID.test(id) ? await ownerOf(deps.db, id) : undefined;
  if (!owner || owner.state === 'draft') throw elarErrors.applicationNotFound();
  const ownerSub = owner.person_sub;
  const application = await loadApplication(deps, ownerSub, id);
  if (application.state === 'draft') throw elarErrors.applicationNotFound();
  // The application names its licenses already, from the catalog, in the query that read it.
  return { application, ownerSub, licenseNames: application.licenses.map((l) => l.name) };
}

/**
 * A staff member's change to an application, by the table's rules (`applyStaffTransition`:
 * the version they saw, one transaction with its timeline entry and audit row). Their own
 * application is refused first: an application's owner never changes, so the check holds.
 */
export async function actOn(
  deps: ApplicationDeps,
  actor: StaffMember,
  id: string,
  name: TransitionName,
  { reason, expectedVersion }: { reason: string | null; expectedVersion: number },
) {
  const owner = UUID.test(id) ? await ownerOf(deps.db, id) : undefined;
  // A draft is the educator's alone, as its page is (attack review s18, S1): staff cannot withdraw one.
  if (!owner || owner.state === 'draft') throw elarErrors.applicationNotFound();
  if (owner.person_sub === actor.sub) throw elarErrors.ownApplication();
  return applyStaffTransition(deps, { kind: 'staff', ...actor }, id, name, { reason, expectedVersion });
}

export interface QueueEntry {
  id: string;
  reference: string;
  state: ApplicationState;
  stateName: string;
  submittedAt: Date;
  licenses: string[];
}

/** Reads a queue cursor from the address; anything else is not one of ours (null: malformed). */
export function parseCursor(value: string): QueueCursor | null {
  const match = CURSOR.exec(value);
  if (!match) return null;
  const millis = `${match[1]!.slice(0, 20)}${match[2]!}Z`;
  const at = new Date(millis);
  if (Number.isNaN(at.getTime()) || at.toISOString() !== millis) return null;
  return { submittedAt: match[1]!, id: match[3]! };
}

/** A page of the queue, oldest submission first, and the cursor of the next page if there is one. */
export async function queue(
  db: ElarDb,
  after: QueueCursor | null,
): Promise<{ entries: QueueEntry[]; next: string | null }> {
  const { rows, more } = await queuePage(db, after, QUEUE_PAGE_SIZE);
  const licenses = await licensesAskedFor(
    db,
    rows.map((r) => r.id),
  );
  const entries = rows.map((row) => ({
    id: row.id,
    reference: row.reference,
    state: row.state,
    stateName: STATE_WORDS[row.state].name,
    submittedAt: row.submitted_at,
    licenses: (licenses.get(row.id) ?? []).map((l) => l.name),
  }));
  const last = rows.at(-1);
  return { entries, next: more && last ? `${last.cursor_at}_${last.id}` : null };
}
