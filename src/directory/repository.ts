import { randomUUID } from 'node:crypto';
import { sql, type Insertable } from 'kysely';
import type { Application, ApplicationTable, Organization } from './schema.ts';
import type { Db } from '../database.ts';
import { isValidMepid, nameKey, type Profile } from '../portal/index.ts';
import type { Powers } from './policy.ts';
import { rolesOf as departmentRolesOf } from './department-roles/repository.ts';

/** SQL for organizations, applications, memberships, role grants and administrators. */

export const PAGE_SIZE = 25;

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pages: number;
}

function paged<T>(items: T[], total: number, page: number): Page<T> {
  return { items, total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}

/** For LIKE patterns built from what a person typed. */
function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

// Organizations

export function findOrganizationByCode(db: Db, code: string): Promise<Organization | undefined> {
  return db.selectFrom('organization').selectAll().where('code', '=', code).executeTakeFirst();
}

export function findOrganizationById(db: Db, id: string): Promise<Organization | undefined> {
  return db.selectFrom('organization').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Undefined when the code is taken. */
export function insertOrganization(
  db: Db,
  org: {
    code: string;
    name: string;
    type: Organization['type'];
    districtId: string | null;
    town: string | null;
    phone: string | null;
  },
): Promise<Organization | undefined> {
  return db
    .insertInto('organization')
    .values({
      id: randomUUID(),
      code: org.code,
      name: org.name,
      type: org.type,
      district_id: org.districtId,
      town: org.town,
      phone: org.phone,
    })
    .onConflict((oc) => oc.column('code').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function updateOrganization(
  db: Db,
  id: string,
  details: { name: string; town: string | null; phone: string | null; status: Organization['status'] },
): Promise<void> {
  await db
    .updateTable('organization')
    .set({ ...details, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export function schoolsOf(db: Db, districtId: string): Promise<Organization[]> {
  return db.selectFrom('organization').selectAll().where('district_id', '=', districtId).orderBy('name').execute();
}

export async function searchOrganizations(
  db: Db,
  q: string,
  page: number,
  onlyIds?: string[],
): Promise<Page<Organization>> {
  let query = db.selectFrom('organization');
  const term = q.trim();
  if (term) {
    query = /^\d+$/.test(term)
      ? query.where('code', 'like', `${escapeLike(term)}%`)
      : query.where(sql<string>`lower(name)`, 'like', `%${escapeLike(term.toLowerCase())}%`);
  }
  if (onlyIds) {
    if (onlyIds.length === 0) return paged([], 0, page);
    query = query.where((eb) => eb.or([eb('id', 'in', onlyIds), eb('district_id', 'in', onlyIds)]));
  }
  const [{ n }] = (await query.select((eb) => eb.fn.countAll<string>().as('n')).execute()) as [{ n: string }];
  const items = await query
    .selectAll()
    .orderBy('code')
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE)
    .execute();
  return paged(items, Number(n), page);
}

// Applications

export function listApplications(db: Db): Promise<Application[]> {
  return db.selectFrom('application').selectAll().orderBy('name').execute();
}

export function findApplication(db: Db, id: string): Promise<Application | undefined> {
  return db.selectFrom('application').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function upsertApplication(db: Db, app: Insertable<ApplicationTable>): Promise<void> {
  await db
    .insertInto('application')
    .values(app)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function updateApplication(
  db: Db,
  id: string,
  settings: Pick<
    Application,
    | 'name'
    | 'access'
    | 'roles'
    | 'redirect_uris'
    | 'post_logout_redirect_uris'
    | 'backchannel_logout_uri'
    | 'launch_url'
  >,
): Promise<void> {
  await db.updateTable('application').set(settings).where('id', '=', id).execute();
}

/** How many people hold this role of this application, in any organization. */
export async function countGrants(db: Db, applicationId: string, role: string): Promise<number> {
  const row = await db
    .selectFrom('role_grant')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('application_id', '=', applicationId)
    .where('role', '=', role)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// Memberships

/** `pending`: the membership waits for the person to confirm it (attack F2); otherwise it is confirmed now. */
export async function addMember(
  db: Db,
  organizationId: string,
  profileId: string,
  addedBy: string | null,
  workEmail: string | null = null,
  pending = false,
): Promise<boolean> {
  const result = await db
    .insertInto('organization_member')
    .values({
      organization_id: organizationId,
      profile_id: profileId,
      added_by: addedBy,
      work_email: workEmail,
      ...(pending ? { confirmed_at: null } : {}),
    })
    .onConflict((oc) => oc.columns(['organization_id', 'profile_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** The work email an administrator gave for someone already a member (a later "add" of the same person). */
export async function setWorkEmail(
  db: Db,
  organizationId: string,
  profileId: string,
  workEmail: string,
): Promise<void> {
  await db
    .updateTable('organization_member')
    .set({ work_email: workEmail })
    .where('organization_id', '=', organizationId)
    .where('profile_id', '=', profileId)
    .execute();
}

export function isMember(db: Db, organizationId: string, profileId: string): Promise<boolean> {
  return db
    .selectFrom('organization_member')
    .select('profile_id')
    .where('organization_id', '=', organizationId)
    .where('profile_id', '=', profileId)
    .executeTakeFirst()
    .then((row) => row !== undefined);
}

export type StaffRow = Pick<Profile, 'id' | 'user_name' | 'mepid' | 'first_name' | 'last_name' | 'status'>;
/** On an organization's page: where each person works (a district lists its schools' staff too) and their work email there. */
export type MemberRow = StaffRow & { organizations: string; work_email: string | null; pending: boolean };

/** The staff of these organizations (a district and its schools), each person once. */
export async function listStaff(db: Db, organizationIds: string[], q: string, page: number): Promise<Page<MemberRow>> {
  let query = db
    .selectFrom('organization_member')
    .innerJoin('profile', 'profile.id', 'organization_member.profile_id')
    .innerJoin('organization', 'organization.id', 'organization_member.organization_id')
    .where('organization_member.organization_id', 'in', organizationIds);
  const term = q.trim();
  if (term) {
    const like = `%${escapeLike(term.toLowerCase())}%`;
    query = query.where((eb) =>
      eb.or([
        eb(sql<string>`lower(profile.last_name)`, 'like', like),
        eb(sql<string>`lower(profile.first_name)`, 'like', like),
        eb(sql<string>`lower(profile.user_name)`, 'like', like),
        eb('profile.mepid', '=', term),
      ]),
    );
  }
  const [{ n }] = (await query.select(sql<string>`count(DISTINCT profile.id)`.as('n')).execute()) as [{ n: string }];
  const items = await query
    .select([
      'profile.id',
      'profile.user_name',
      'profile.mepid',
      'profile.first_name',
      'profile.last_name',
      'profile.status',
    ])
    .select([
      sql<string>`string_agg(organization.name, '; ' ORDER BY organization.code)`.as('organizations'),
      sql<string | null>`string_agg(organization_member.work_email, '; ' ORDER BY organization.code)`.as('work_email'),
      // Only waiting memberships here: the person is not yet within these administrators' reach.
      sql<boolean>`bool_and(organization_member.confirmed_at IS NULL)`.as('pending'),
    ])
    .groupBy('profile.id')
    .orderBy('profile.last_name')
    .orderBy('profile.first_name')
    .orderBy('profile.id')
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE)
    .execute();
  return paged(items, Number(n), page);
}

export type Membership = Organization & { work_email: string | null };

/** The organizations a person belongs to, as the policy needs them, with the work email there. */
export function organizationsOf(db: Db, profileId: string): Promise<Membership[]> {
  return db
    .selectFrom('organization_member')
    .innerJoin('organization', 'organization.id', 'organization_member.organization_id')
    .selectAll('organization')
    .select('organization_member.work_email')
    .where('organization_member.profile_id', '=', profileId)
    .orderBy('organization.code')
    .execute();
}

/**
 * The organizations that bring a person within an administrator's reach: where they are on
 * the staff or designated a Directory Administrator (so revoking the designation ends it).
 * A membership still waiting for the person to confirm it brings no reach (attack F2).
 */
export function reachOrganizationsOf(db: Db, profileId: string): Promise<Organization[]> {
  return db
    .selectFrom('organization')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom('organization_member')
            .select('profile_id')
            .whereRef('organization_member.organization_id', '=', 'organization.id')
            .where('organization_member.profile_id', '=', profileId)
            .where('organization_member.confirmed_at', 'is not', null),
        ),
        eb.exists(
          eb
            .selectFrom('directory_administrator')
            .select('profile_id')
            .whereRef('directory_administrator.organization_id', '=', 'organization.id')
            .where('directory_administrator.profile_id', '=', profileId),
        ),
      ]),
    )
    .orderBy('code')
    .execute();
}

/** Where a person holds powers: designations and role grants, in organizations of any status. */
export async function powersOf(db: Db, profile: Pick<Profile, 'id'>): Promise<Powers> {
  const refs = ['organization.id', 'organization.district_id', 'organization.status'] as const;
  const [departmentRoles, administers, rolesIn] = await Promise.all([
    departmentRolesOf(db, profile.id),
    db
      .selectFrom('directory_administrator')
      .innerJoin('organization', 'organization.id', 'directory_administrator.organization_id')
      .select(refs)
      .where('directory_administrator.profile_id', '=', profile.id)
      .execute(),
    db
      .selectFrom('role_grant')
      .innerJoin('organization', 'organization.id', 'role_grant.organization_id')
      .select(refs)
      .distinct()
      .where('role_grant.profile_id', '=', profile.id)
      .execute(),
  ]);
  return { departmentRoles, administers, rolesIn };
}

/** Ends a membership; the caller removes the person's roles there in the same transaction. */
export async function removeMember(db: Db, organizationId: string, profileId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('organization_member')
    .where('organization_id', '=', organizationId)
    .where('profile_id', '=', profileId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Deletes the person's role grants in the organization and returns what they were. */
export function deleteGrantsIn(
  db: Db,
  organizationId: string,
  profileId: string,
): Promise<Array<{ application_id: string; role: string }>> {
  return db
    .deleteFrom('role_grant')
    .where('organization_id', '=', organizationId)
    .where('profile_id', '=', profileId)
    .returning(['application_id', 'role'])
    .execute();
}

/** Everyone holding a role in the organization, by application (to end those applications' sign-ins). */
export function grantHoldersIn(
  db: Db,
  organizationId: string,
): Promise<Array<{ profile_id: string; application_id: string }>> {
  return db
    .selectFrom('role_grant')
    .select(['profile_id', 'application_id'])
    .distinct()
    .where('organization_id', '=', organizationId)
    .execute();
}

/** The staff an administrator picks from, e.g. to designate one (a long list is cut at `limit`). */
export function staffChoices(db: Db, organizationId: string, limit = 1000): Promise<StaffRow[]> {
  return db
    .selectFrom('organization_member')
    .innerJoin('profile', 'profile.id', 'organization_member.profile_id')
    .select([
      'profile.id',
      'profile.user_name',
      'profile.mepid',
      'profile.first_name',
      'profile.last_name',
      'profile.status',
    ])
    .where('organization_member.organization_id', '=', organizationId)
    .where('organization_member.confirmed_at', 'is not', null)
    .where('profile.status', '=', 'active')
    .orderBy('profile.last_name')
    .orderBy('profile.first_name')
    .limit(limit)
    .execute();
}

/** User Names typed by an administrator, whatever their case (the exact spelling wins where two differ only in case). */
export function profilesByUserNameAnyCase(db: Db, userName: string): Promise<Profile[]> {
  return db
    .selectFrom('profile')
    .selectAll()
    .where(sql<string>`lower(user_name)`, '=', userName.toLowerCase())
    .limit(10)
    .execute();
}

// People (department search)

/** Counting stops here: "more than 1,000 people" is all a search page needs to say. */
export const COUNT_CAP = 1000;

/** The first string after every string that starts with `prefix`, for an index range scan. */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCodePoint(prefix.codePointAt(prefix.length - 1)! + 1);
}

/**
 * D5 people search: an exact User Name, an exact MEPID, or a last-name prefix ("Last" or
 * "Last, First"), folded as identity matching folds names. The name search is a range scan
 * of the (last, first, birth date) index in its own order, so it stays fast at millions of
 * profiles; the total is counted up to COUNT_CAP.
 */
export async function searchPeople(db: Db, q: string, page: number): Promise<Page<StaffRow>> {
  const term = q.trim();
  if (!term) return paged([], 0, page);
  const columns = ['id', 'user_name', 'mepid', 'first_name', 'last_name', 'status'] as const;
  // A mistyped MEPID fails its check digit and finds no one rather than someone else.
  if (isValidMepid(term)) {
    const items = await db.selectFrom('profile').select(columns).where('mepid', '=', term).execute();
    return paged(items, items.length, page);
  }
  const exact =
    page === 1 ? await db.selectFrom('profile').select(columns).where('user_name', '=', term).execute() : [];
  const [last, first] = term.split(',').map(nameKey);
  if (!last) return paged(exact, exact.length, page);
  // A range, not LIKE: the planner then walks the index in its order and stops at a page.
  let byName = db.selectFrom('profile').where('last_name_key', '>=', last).where('last_name_key', '<', prefixEnd(last));
  if (first) byName = byName.where('first_name_key', 'like', `${escapeLike(first)}%`);
  const capped = await db
    .selectFrom(
      byName
        .select('id')
        .limit(COUNT_CAP + 1)
        .as('hits'),
    )
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const items = await byName
    .select(columns)
    .orderBy('last_name_key')
    .orderBy('first_name_key')
    .orderBy('date_of_birth')
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE)
    .execute();
  const rest = items.filter((p) => !exact.some((e) => e.id === p.id));
  return paged([...exact, ...rest], Number(capped.n) + exact.length, page);
}

// Role grants

export interface GrantRow {
  id: string;
  organization_code: string;
  organization_name: string;
  application_id: string;
  application_name: string;
  role: string;
  granted_at: Date;
}

export function grantsOf(db: Db, profileId: string): Promise<GrantRow[]> {
  return db
    .selectFrom('role_grant')
    .innerJoin('organization', 'organization.id', 'role_grant.organization_id')
    .innerJoin('application', 'application.id', 'role_grant.application_id')
    .select([
      'role_grant.id',
      'organization.code as organization_code',
      'organization.name as organization_name',
      'application.id as application_id',
      'application.name as application_name',
      'role_grant.role',
      sql<Date>`role_grant.granted_at`.as('granted_at'),
    ])
    .where('role_grant.profile_id', '=', profileId)
    .orderBy('application.name')
    .orderBy('organization.code')
    .execute();
}

export async function insertGrant(
  db: Db,
  grant: { profileId: string; organizationId: string; applicationId: string; role: string; grantedBy: string | null },
): Promise<boolean> {
  const result = await db
    .insertInto('role_grant')
    .values({
      profile_id: grant.profileId,
      organization_id: grant.organizationId,
      application_id: grant.applicationId,
      role: grant.role,
      granted_by: grant.grantedBy,
    })
    .onConflict((oc) => oc.constraint('role_grant_unique').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function deleteGrant(
  db: Db,
  grant: { profileId: string; organizationId: string; applicationId: string; role: string },
): Promise<boolean> {
  const result = await db
    .deleteFrom('role_grant')
    .where('profile_id', '=', grant.profileId)
    .where('organization_id', '=', grant.organizationId)
    .where('application_id', '=', grant.applicationId)
    .where('role', '=', grant.role)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Applications a person may open: every open one, and restricted ones they hold a role in (in an active organization). */
export function applicationsFor(db: Db, profileId: string): Promise<Application[]> {
  return db
    .selectFrom('application')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('access', '=', 'open'),
        eb.exists(
          eb
            .selectFrom('role_grant')
            .innerJoin('organization', 'organization.id', 'role_grant.organization_id')
            .select('role_grant.id')
            .whereRef('role_grant.application_id', '=', 'application.id')
            .where('role_grant.profile_id', '=', profileId)
            .where('organization.status', '=', 'active'),
        ),
      ]),
    )
    .orderBy('name')
    .execute();
}

// Directory Administrators

/** Only active organizations: an inactive one gives its administrators no power. */
export function administeredOrganizationIds(db: Db, profileId: string): Promise<string[]> {
  return db
    .selectFrom('directory_administrator')
    .innerJoin('organization', 'organization.id', 'directory_administrator.organization_id')
    .select('directory_administrator.organization_id')
    .where('directory_administrator.profile_id', '=', profileId)
    .where('organization.status', '=', 'active')
    .execute()
    .then((rows) => rows.map((r) => r.organization_id));
}

export async function designate(
  db: Db,
  d: {
    organizationId: string;
    profileId: string;
    email: string | null;
    phone: string | null;
    designatedBy: string | null;
  },
): Promise<void> {
  await db
    .insertInto('directory_administrator')
    .values({
      organization_id: d.organizationId,
      profile_id: d.profileId,
      email: d.email,
      phone: d.phone,
      designated_by: d.designatedBy,
    })
    .onConflict((oc) => oc.columns(['organization_id', 'profile_id']).doUpdateSet({ email: d.email, phone: d.phone }))
    .execute();
}

export function designation(
  db: Db,
  organizationId: string,
  profileId: string,
): Promise<{ email: string | null; phone: string | null } | undefined> {
  return db
    .selectFrom('directory_administrator')
    .select(['email', 'phone'])
    .where('organization_id', '=', organizationId)
    .where('profile_id', '=', profileId)
    .executeTakeFirst();
}

export async function updatePublishedContacts(
  db: Db,
  organizationId: string,
  profileId: string,
  contacts: { email: string | null; phone: string | null },
): Promise<boolean> {
  const result = await db
    .updateTable('directory_administrator')
    .set(contacts)
    .where('organization_id', '=', organizationId)
    .where('profile_id', '=', profileId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function undesignate(db: Db, organizationId: string, profileId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('directory_administrator')
    .where('organization_id', '=', organizationId)
    .where('profile_id', '=', profileId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface PublicAdministrator {
  organization_id: string;
  organization_code: string;
  organization_name: string;
  organization_type: string;
  profile_id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  /** Where the administrator is designated: the organization itself, or its district. */
  acting_organization_id: string;
  acting_organization_name: string;
  acting_organization_type: string;
}

/**
 * D4: who acts for each organization, by its name or code: its own Directory Administrators
 * and its district's (who act for every school of the district). Only what administrators
 * chose to publish; neither an inactive organization nor an inactive district's administrators.
 */
export async function publicAdministrators(
  db: Db,
  q: string,
  page: number,
  organizationId?: string,
): Promise<Page<PublicAdministrator>> {
  let query = db
    .selectFrom('organization')
    .innerJoin('directory_administrator', (join) =>
      join.on((eb) =>
        eb.or([
          eb('directory_administrator.organization_id', '=', eb.ref('organization.id')),
          eb('directory_administrator.organization_id', '=', eb.ref('organization.district_id')),
        ]),
      ),
    )
    .innerJoin('organization as acting', 'acting.id', 'directory_administrator.organization_id')
    .innerJoin('profile', 'profile.id', 'directory_administrator.profile_id')
    .where('organization.status', '=', 'active')
    .where('acting.status', '=', 'active');
  if (organizationId) query = query.where('organization.id', '=', organizationId);
  const term = q.trim();
  if (term) {
    query = /^\d+$/.test(term)
      ? query.where('organization.code', 'like', `${escapeLike(term)}%`)
      : query.where(sql<string>`lower(organization.name)`, 'like', `%${escapeLike(term.toLowerCase())}%`);
  }
  const [{ n }] = (await query.select((eb) => eb.fn.countAll<string>().as('n')).execute()) as [{ n: string }];
  const items = await query
    .select([
      'organization.id as organization_id',
      'organization.code as organization_code',
      'organization.name as organization_name',
      'organization.type as organization_type',
      'profile.id as profile_id',
      'profile.first_name',
      'profile.last_name',
      'directory_administrator.email',
      'directory_administrator.phone',
      'acting.id as acting_organization_id',
      'acting.name as acting_organization_name',
      'acting.type as acting_organization_type',
    ])
    .orderBy('organization.code')
    // The organization's own administrators first, then its district's.
    .orderBy(sql`acting.id = organization.id`, 'desc')
    .orderBy('profile.last_name')
    .orderBy('profile.id')
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE)
    .execute();
  return paged(items, Number(n), page);
}

// Partial-match conflicts

export interface ConflictRow {
  id: string;
  profile_id: string;
  user_name: string;
  first_name: string;
  last_name: string;
  conflicting_fields: string[];
  submitted: unknown;
  created_at: Date;
  attempts: number;
  last_attempt_at: Date;
}

/**
 * Open partial matches, all of them (the department), or only those of people on the staff
 * of `organizationIds` or of those organizations' schools (a Directory Administrator).
 */
export async function openConflicts(db: Db, page: number, organizationIds?: string[]): Promise<Page<ConflictRow>> {
  let query = db
    .selectFrom('match_conflict')
    .innerJoin('profile', 'profile.id', 'match_conflict.profile_id')
    .where('match_conflict.status', '=', 'open');
  if (organizationIds) {
    if (organizationIds.length === 0) return paged([], 0, page);
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('organization_member')
          .innerJoin('organization', 'organization.id', 'organization_member.organization_id')
          .select('organization_member.profile_id')
          .whereRef('organization_member.profile_id', '=', 'match_conflict.profile_id')
          .where('organization_member.confirmed_at', 'is not', null)
          .where((w) =>
            w.or([w('organization.id', 'in', organizationIds), w('organization.district_id', 'in', organizationIds)]),
          ),
      ),
    );
  }
  const [{ n }] = (await query.select((eb) => eb.fn.countAll<string>().as('n')).execute()) as [{ n: string }];
  const items = await query
    .select(CONFLICT_COLUMNS)
    .orderBy('match_conflict.id')
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE)
    .execute();
  return paged(items, Number(n), page);
}

/** What a conflict row shows, in the queue and on its own page. */
const CONFLICT_COLUMNS = [
  'match_conflict.id',
  'match_conflict.profile_id',
  'profile.user_name',
  'profile.first_name',
  'profile.last_name',
  'match_conflict.conflicting_fields',
  'match_conflict.submitted',
  sql<Date>`match_conflict.created_at`.as('created_at'),
  'match_conflict.attempts',
  sql<Date>`match_conflict.last_attempt_at`.as('last_attempt_at'),
] as const;

export function findConflict(db: Db, id: string): Promise<ConflictRow | undefined> {
  return db
    .selectFrom('match_conflict')
    .innerJoin('profile', 'profile.id', 'match_conflict.profile_id')
    .select(CONFLICT_COLUMNS)
    .where('match_conflict.id', '=', id)
    .where('match_conflict.status', '=', 'open')
    .executeTakeFirst();
}

export async function resolveConflicts(
  db: Db,
  profileId: string,
  resolvedBy: string,
  conflictId?: string,
  note: string | null = null,
): Promise<number> {
  let query = db
    .updateTable('match_conflict')
    .set({ status: 'resolved', resolved_at: new Date(), resolved_by: resolvedBy, resolution_note: note })
    .where('profile_id', '=', profileId)
    .where('status', '=', 'open');
  if (conflictId) query = query.where('id', '=', conflictId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

// Audit log

/**
 * Who last reset the person's password as an administrator, and when: what the forced
 * change-password page tells them (issue 11). Undefined when no administrator did.
 * `of_department`: the administrator holds a department role (console-admin or help-desk
 * reset it), rather than acting as a Directory Administrator.
 */
export function lastAdministratorReset(
  db: Db,
  profileId: string,
): Promise<{ at: Date; first_name: string; last_name: string; of_department: boolean } | undefined> {
  return (
    db
      .selectFrom('audit_event')
      .innerJoin('profile as actor', 'actor.id', 'audit_event.actor_id')
      .select((eb) => [
        sql<Date>`audit_event.at`.as('at'),
        'actor.first_name',
        'actor.last_name',
        eb
          .exists(
            eb
              .selectFrom('department_role')
              .select('department_role.profile_id')
              .whereRef('department_role.profile_id', '=', 'actor.id'),
          )
          .$castTo<boolean>()
          .as('of_department'),
      ])
      .where('audit_event.type', '=', 'password.reset')
      .where('audit_event.subject_id', '=', profileId)
      // A person's own reset through Forgot is recorded with the same type.
      .whereRef('audit_event.actor_id', '!=', 'audit_event.subject_id')
      .orderBy('audit_event.id', 'desc')
      .limit(1)
      .executeTakeFirst()
  );
}

export interface AuditRow {
  id: string;
  at: Date;
  type: string;
  actor: string | null;
  subject: string | null;
  ip: string | null;
  detail: unknown;
}

export async function auditLog(
  db: Db,
  filter: { type?: string; userName?: string },
  page: number,
): Promise<Page<AuditRow>> {
  let query = db
    .selectFrom('audit_event')
    .leftJoin('profile as actor', 'actor.id', 'audit_event.actor_id')
    .leftJoin('profile as subject', 'subject.id', 'audit_event.subject_id');
  if (filter.type) query = query.where('audit_event.type', '=', filter.type);
  if (filter.userName) {
    const u = filter.userName;
    query = query.where((eb) => eb.or([eb('actor.user_name', '=', u), eb('subject.user_name', '=', u)]));
  }
  const [{ n }] = (await query.select((eb) => eb.fn.countAll<string>().as('n')).execute()) as [{ n: string }];
  const items = await query
    .select([
      'audit_event.id',
      sql<Date>`audit_event.at`.as('at'),
      'audit_event.type',
      'actor.user_name as actor',
      'subject.user_name as subject',
      'audit_event.ip',
      'audit_event.detail',
    ])
    .orderBy('audit_event.id', 'desc')
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE)
    .execute();
  return paged(items, Number(n), page);
}
