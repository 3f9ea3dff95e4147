import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { FieldErrors } from '../../platform/views/form.tsx';
import { audit } from '../audit-events.ts';
import { elarErrors } from '../errors.ts';
import type { ElarDatabase, ElarDb } from '../schema.ts';
import { applyTransition, factsAbout } from './apply-transition.ts';
import { checkAgainstCatalog } from './task-list/license-choice.ts';
import { licenseRowTitle, routeTitle } from './task-list/license-names.ts';
import { quoteFee, scheduleInForce, type FeeQuote } from './fees.ts';
import { notifyStatusChange } from './notify.ts';
import * as repo from './repository.ts';
import { checkDraft, checkSection, isSectionName, TASK_LIST, type SectionName } from './sections.ts';
import type { ApplicationSettings } from './settings.ts';
import type { ApplicationState, TransitionActor, TransitionName } from './transitions.ts';
import { GATE_ITEMS, STARTED_WORDS, STATE_WORDS, TRANSITION_WORDS, type GateItem } from './wording.ts';

/**
 * Applying for a license: the rules over the repository, each change in one transaction.
 * A person reaches only their own applications: anyone else's, like one that does not
 * exist, is the same 404, so ids cannot be probed.
 */

export interface ApplicationDeps {
  db: ElarDb;
  settings: ApplicationSettings;
}

/** Who is applying, as ELAR's session knows them from the portal's claims. */
export interface Applicant {
  sub: string;
  mepid: string | null;
  email: string | null;
  /** Shown on the personal details page, never asked: the portal's profile is where they change. */
  name?: string | null;
  /** YYYY-MM-DD (the `birthdate` claim). */
  birthdate?: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_MS = 86_400_000;

/** A catalog code as typed or carried in a form: read in capitals, as the catalog writes them. */
const catalogCode = (required: string, malformed: string) =>
  z
    .string({ error: required })
    .trim()
    .min(1, required)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, malformed)
    .transform((code) => code.toUpperCase());

const licenseRequests = z
  .array(
    z.object({
      catalogCode: catalogCode('Choose a license', 'Choose a license from the list'),
      typeCode: catalogCode('Choose the type of license', 'Choose a type of license from the list'),
      route: catalogCode('Choose a route', 'Choose a route from the list'),
    }),
    { error: 'Choose at least one license' },
  )
  .min(1, 'Choose at least one license')
  .max(10, 'Choose 10 licenses at most in one application')
  .refine((list) => new Set(list.map((l) => l.catalogCode)).size === list.length, 'Choose each license only once');

/** The licenses asked for: well formed, then each one the catalog issues (license, type, route). */
async function checkLicenses(
  db: ElarDb,
  input: unknown,
): Promise<{ ok: true; licenses: repo.LicenseRequest[] } | { ok: false; errors: FieldErrors }> {
  const result = licenseRequests.safeParse(input);
  if (!result.success) {
    const errors: FieldErrors = {};
    for (const issue of result.error.issues) errors[issue.path.map(String).join('.') || 'licenses'] ??= issue.message;
    return { ok: false, errors };
  }
  const errors = await checkAgainstCatalog(db, result.data);
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, licenses: result.data };
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

/** The person's open application for one of these licenses, as the refusal to start another. */
async function alreadyOpen(db: ElarDb, personSub: string, licenses: repo.LicenseRequest[]) {
  for (const license of licenses) {
    const open = await repo.openApplicationFor(db, personSub, String(license.catalogCode).toUpperCase());
    if (open) return elarErrors.licenseAlreadyOpen(open.reference);
  }
  return elarErrors.licenseAlreadyOpen(undefined);
}

