import assert from 'node:assert/strict';
import { insertDepartmentRole } from '../../../src/directory/department-roles/repository.ts';
import {
  DEFAULT_APPLICATION_SETTINGS,
  GATE_ITEMS,
  markPaid,
  reportGateItems,
  submit,
  type ApplicationState,
} from '../../../src/elar/applications/index.ts';
import type { Browser } from '../../helpers/portal.ts';
import { profilesFor, signInToElar, type TestElar } from '../../helpers/elar.ts';
import { completeDraft, INITIAL_TEACHER_LICENSES } from '../applications/helpers.ts';

/**
 * The people of a staff scene, with department roles granted as the console grants them
 * (so they reach ELAR in the `roles` claim), and applications brought to a state the way
 * the educator and the payment would bring them.
 */
export const STAFF_PEOPLE = [
  'educator',
  'stranger',
  'evaluator',
  'supervisor',
  'payments',
  'evaluatorApplicant',
] as const;
export type StaffPerson = (typeof STAFF_PEOPLE)[number];
const ROLES: Partial<Record<StaffPerson, 'licensure-evaluator' | 'licensure-supervisor' | 'payments'>> = {
  evaluator: 'licensure-evaluator',
  supervisor: 'licensure-supervisor',
  payments: 'payments',
  evaluatorApplicant: 'licensure-evaluator',
};

export async function staffScene(elar: TestElar, seed: number) {
  const people = await profilesFor(elar, STAFF_PEOPLE, seed);
  for (const [person, role] of Object.entries(ROLES))
    await insertDepartmentRole(elar.portal.db, { profileId: people[person as StaffPerson].sub, role, grantedBy: null });
  const deps = { db: elar.db, settings: DEFAULT_APPLICATION_SETTINGS };
  let serial = 0;
  const held = new Map<StaffPerson, number>();
  let ips = 0;
  return {
    people,
    deps,
    /** A browser signed in to ELAR as this person. */
    async signedIn(who: StaffPerson): Promise<Browser> {
      ips += 1;
      const b = elar.browser(`10.${seed}.${Math.floor(ips / 200)}.${(ips % 200) + 1}`);
      const page = await signInToElar(b, people[who].userName);
      assert.equal(page.status, 200);
      return b;
    },
    /**
     * A sent, paid application of `who`, Ready for Review (gate items on file) or Not Ready.
     * `catalogCode` defaults to a license of its own for this person, so one person may hold many.
     */
    async application(
      who: StaffPerson,
      { ready = true, pay = true, catalogCode }: { ready?: boolean; pay?: boolean; catalogCode?: string } = {},
    ): Promise<{ id: string; reference: string; state: ApplicationState }> {
      serial += 1;
      const person = { sub: people[who].sub, mepid: null, email: null };
      const nth = held.get(who) ?? 0;
      held.set(who, nth + 1);
      const license = catalogCode
        ? { catalogCode, typeCode: 'INI', route: 'PREP' }
        : INITIAL_TEACHER_LICENSES[nth % INITIAL_TEACHER_LICENSES.length]!;
      const draft = await completeDraft(deps, person, [license]);
      if (ready) await reportGateItems(deps, person.sub, draft.id, GATE_ITEMS);
      const sent = await submit(deps, person, draft.id);
      if (!pay) return { id: draft.id, reference: draft.reference, state: sent.state };
      const paid = await elar.db
        .transaction()
        .execute((trx) => markPaid(trx, deps.settings, draft.id, `test-payment-${seed}-${serial}`));
      return { id: draft.id, reference: draft.reference, state: paid.state };
    },
    async stateOf(id: string) {
      const row = await elar.db
        .selectFrom('application')
        .select(['state', 'version'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return row;
    },
    async timelineOf(id: string) {
      return elar.db
        .selectFrom('application_event')
        .select(['transition', 'actor', 'reason'])
        .where('application_id', '=', id)
        .orderBy('id')
        .execute();
    },
  };
}

/** The version a staff page's action form carries. */
export function versionOn(body: string): string {
  const version = /name="version" value="(\d+)"/.exec(body)?.[1];
  assert.ok(version, 'the page has an action form with the version it shows');
  return version;
}
