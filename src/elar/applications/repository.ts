import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { ElarDatabase } from '../schema.ts';
import type { FeeSchedule } from './fees.ts';
import type { ApplicationState, TransitionStamps } from './transitions.ts';

/**
 * The application tables' SQL, and nothing else: no rule is decided here. Every function
 * takes the handle or the caller's transaction (a Transaction is a Kysely).
 */
type Db = Kysely<ElarDatabase>;

/** A license asked for, in the catalog's codes: the license (offering), its type and the route to it. */
export interface LicenseRequest {
  catalogCode: string;
  typeCode: string;
  route: string;
}

const APPLICATION_COLUMNS = [
  'id',
  'reference',
  'person_sub',
  'person_mepid',
  'contact_email',
  'state',
  'version',
  'fee_cents',
  'fee_schedule_version',
  'payment_ref',
  'created_at',
  'updated_at',
  'submitted_at',
  'paid_at',
  'decided_at',
  'draft_expires_at',
] as const;

export async function insertApplication(
  trx: Db,
  row: { personSub: string; personMepid: string | null; contactEmail: string | null; draftExpiresAt: Date },
) {
  return trx
    .insertInto('application')
    .values({
      person_sub: row.personSub,
      person_mepid: row.personMepid,
      contact_email: row.contactEmail,
      draft_expires_at: row.draftExpiresAt,
    })
    .returning(['id', 'reference', 'state', 'version'])
    .executeTakeFirstOrThrow();
}

/** Replaces the licenses of an application (they are few, and their order is the person's). */
export async function replaceLicenses(trx: Db, applicationId: string, personSub: string, licenses: LicenseRequest[]) {
  await trx.deleteFrom('application_license').where('application_id', '=', applicationId).execute();
  if (licenses.length === 0) return;
  await trx
    .insertInto('application_license')
    .values(
      licenses.map((license, i) => ({
        application_id: applicationId,
        position: i + 1,
        person_sub: personSub,
        catalog_code: license.catalogCode,
        type_code: license.typeCode,
        route: license.route,
      })),
    )
    .execute();
}