/** Starts a draft for one or more licenses. Kept `draftKeepDays` from now unless submitted. */
export async function startDraft(
  deps: ApplicationDeps,
  person: Applicant,
  input: unknown,
): Promise<{ ok: true; id: string; reference: string } | { ok: false; errors: FieldErrors }> {
  const checked = await checkLicenses(deps.db, input);
  if (!checked.ok) return checked;
  try {
    const started = await deps.db.transaction().execute(async (trx) => {
      const application = await repo.insertApplication(trx, {
        personSub: person.sub,
        personMepid: person.mepid,
        contactEmail: person.email,
        draftExpiresAt: new Date(Date.now() + deps.settings.draftKeepDays * DAY_MS),
      });
      // The unique partial index refuses a second open application for a license, whoever races.
      await repo.replaceLicenses(trx, application.id, person.sub, checked.licenses);
      const eventId = await repo.insertEvent(trx, {
        applicationId: application.id,
        from: null,
        to: 'draft',
        transition: 'start',
        textKey: 'start',
        actor: `educator:${person.sub}`,
        reason: null,
      });
      await audit(trx, {
        type: 'elar.application.started',
        actorId: person.sub,
        subjectId: application.id,
        detail: { reference: application.reference, licenses: checked.licenses.length },
      });
      await notifyStatusChange(trx, { applicationId: application.id, eventId, person: person.sub });
      return application;
    });
    return { ok: true, id: started.id, reference: started.reference };
  } catch (error) {
    if (isUniqueViolation(error)) throw await alreadyOpen(deps.db, person.sub, checked.licenses);
    throw error;
  }
}

/** The fee schedule in force now: what a page states before anyone pays (the server's, never the browser's). */
export async function feeScheduleNow(deps: ApplicationDeps) {
  return scheduleInForce(await repo.feeSchedules(deps.db), new Date());
}

/** The person's open application for a license, to point them to it when they try to start another. */
export async function openApplicationForLicense(deps: ApplicationDeps, personSub: string, catalogCode: string) {
  return repo.openApplicationFor(deps.db, personSub, catalogCode.toUpperCase());
}

/** The owner's application, or the 404 everyone else gets. */
async function owned(db: Kysely<ElarDatabase>, personSub: string, id: string) {
  const application = UUID.test(id) ? await repo.findOwnedApplication(db, id, personSub) : undefined;
  if (!application) throw elarErrors.applicationNotFound();
  return application;
}

/**
 * A change to a draft's answers: the draft's version moves (and its row is locked) so a
 * submit cannot pass over it, and the affidavit, which swore to the answers as they were,
 * is unsigned.
 */
async function changeDraft(trx: Kysely<ElarDatabase>, person: Applicant, id: string, unsignAffidavit: boolean) {
  const touched = await repo.touchDraft(trx, id, person.sub);
  if (!touched) throw elarErrors.notADraft();
  if (unsignAffidavit) await repo.markSectionIncomplete(trx, id, 'affidavit');
}

/** Replaces the licenses asked for in a draft. */
export async function saveLicenses(
  deps: ApplicationDeps,
  person: Applicant,
  id: string,
  input: unknown,
): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  await owned(deps.db, person.sub, id);
  const checked = await checkLicenses(deps.db, input);
  if (!checked.ok) return checked;
  try {
    await deps.db.transaction().execute(async (trx) => {
      await changeDraft(trx, person, id, true);
      await repo.replaceLicenses(trx, id, person.sub, checked.licenses);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw await alreadyOpen(deps.db, person.sub, checked.licenses);
    throw error;
  }
  return { ok: true };
}

/** A change refused after its transaction began: thrown to roll it back (the draft's version and affidavit stay as they were). */
class DraftChangeRefused {
  constructor(readonly errors: FieldErrors) {}
}

/**
 * Adds one license to a draft. The draft's row is locked first (its version moves), so two
 * tabs adding at once each add theirs: neither replaces the list the other read.
 */
export async function addLicense(
  deps: ApplicationDeps,
  person: Applicant,
  id: string,
  input: unknown,
): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  await owned(deps.db, person.sub, id);
  // Only the new license is checked against the catalog: those already in the draft were when added.
  const checked = await checkLicenses(deps.db, [input]);
  if (!checked.ok) return checked;
  const added = checked.licenses[0]!;
  try {
    await deps.db.transaction().execute(async (trx) => {
      await changeDraft(trx, person, id, true);
      const held = (await repo.licensesOf(trx, [id])).map((l) => ({
        catalogCode: l.catalog_code,
        typeCode: l.type_code,
        route: l.route,
      }));
      if (held.some((l) => l.catalogCode === added.catalogCode)) {
        throw new DraftChangeRefused({ '0.catalogCode': 'This application already asks for that license' });
      }
      if (held.length >= 10) {
        throw new DraftChangeRefused({ licenses: 'Choose 10 licenses at most in one application' });
      }
      await repo.replaceLicenses(trx, id, person.sub, [...held, added]);
    });
  } catch (error) {
    if (error instanceof DraftChangeRefused) return { ok: false, errors: error.errors };
    if (isUniqueViolation(error)) throw await alreadyOpen(deps.db, person.sub, [added]);
    throw error;
  }
  return { ok: true };
}

