import { randomUUID } from 'node:crypto';
import { insertDepartmentRole } from '../../src/directory/department-roles/repository.ts';
import type { DepartmentRole } from '../../src/directory/department-roles/schema.ts';
import { addMember } from '../../src/directory/repository.ts';
import { designateAdministrator } from '../../src/directory/service.ts';
import type { Organization } from '../../src/directory/schema.ts';
import type { Profile } from '../../src/portal/schema.ts';
import { createProfile, identityOnly } from '../../src/portal/accounts.ts';
import { hashSecret } from '../../src/portal/hashing.ts';
import { ssnHash } from '../../src/portal/identity.ts';
import { Browser, logIn, type TestPortal } from './portal.ts';

/**
 * Organizations and people for directory tests, made through the services in a few
 * milliseconds, so that every test builds its own world and can run alone
 * (`--test-name-pattern`) without depending on what an earlier test left behind.
 */
export const PASSWORD = 'Secret123';

export interface FixturePerson {
  id: string;
  userName: string;
  mepid: string;
  firstName: string;
  lastName: string;
  /** As typed in the add-staff form: month, day, year and the SSN. */
  dob: [month: string, day: string, year: string];
  ssn: string;
  profile(): Promise<Profile>;
}

export interface DistrictWithSchool {
  district: Organization;
  school: Organization;
}

export function directoryFixture(portal: TestPortal) {
  let serial = 0;
  let passwordHash: Promise<string> | undefined;
  const profileOf = (id: string) =>
    portal.db.selectFrom('profile').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  async function organization(
    code: string,
    name: string,
    type: 'district' | 'school',
    districtId: string | null,
  ): Promise<Organization> {
    return portal.db
      .insertInto('organization')
      .values({ id: randomUUID(), code, name, type, district_id: districtId, town: 'Springfield', phone: null })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  return {
    profileOf,

    /** A new district (code NNNN0000) and one of its schools (NNNN0505), both active. */
    async districtWithSchool(name = 'District'): Promise<DistrictWithSchool> {
      serial += 1;
      const prefix = String(6000 + serial).padStart(4, '0');
      const district = await organization(`${prefix}0000`, `${name} ${serial} Public Schools`, 'district', null);
      const school = await organization(`${prefix}0505`, `${name} ${serial} High School`, 'school', district.id);
      return { district, school };
    },

    /** An active profile with password PASSWORD, optionally with department roles. */
    async person(
      firstName: string,
      lastName: string,
      options: { departmentRoles?: DepartmentRole[] } = {},
    ): Promise<FixturePerson> {
      serial += 1;
      const ssn = `7${String(serial % 100).padStart(2, '0')}-${String(10 + (Math.floor(serial / 100) % 90))}-${String(1000 + serial)}`;
      const dob: [string, string, string] = [String((serial % 12) + 1), String((serial % 28) + 1), '1980'];
      const dateOfBirth = `1980-${dob[0].padStart(2, '0')}-${dob[1].padStart(2, '0')}`;
      passwordHash ??= hashSecret(PASSWORD);
      const created = await portal.db.transaction().execute(async (tx) => {
        const made = await createProfile(
          tx,
          identityOnly({
            firstName,
            lastName,
            dateOfBirth,
            ssn: { hash: ssnHash(portal.ssnKey, ssn.replace(/-/g, '')), last4: ssn.slice(-4) },
          }),
          { passwordHash: await passwordHash!, hintQuestion: 'First pet?', hintAnswerHash: await passwordHash! },
        );
        for (const role of options.departmentRoles ?? [])
          await insertDepartmentRole(tx, { profileId: made.id, role, grantedBy: null });
        return made;
      });
      return { ...created, firstName, lastName, dob, ssn, profile: () => profileOf(created.id) };
    },

    async addStaff(org: Organization, who: FixturePerson): Promise<void> {
      await addMember(portal.db, org.id, who.id, null);
    },

    /** Designated by the department (no actor), as the CLI does. */
    async designate(org: Organization, who: FixturePerson): Promise<void> {
      await designateAdministrator(portal.db, null, org, await who.profile(), { email: null, phone: null }, null);
    },

    /** A browser signed in as the person (each on its own address, so no throttle is shared). */
    async signIn(who: FixturePerson): Promise<Browser> {
      serial += 1;
      const b = new Browser(portal.app, `10.${60 + Math.floor(serial / 250)}.${serial % 250}.1`);
      const res = await logIn(b, who.userName, PASSWORD);
      if (res.status !== 303) throw new Error(`${who.userName} could not sign in: ${res.status}`);
      await b.get('/');
      return b;
    },
  };
}

export type DirectoryFixture = ReturnType<typeof directoryFixture>;
