import { audit } from './audit-events.ts';
import type { Db } from '../database.ts';
import type { Organization } from './schema.ts';
import type { Profile } from '../portal/index.ts';
import { revokeApplicationGrants } from '../sso/index.ts';
import * as memberships from './membership-repository.ts';
import * as repo from './repository.ts';

/**
 * Attack review F2: a Directory Administrator who adds someone else's existing profile to
 * their staff (by name, date of birth and SSN) gains no power over the person until the
 * person confirms that the organization is their employer. The person answers on their
 * portal home; these are the two answers. Each returns the organization, or null when
 * there was nothing waiting (already answered, or never asked).
 */
export async function confirmStaffMembership(
  db: Db,
  person: Pick<Profile, 'id'>,
  organizationId: string,
  ip: string | null,
): Promise<Organization | null> {
  return db.transaction().execute(async (tx) => {
    const org = await repo.findOrganizationById(tx, organizationId);
    if (!org || !(await memberships.confirmMembership(tx, org.id, person.id))) return null;
    await audit(tx, {
      type: 'staff.confirmed',
      actorId: person.id,
      subjectId: person.id,
      ip,
      detail: { organization: org.code },
    });
    return org;
  });
}

/** "This is not my employer": the membership ends, with any role someone gave them there meanwhile. */
export async function declineStaffMembership(
  db: Db,
  person: Pick<Profile, 'id'>,
  organizationId: string,
  ip: string | null,
): Promise<{ org: Organization; applications: string[] } | null> {
  return db.transaction().execute(async (tx) => {
    const org = await repo.findOrganizationById(tx, organizationId);
    if (!org || !(await memberships.deletePendingMembership(tx, org.id, person.id))) return null;
    const grants = await repo.deleteGrantsIn(tx, org.id, person.id);
    for (const g of grants) {
      await audit(tx, {
        type: 'role.revoked',
        actorId: person.id,
        subjectId: person.id,
        ip,
        detail: { organization: org.code, application: g.application_id, role: g.role },
      });
    }
    await audit(tx, {
      type: 'staff.declined',
      actorId: person.id,
      subjectId: person.id,
      ip,
      detail: { organization: org.code },
    });
    const applications = [...new Set(grants.map((g) => g.application_id))];
    await revokeApplicationGrants(tx, person.id, applications);
    return { org, applications };
  });
}