/** Takes one license out of a draft; a draft keeps one license at least. */
export async function removeLicense(
  deps: ApplicationDeps,
  person: Applicant,
  id: string,
  catalogCode: string,
): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  await owned(deps.db, person.sub, id);
  try {
    await deps.db.transaction().execute(async (trx) => {
      await changeDraft(trx, person, id, true);
      const held = await repo.licensesOf(trx, [id]);
      const kept = held.filter((l) => l.catalog_code !== catalogCode.toUpperCase());
      if (kept.length === held.length) {
        throw new DraftChangeRefused({ license: 'That license is not in this application' });
      }
      if (kept.length === 0) {
        throw new DraftChangeRefused({
          license: 'An application asks for one license at least: add another before you remove this one',
        });
      }
      await repo.replaceLicenses(
        trx,
        id,
        person.sub,
        kept.map((l) => ({ catalogCode: l.catalog_code, typeCode: l.type_code, route: l.route })),
      );
    });
  } catch (error) {
    if (error instanceof DraftChangeRefused) return { ok: false, errors: error.errors };
    throw error;
  }
  return { ok: true };
}

/**
 * Saves one section's answers. Finished (`complete`, "Save and continue") the whole section
 * must be answered; as a draft, whatever is given is kept and the section stays in
 * progress. Answers that break a rule are not saved and come back as field errors. The
 * affidavit is always finished: signed, or not saved.
 */
export async function saveSection<S extends SectionName>(
  deps: ApplicationDeps,
  person: Applicant,
  id: string,
  section: S,
  input: unknown,
  { complete = true }: { complete?: boolean } = {},
): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  if (!isSectionName(section)) throw elarErrors.applicationNotFound();
  await owned(deps.db, person.sub, id);
  const finished = section === 'affidavit' || complete;
  const checked = finished ? checkSection(section, input) : checkDraft(section, input);
  if (!checked.ok) return checked;
  await deps.db.transaction().execute(async (trx) => {
    await changeDraft(trx, person, id, section !== 'affidavit');
    await repo.saveSectionAnswers(trx, id, section, checked.answers, finished);
    if (section === 'personal-details') {
      const { email } = checked.answers as { email?: string | null };
      await repo.setContactEmail(trx, id, email ?? person.email);
    }
  });
  return { ok: true };
}

export interface ApplicationSummary {
  id: string;
  reference: string;
  state: ApplicationState;
  stateName: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date | null;
  draftExpiresAt: Date | null;
  feeCents: number | null;
  /** In the person's order; `name` and `routeName` are the catalog's words for them. */
  licenses: { catalogCode: string; typeCode: string; route: string; name: string; routeName: string }[];
}

/** An application's licenses as the repository reads them (alone, or as JSON beside the application). */
type LicenseRow = Pick<
  Awaited<ReturnType<typeof repo.licensesOf>>[number],
  'catalog_code' | 'type_code' | 'route' | 'kind' | 'field' | 'grade_level' | 'type_name' | 'route_name'
>;

/** `licenses` are this application's own, in the person's order. */
function summarize(row: repo.ApplicationRow, licenses: readonly LicenseRow[]): ApplicationSummary {
  return {
    id: row.id,
    reference: row.reference,
    state: row.state,
    stateName: STATE_WORDS[row.state].name,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    submittedAt: row.submitted_at,
    draftExpiresAt: row.state === 'draft' ? row.draft_expires_at : null,
    feeCents: row.fee_cents,
    licenses: licenses.map(named),
  };
}

type NamedLicense = ApplicationSummary['licenses'][number];

/** A license asked for, named as every page names it: in the catalog's words, never its codes. */
function named(license: LicenseRow): NamedLicense {
  return {
    catalogCode: license.catalog_code,
    typeCode: license.type_code,
    route: license.route,
    name: licenseRowTitle(license),
    routeName: routeTitle(license.route_name, license.route),
  };
}

/**
 * The licenses asked for in these applications, whoever's they are, named as the applications'
 * own pages name them, by application in the order asked: one read for a page of applications
 * (the staff queue). An application with none has no entry.
 */
export async function licensesAskedFor(
  db: ElarDb,
  applicationIds: readonly string[],
): Promise<Map<string, NamedLicense[]>> {
  const rows = Map.groupBy(await repo.licensesOf(db, applicationIds), (l) => l.application_id);
  return new Map([...rows].map(([id, licenses]) => [id, licenses.map(named)]));
}

