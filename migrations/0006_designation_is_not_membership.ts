import { sql, type Kysely } from 'kysely';

/**
 * Until now designating a Directory Administrator also put them on the organization's
 * staff, so a revoked designation left a membership behind and, with it, the
 * administrators' power over them (issue 11). A designation is no longer a membership:
 * this removes the memberships that only a designation made. Such a row was written in the
 * designation's transaction, so its time equals the `diradmin.designated` audit event's;
 * a membership the person also has as staff (added as staff, or holding a role there) stays.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    delete from organization_member m
    using organization o
    where o.id = m.organization_id
      and exists (
        select 1 from audit_event e
        where e.type = 'diradmin.designated' and e.subject_id = m.profile_id
          and e.detail->>'organization' = o.code and e.at = m.added_at)
      and not exists (
        select 1 from audit_event e
        where e.type = 'staff.added' and e.subject_id = m.profile_id and e.detail->>'organization' = o.code)
      and not exists (
        select 1 from role_grant g where g.profile_id = m.profile_id and g.organization_id = m.organization_id)
  `.execute(db);
}

export async function down(): Promise<void> {
  // The removed rows gave only the reach that this migration takes away.
}