export async function findApplication(db: Db, id: string) {
  return db.selectFrom('application').select(APPLICATION_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/**
 * The application, its row locked until the caller's transaction ends: whatever decides a
 * transition (sections, gate items) is read after any change to them has committed, and a
 * change to them waits for the transition.
 */
export async function lockApplication(trx: Db, id: string) {
  return trx.selectFrom('application').select(APPLICATION_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function findOwnedApplication(db: Db, id: string, personSub: string) {
  return db
    .selectFrom('application')
    .select(APPLICATION_COLUMNS)
    .where('id', '=', id)
    .where('person_sub', '=', personSub)
    .executeTakeFirst();
}

export type ApplicationRow = NonNullable<Awaited<ReturnType<typeof findApplication>>>;

/**
 * Each license asked for with the catalog's names for it (the license, its type and the
 * route): the one column list of every reader of an application's licenses.
 */
function licensesNamed(db: Db) {
  return db
    .selectFrom('application_license as al')
    .innerJoin('license_offering as o', 'o.code', 'al.catalog_code')
    .innerJoin('license_type as t', 't.code', 'al.type_code')
    .select((eb) => [
      'al.application_id',
      'al.position',
      'al.catalog_code',
      'al.type_code',
      'al.route',
      'o.kind',
      'o.name as field',
      'o.grade_level',
      't.name as type_name',
      eb
        .selectFrom('requirement as r')
        .select((r) => r.fn.max('r.route_name').as('route_name'))
        .whereRef('r.type_code', '=', 'al.type_code')
        .whereRef('r.route_code', '=', 'al.route')
        .as('route_name'),
    ]);
}

/** The licenses of these applications, in the person's order, with the catalog's names for them. */
export async function licensesOf(db: Db, applicationIds: readonly string[]) {
  if (applicationIds.length === 0) return [];
  return licensesNamed(db)
    .where('al.application_id', 'in', applicationIds)
    .orderBy('al.application_id')
    .orderBy('al.position')
    .execute();
}

/** Where a query over `application as a` reads each application's own rows from. */
type OfApplication = ExpressionBuilder<ElarDatabase & { a: ElarDatabase['application'] }, 'a'>;

/** An application's licenses as `licensesOf` reads them, as a JSON array beside its row (dates stay text). */
function licensesOfEach(db: Db, eb: OfApplication) {
  return jsonArrayFrom(licensesNamed(db).where('al.application_id', '=', eb.ref('a.id')).orderBy('al.position'));
}

const APPLICATION_COLUMNS_OF_A = APPLICATION_COLUMNS.map((column) => `a.${column}` as const);

/** A license as it travels inside a JSON array beside its application (the columns of `licensesOf`). */
interface LicenseJson {
  catalog_code: string;
  type_code: string;
  route: string;
  kind: ElarDatabase['license_offering']['kind'];
  field: string;
  grade_level: string | null;
  type_name: string;
  route_name: string | null;
}

/**
 * A person's applications, newest first, each with its licenses: one round trip however many
 * they have (the dashboard's list). The licenses are named in one join over all of the
 * person's applications, not a subquery per application: ten times fewer plan nodes run
 * for 50 applications, which on the embedded database is most of the cost.
 */
export async function applicationsWithLicensesOf(db: Db, personSub: string) {
  return db
    .selectFrom('application as a')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('application as owned')
          .innerJoin('application_license as al', 'al.application_id', 'owned.id')
          .innerJoin('license_offering as o', 'o.code', 'al.catalog_code')
          .innerJoin('license_type as t', 't.code', 'al.type_code')
          .leftJoin(
            (r) =>
              r
                .selectFrom('requirement')
                .select(['type_code', 'route_code', (q) => q.fn.max('route_name').as('route_name')])
                .groupBy(['type_code', 'route_code'])
                .as('r'),
            (join) => join.onRef('r.type_code', '=', 'al.type_code').onRef('r.route_code', '=', 'al.route'),
          )
          .select([
            'al.application_id',
            sql<LicenseJson[]>`json_agg(json_build_object(
              'catalog_code', al.catalog_code, 'type_code', al.type_code, 'route', al.route, 'kind', o.kind,
              'field', o.name, 'grade_level', o.grade_level, 'type_name', t.name, 'route_name', r.route_name
            ) ORDER BY al.position)`.as('licenses'),
          ])
          .where('owned.person_sub', '=', personSub)
          .groupBy('al.application_id')
          .as('l'),
      (join) => join.onRef('l.application_id', '=', 'a.id'),
    )
    .select(APPLICATION_COLUMNS_OF_A)
    .select(sql<LicenseJson[]>`coalesce(l.licenses, '[]')`.as('licenses'))
    .where('a.person_sub', '=', personSub)
    .orderBy('a.created_at', 'desc')
    .orderBy('a.reference', 'desc')
    .execute();
}

/**
 * One application of its owner's with everything its page shows, in one round trip rather
 * than six (issue 13: the page's cost was its queries' round trips, not the database's
 * size): its licenses, sections, gate items and timeline as JSON arrays beside the row, and
 * the fee schedules only while no fee is kept (a draft's page quotes one). Timestamps inside
 * the arrays are ISO 8601 text.
 */
export async function ownedApplicationPage(db: Db, id: string, personSub: string) {
  return db
    .selectFrom('application as a')
    .select(APPLICATION_COLUMNS_OF_A)
    .select((eb) => [
      licensesOfEach(db, eb).as('licenses'),
      jsonArrayFrom(
        eb
          .selectFrom('application_section as s')
          .select(['s.section', 's.answers', 's.complete'])
          .whereRef('s.application_id', '=', 'a.id'),
      ).as('sections'),
      jsonArrayFrom(
        eb
          .selectFrom('application_gate_item as g')
          .select(['g.item', 'g.reported_at'])
          .whereRef('g.application_id', '=', 'a.id')
          .orderBy('g.item'),
      ).as('gate_items'),
      jsonArrayFrom(
        eb
          .selectFrom('application_event as e')
          .select([sql<string>`e.id::text`.as('id'), 'e.to_state', 'e.transition', 'e.reason', 'e.at'])
          .whereRef('e.application_id', '=', 'a.id')
          .orderBy('e.id'),
      ).as('timeline'),
      jsonArrayFrom(
        eb
          .selectFrom('fee_schedule as f')
          .selectAll('f')
          .where(sql<boolean>`a.fee_cents IS NULL OR a.fee_schedule_version IS NULL`)
          .orderBy('f.version'),
      ).as('fee_schedules'),
    ])
    .where('a.id', '=', id)
    .where('a.person_sub', '=', personSub)
    .executeTakeFirst();
}

/** The person's open application for this license, if any. */
export async function openApplicationFor(db: Db, personSub: string, catalogCode: string) {
  return db
    .selectFrom('application_license')
    .innerJoin('application', 'application.id', 'application_license.application_id')
    .select(['application.id', 'application.reference', 'application.state'])
    .where('application_license.person_sub', '=', personSub)
    .where('application_license.catalog_code', '=', catalogCode)
    .where('application_license.open', '=', true)
    .executeTakeFirst();
}

export async function sectionsOf(db: Db, applicationId: string) {
  return db
    .selectFrom('application_section')
    .select(['section', 'answers', 'complete', 'updated_at'])
    .where('application_id', '=', applicationId)
    .execute();
}

export async function saveSectionAnswers(
  trx: Db,
  applicationId: string,
  section: string,
  answers: unknown,
  complete: boolean,
) {
  await trx
    .insertInto('application_section')
    .values({ application_id: applicationId, section, answers: JSON.stringify(answers), complete })
    .onConflict((oc) =>
      oc.columns(['application_id', 'section']).doUpdateSet({
        answers: JSON.stringify(answers),
        complete,
        updated_at: sql`now()`,
      }),
    )
    .execute();
}

export async function markSectionIncomplete(trx: Db, applicationId: string, section: string) {
  await trx
    .updateTable('application_section')
    .set({ complete: false, updated_at: sql`now()` })
    .where('application_id', '=', applicationId)
    .where('section', '=', section)
    .execute();
}

/**
 * A change to a draft's content counts as a change to the application: its version moves
 * and the row is locked until the change commits, so a submit working from what it read
 * before cannot pass over it. Only the owner's drafts; undefined otherwise.
 */
export async function touchDraft(trx: Db, applicationId: string, personSub: string) {
  return trx
    .updateTable('application')
    .set({ version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', applicationId)
    .where('person_sub', '=', personSub)
    .where('state', '=', 'draft')
    .returning(['version'])
    .executeTakeFirst();
}

export async function setContactEmail(trx: Db, applicationId: string, email: string | null) {
  await trx.updateTable('application').set({ contact_email: email }).where('id', '=', applicationId).execute();
}

export async function gateItemsOf(db: Db, applicationId: string) {
  const rows = await db
    .selectFrom('application_gate_item')
    .select(['item', 'reported_at'])
    .where('application_id', '=', applicationId)
    .orderBy('item')
    .execute();
  return rows;
}

export async function reportGateItems(trx: Db, applicationId: string, items: readonly string[]) {
  if (items.length === 0) return;
  await trx
    .insertInto('application_gate_item')
    .values(items.map((item) => ({ application_id: applicationId, item })))
    .onConflict((oc) => oc.columns(['application_id', 'item']).doNothing())
    .execute();
}

/**
 * The one write of `state`: only from the state and version the caller read. Undefined when
 * someone else moved the application first.
 */
export async function moveState(
  trx: Db,
  move: { id: string; from: ApplicationState; version: number; to: ApplicationState; stamps: TransitionStamps },
) {
  return trx
    .updateTable('application')
    .set({ ...move.stamps, state: move.to, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', move.id)
    .where('state', '=', move.from)
    .where('version', '=', move.version)
    .returning(['state', 'version'])
    .executeTakeFirst();
}

export async function setLicensesOpen(trx: Db, applicationId: string, open: boolean) {
  await trx.updateTable('application_license').set({ open }).where('application_id', '=', applicationId).execute();
}

export async function insertEvent(
  trx: Db,
  event: {
    applicationId: string;
    from: ApplicationState | null;
    to: ApplicationState;
    transition: string;
    textKey: string;
    actor: string;
    reason: string | null;
  },
): Promise<string> {
  // A person's entries take their ids in the order they commit: the live-status stream sends
  // what comes after the last id it sent, and an entry given a smaller id but committed later
  // (two of the person's applications changing at once) would never be sent. The lock is the
  // person's, held to the commit, so their changes take ids one after another.
  await trx
    .selectFrom('application')
    .select(sql`pg_advisory_xact_lock(hashtextextended('elar.timeline ' || person_sub, 0))`.as('locked'))
    .where('id', '=', event.applicationId)
    .execute();
  const row = await trx
    .insertInto('application_event')
    .values({
      application_id: event.applicationId,
      from_state: event.from,
      to_state: event.to,
      transition: event.transition,
      text_key: event.textKey,
      actor: event.actor,
      reason: event.reason,
    })
    .returning(sql<string>`id::text`.as('id'))
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Claims a timeline event for telling its person: true for exactly one caller. */
export async function claimEventNotification(trx: Db, eventId: string) {
  const row = await trx
    .updateTable('application_event')
    .set({ notified_at: sql`now()` })
    .where(sql<boolean>`id = ${eventId}::bigint`)
    .where('notified_at', 'is', null)
    .returning(['application_id', 'to_state', 'transition'])
    .executeTakeFirst();
  return row;
}

/** A fee schedule row, read directly (dates) or inside a JSON array (ISO text). */
export function feeScheduleOf(row: {
  version: number;
  first_license_cents: number;
  additional_license_cents: number;
  effective_from: Date | string;
  effective_to: Date | string | null;
}): FeeSchedule {
  return {
    version: row.version,
    firstLicenseCents: row.first_license_cents,
    additionalLicenseCents: row.additional_license_cents,
    effectiveFrom: new Date(row.effective_from),
    effectiveTo: row.effective_to === null ? null : new Date(row.effective_to),
  };
}

export async function feeSchedules(db: Db): Promise<FeeSchedule[]> {
  const rows = await db.selectFrom('fee_schedule').selectAll().orderBy('version').execute();
  return rows.map(feeScheduleOf);
}

/** The first license's fee on the schedule version the application kept at submission (none before). */
export async function keptFirstLicenseCents(db: Db, applicationId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('application as a')
    .innerJoin('fee_schedule as f', 'f.version', 'a.fee_schedule_version')
    .select('f.first_license_cents')
    .where('a.id', '=', applicationId)
    .executeTakeFirst();
  return row?.first_license_cents;
}

/** Ends the open-ended schedule at `from` and starts a new version there. */
export async function addFeeSchedule(
  trx: Db,
  schedule: { firstLicenseCents: number; additionalLicenseCents: number; effectiveFrom: Date },
): Promise<number> {
  await trx
    .updateTable('fee_schedule')
    .set({ effective_to: schedule.effectiveFrom })
    .where('effective_to', 'is', null)
    .execute();
  const row = await trx
    .insertInto('fee_schedule')
    .values((eb) => ({
      version: eb.selectFrom('fee_schedule').select(sql<number>`coalesce(max(version), 0) + 1`.as('v')),
      first_license_cents: schedule.firstLicenseCents,
      additional_license_cents: schedule.additionalLicenseCents,
      effective_from: schedule.effectiveFrom,
    }))
    .returning('version')
    .executeTakeFirstOrThrow();
  return row.version;
}

/** Drafts whose deletion date falls in (now + fromDays, now + toDays] and that have no notice of this kind yet. */
export async function draftsToRemind(db: Db, kind: string, fromDays: number, toDays: number, limit: number) {
  return db
    .selectFrom('application')
    .select(['id', 'reference', 'person_sub', 'contact_email', 'draft_expires_at'])
    .where('state', '=', 'draft')
    .where('draft_expires_at', '>', sql<Date>`now() + make_interval(days => ${fromDays})`)
    .where('draft_expires_at', '<=', sql<Date>`now() + make_interval(days => ${toDays})`)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('notice')
            .select('notice.id')
            .whereRef('notice.application_reference', '=', 'application.reference')
            .where('notice.kind', '=', kind),
        ),
      ),
    )
    .orderBy('draft_expires_at')
    .limit(limit)
    .execute();
}

export async function expiredDraftIds(db: Db, limit: number) {
  const rows = await db
    .selectFrom('application')
    .select('id')
    .where('state', '=', 'draft')
    .where('draft_expires_at', '<=', sql<Date>`now()`)
    .orderBy('draft_expires_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Deletes a draft still expired and still a draft when the delete runs (it may have been submitted since it was listed). */
export async function deleteExpiredDraft(trx: Db, id: string) {
  return trx
    .deleteFrom('application')
    .where('id', '=', id)
    .where('state', '=', 'draft')
    .where('draft_expires_at', '<=', sql<Date>`now()`)
    .returning(['id', 'reference', 'person_sub', 'contact_email'])
    .executeTakeFirst();
}

/** Adds a notice once per application and kind; true when this call added it. */
export async function addNotice(
  trx: Db,
  notice: { personSub: string; applicationId: string | null; reference: string; kind: string; text: string },
): Promise<boolean> {
  const row = await trx
    .insertInto('notice')
    .values({
      person_sub: notice.personSub,
      application_id: notice.applicationId,
      application_reference: notice.reference,
      kind: notice.kind,
      text: notice.text,
    })
    .onConflict((oc) => oc.columns(['application_reference', 'kind']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function noticesOf(db: Db, personSub: string) {
  return db
    .selectFrom('notice')
    .select([sql<string>`id::text`.as('id'), 'application_id', 'application_reference', 'kind', 'text', 'created_at'])
    .where('person_sub', '=', personSub)
    .where('read_at', 'is', null)
    .orderBy('created_at', 'desc')
    .execute();
}

/**
 * A person's timeline entries after `afterId`, oldest first, with what a page needs to show
 * them: what the live-status stream sends. `afterId` is a timeline id (bigint, as text).
 */
export async function personEventsSince(db: Db, personSub: string, afterId: string, limit: number) {
  return db
    .selectFrom('application_event as e')
    .innerJoin('application as a', 'a.id', 'e.application_id')
    .select([
      sql<string>`e.id::text`.as('id'),
      'e.application_id',
      'a.reference',
      'e.to_state',
      'e.transition',
      'e.reason',
      'e.at',
    ])
    .where('a.person_sub', '=', personSub)
    .where(sql<boolean>`e.id > ${afterId}::bigint`)
    .orderBy('e.id')
    .limit(limit)
    .execute();
}

/** The id of a person's newest timeline entry ('0' when there is none): where a fresh stream starts. */
export async function lastPersonEventId(db: Db, personSub: string): Promise<string> {
  const row = await db
    .selectFrom('application_event as e')
    .innerJoin('application as a', 'a.id', 'e.application_id')
    .select(sql<string>`coalesce(max(e.id), 0)::text`.as('id'))
    .where('a.person_sub', '=', personSub)
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * The newest timeline entry of each of a person's applications, in one read: what a list of
 * them says changed last, and where that page's live-status stream starts.
 */
export async function latestEventsOf(db: Db, personSub: string) {
  return db
    .selectFrom('application_event as e')
    .innerJoin('application as a', 'a.id', 'e.application_id')
    .distinctOn('e.application_id')
    .select([sql<string>`e.id::text`.as('id'), 'e.application_id', 'e.transition', 'e.at'])
    .where('a.person_sub', '=', personSub)
    .orderBy('e.application_id')
    .orderBy('e.id', 'desc')
    .execute();
}