/** A person's applications, newest first, with their licenses. */
export async function listApplications(deps: ApplicationDeps, personSub: string): Promise<ApplicationSummary[]> {
  const rows = await repo.applicationsWithLicensesOf(deps.db, personSub);
  return rows.map((row) => summarize(row, row.licenses));
}

export interface ApplicationView extends ApplicationSummary {
  explanation: string;
  /** The fee kept since submission; for a draft, what it would be if submitted now. */
  fee: FeeQuote & { kept: boolean };
  sections: Record<string, { answers: unknown; complete: boolean }>;
  /** Where we write about it: the email given in personal details, else the profile's, if any. */
  contactEmail: string | null;
  taskList: { item: (typeof TASK_LIST)[number]; complete: boolean }[];
  gateItems: { item: GateItem; reportedAt: Date | null }[];
  /** The payment that paid its fee (its receipt), once paid. */
  paymentRef: string | null;
  timeline: { id: string; text: string; reason: string | null; at: Date; state: ApplicationState }[];
}

/** One application, for its owner only. */
export async function loadApplication(deps: ApplicationDeps, personSub: string, id: string): Promise<ApplicationView> {
  // One round trip for the page; a malformed id is the same 404 as anyone else's.
  const row = UUID.test(id) ? await repo.ownedApplicationPage(deps.db, id, personSub) : undefined;
  if (!row) throw elarErrors.applicationNotFound();
  const { licenses, sections, gate_items: gateItems, timeline } = row;
  const summary = summarize(row, licenses);
  const fee =
    row.fee_cents !== null && row.fee_schedule_version !== null
      ? { cents: row.fee_cents, scheduleVersion: row.fee_schedule_version, kept: true }
      : {
          ...quoteFee(
            scheduleInForce(row.fee_schedules.map(repo.feeScheduleOf), new Date()),
            Math.max(1, licenses.length),
          ),
          kept: false,
        };
  const bySection = Object.fromEntries(sections.map((s) => [s.section, { answers: s.answers, complete: s.complete }]));
  const reported = new Map(gateItems.map((g) => [g.item, new Date(g.reported_at)]));
  return {
    ...summary,
    explanation: STATE_WORDS[row.state].explanation,
    paymentRef: row.payment_ref,
    fee,
    sections: bySection,
    contactEmail: row.contact_email,
    taskList: TASK_LIST.map((item) => ({
      item,
      complete: item === 'licenses' ? licenses.length > 0 : bySection[item]?.complete === true,
    })),
    gateItems: GATE_ITEMS.map((item) => ({ item, reportedAt: reported.get(item) ?? null })),
    timeline: timeline.map((e) => ({
      id: e.id,
      text: e.transition === 'start' ? STARTED_WORDS : TRANSITION_WORDS[e.transition as TransitionName],
      reason: e.reason,
      at: new Date(e.at),
      state: e.to_state,
    })),
  };
}

/**
 * Sends a draft: every section complete and the affidavit signed; the fee quoted now from
 * the schedule in force, and kept. The draft moves to awaiting payment.
 */
export async function submit(deps: ApplicationDeps, person: Applicant, id: string, expectedVersion?: number) {
  await owned(deps.db, person.sub, id);
  return deps.db.transaction().execute(async (trx) => {
    // The draft is locked before its licenses are read: a license added in another tab either
    // commits first and is quoted, or waits and finds the draft sent (attack review s18, S3).
    await repo.lockApplication(trx, id);
    const [licenses, schedules] = await Promise.all([repo.licensesOf(trx, [id]), repo.feeSchedules(trx)]);
    // Checked again at sending: the Department may have stopped offering one since it was added (S4).
    const withdrawn = Object.keys(
      await checkAgainstCatalog(
        trx,
        licenses.map((l) => ({ catalogCode: l.catalog_code, typeCode: l.type_code, route: l.route })),
      ),
    );
    if (withdrawn.length > 0) {
      const first = licenses[Number(withdrawn[0]!.split('.')[0])]!;
      throw elarErrors.licenseNoLongerOffered(named(first).name);
    }
    const quote = licenses.length > 0 ? quoteFee(scheduleInForce(schedules, new Date()), licenses.length) : undefined;
    return applyTransition(trx, deps.settings, {
      applicationId: id,
      name: 'submit',
      actor: { kind: 'educator', sub: person.sub },
      expectedVersion,
      inputs: quote ? { quote: { cents: quote.cents, scheduleVersion: quote.scheduleVersion } } : {},
    });
  });
}

