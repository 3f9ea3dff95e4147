import { sql } from 'kysely';
import type { Db } from '../database.ts';

/** A staff membership waiting for the person to confirm it (attack F2), as they are asked about it. */
export interface PendingMembership {
  organization_id: string;
  organization_code: string;
  organization_name: string;
  added_at: Date;
  /** The administrator who added them, by name (null when that profile is gone). */
  added_by_name: string | null;
}

export function pendingMembershipsOf(db: Db, profileId: string): Promise<PendingMembership[]> {
  return db
    .selectFrom('organization_member')
    .innerJoin('organization', 'organization.id', 'organization_member.organization_id')
    .leftJoin('profile as adder', 'adder.id', 'organization_member.added_by')
    .select([
      'organization_member.organization_id',
      'organization.code as organization_code',
      'organization.name as organization_name',
      sql<Date>`organization_member.added_at`.as('added_at'),
      sql<string | null>`adder.first_name || ' ' || adder.last_name`.as('added_by_name'),
    ])
    .where('organization_member.profile_id', '=', profileId)
    .where('organization_member.confirmed_at', 'is', null)
    .orderBy('organization_member.added_at')
    .orderBy('organization.code')
    .execute();
}

/** Confirms a waiting membership; false when there is none (already answered, or never asked). */
export async function confirmMembership(db: Db, organizationId: string, profileId: string): Promise<boolean> {
  const result = await db
    .updateTable('organization_member')
    .set({ confirmed_at: new Date() })
    .where('organization_id', '=', organizationId)
    .where('profile_id', '=', profileId)
    .where('confirmed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Ends a waiting membership only: a confirmed one is left to the organization's administrators. */
export async function deletePendingMembership(db: Db, organizationId: string, profileId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('organization_member')
    .where('organization_id', '=', organizationId)
    .where('profile_id', '=', profileId)
    .where('confirmed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function isPendingMember(db: Db, organizationId: string, profileId: string): Promise<boolean> {
  const row = await db
    .selectFrom('organization_member')
    .select('profile_id')
    .where('organization_id', '=', organizationId)
    .where('profile_id', '=', profileId)
    .where('confirmed_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}