/**
 * Records the payment of an application's fee, inside the payment's own transaction: it
 * becomes Not Ready or Ready for Review by its gate items. The same payment recorded again
 * changes nothing.
 */
export async function markPaid(
  trx: Kysely<ElarDatabase>,
  settings: ApplicationSettings,
  applicationId: string,
  paymentRef: string,
): Promise<{ state: ApplicationState; alreadyPaid: boolean; payable: boolean }> {
  const application = await repo.lockApplication(trx, applicationId);
  if (!application) throw elarErrors.applicationNotFound();
  if (application.payment_ref === paymentRef) return { state: application.state, alreadyPaid: true, payable: true };
  // Withdrawn (or paid otherwise) while a checkout was open: it no longer waits for this money.
  if (application.state !== 'awaiting-payment') return { state: application.state, alreadyPaid: false, payable: false };
  const facts = await factsAbout(trx, application, settings, null);
  const moved = await applyTransition(trx, settings, {
    applicationId,
    name: facts.gateItemsComplete ? 'payment-received-ready' : 'payment-received',
    actor: { kind: 'system', name: 'payments' },
    expectedVersion: application.version,
    inputs: { paymentRef },
  });
  return { state: moved.state, alreadyPaid: false, payable: true };
}

/** The educator withdraws their own open application; a reason is welcome but not required. */
export async function withdraw(
  deps: ApplicationDeps,
  personSub: string,
  id: string,
  { reason, expectedVersion }: { reason?: string | null; expectedVersion?: number } = {},
) {
  await owned(deps.db, personSub, id);
  return deps.db.transaction().execute((trx) =>
    applyTransition(trx, deps.settings, {
      applicationId: id,
      name: 'withdraw',
      actor: { kind: 'educator', sub: personSub },
      expectedVersion,
      reason,
    }),
  );
}

/** The educator asks for a denial to be reconsidered, within the window, saying why. */
export async function requestReconsideration(
  deps: ApplicationDeps,
  personSub: string,
  id: string,
  { reason, expectedVersion }: { reason: string; expectedVersion?: number },
) {
  await owned(deps.db, personSub, id);
  return deps.db.transaction().execute((trx) =>
    applyTransition(trx, deps.settings, {
      applicationId: id,
      name: 'request-reconsideration',
      actor: { kind: 'educator', sub: personSub },
      expectedVersion,
      reason,
    }),
  );
}

/** A Department staff member's transition (start review, decide, withdraw with a reason): the table decides who may. */
export async function applyStaffTransition(
  deps: ApplicationDeps,
  actor: Extract<TransitionActor, { kind: 'staff' }>,
  id: string,
  name: TransitionName,
  { reason, expectedVersion }: { reason?: string | null; expectedVersion?: number } = {},
) {
  if (!UUID.test(id)) throw elarErrors.applicationNotFound();
  return deps.db
    .transaction()
    .execute((trx) => applyTransition(trx, deps.settings, { applicationId: id, name, actor, expectedVersion, reason }));
}

const GATE_ITEMS_OPEN: readonly ApplicationState[] = ['draft', 'awaiting-payment', 'not-ready'];

/**
 * The person says gate items are on file. When that completes them for an application
 * that was Not Ready, it becomes Ready for Review in the same transaction.
 */
export async function reportGateItems(deps: ApplicationDeps, personSub: string, id: string, items: readonly string[]) {
  await owned(deps.db, personSub, id);
  const unknown = items.filter((item) => !(GATE_ITEMS as readonly string[]).includes(item));
  if (unknown.length > 0) {
    throw elarErrors.gateItemUnknown();
  }
  return deps.db.transaction().execute(async (trx) => {
    const application = await repo.lockApplication(trx, id);
    if (!application || !GATE_ITEMS_OPEN.includes(application.state)) {
      throw elarErrors.gateItemsClosed();
    }
    await repo.reportGateItems(trx, id, items);
    if (application.state !== 'not-ready') return { state: application.state };
    const facts = await factsAbout(trx, application, deps.settings, null);
    if (!facts.gateItemsComplete) return { state: application.state };
    const moved = await applyTransition(trx, deps.settings, {
      applicationId: id,
      name: 'gate-items-complete',
      actor: { kind: 'system', name: 'gate-items' },
      expectedVersion: application.version,
    });
    return { state: moved.state };
  });
}
