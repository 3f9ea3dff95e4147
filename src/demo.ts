import { randomUUID } from 'node:crypto';
import type { Db } from './database.ts';
import { createProfile, identityOnly, ssnFields, type AccountRules } from './portal/accounts.ts';
import { hashSecret, verifySecret } from './portal/hashing.ts';
import { findMatchCandidates } from './portal/profile-repository.ts';
import { nameKey } from './portal/identity.ts';
import { addMember, findOrganizationByCode } from './directory/repository.ts';
import { designateAdministrator } from './directory/service.ts';
import { grantDepartmentRole } from './directory/department-roles/service.ts';
import { elarTables, seedElarDemo } from './elar/index.ts';

/**
 * Demo people for a newcomer to explore every outcome of Create Profile (DEMO=1 or
 * `npm run seed:demo`). Never run unless asked. Idempotent: a person already there is
 * left alone.
 */
export const DEMO_PEOPLE = {
  educator: {
    firstName: 'Jordan',
    lastName: 'Rivera',
    dateOfBirth: '1986-04-12',
    ssn: '123456789',
    password: 'Welcome2026',
    hintQuestion: 'What was the name of your first school?',
    hintAnswer: 'Lincoln Elementary',
  },
  precreated: { firstName: 'Pat', lastName: 'Lee', dateOfBirth: '1990-09-30', ssn: '234567890' },
  /** Department staff who evaluates license applications in ELAR (and has no part of the console). */
  evaluator: {
    firstName: 'Casey',
    lastName: 'Morgan',
    dateOfBirth: '1979-11-05',
    ssn: '345678901',
    password: 'Evaluate2026',
    hintQuestion: 'What was the name of your first school?',
    hintAnswer: 'Malden High',
  },
} as const;

const DEMO_ORGANIZATIONS = [
  {
    code: '00350000',
    name: 'Springfield Public Schools',
    type: 'district' as const,
    town: 'Springfield',
    phone: '413-555-0100',
  },
  {
    code: '00350505',
    name: 'Springfield High School',
    type: 'school' as const,
    town: 'Springfield',
    phone: '413-555-0105',
  },
];

export async function seedDemo(db: Db, rules: AccountRules): Promise<string[]> {
  const lines: string[] = [];
  const e = DEMO_PEOPLE.educator;
  const p = DEMO_PEOPLE.precreated;
  const v = DEMO_PEOPLE.evaluator;
  await db.transaction().execute(async (tx) => {
    for (const who of [e, v]) {
      if (await exists(tx, rules, who)) continue;
      const [passwordHash, hintAnswerHash] = await Promise.all([hashSecret(who.password), hashSecret(who.hintAnswer)]);
      await createProfile(tx, person(rules, who), { passwordHash, hintQuestion: who.hintQuestion, hintAnswerHash });
    }
    if (!(await exists(tx, rules, p))) {
      await createProfile(tx, person(rules, p), null);
    }
  });
  const educator = await db
    .selectFrom('profile')
    .selectAll()
    .where('ssn_hash', '=', ssnFields(rules, e.ssn).hash)
    .executeTakeFirstOrThrow();
  const precreated = await db
    .selectFrom('profile')
    .select(['id', 'password_hash'])
    .where('ssn_hash', '=', ssnFields(rules, p.ssn).hash)
    .executeTakeFirstOrThrow();
  const evaluator = await db
    .selectFrom('profile')
    .selectAll()
    .where('ssn_hash', '=', ssnFields(rules, v.ssn).hash)
    .executeTakeFirstOrThrow();
  await grantDepartmentRole(db, null, { person: evaluator, role: 'licensure-evaluator' }, null);
  // A district and its high school, run by the demo educator, with the pre-created person on staff.
  for (const org of DEMO_ORGANIZATIONS) {
    await db
      .insertInto('organization')
      .values({
        id: randomUUID(),
        ...org,
        district_id: org.type === 'school' ? (await findOrganizationByCode(db, '00350000'))!.id : null,
      })
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
  }
  const district = (await findOrganizationByCode(db, '00350000'))!;
  const school = (await findOrganizationByCode(db, '00350505'))!;
  await designateAdministrator(db, null, district, educator, { email: 'jordan.rivera@example.org', phone: null }, null);
  await addMember(db, school.id, precreated.id, null);
  // The data directory outlives the demo: print a secret only while it still opens the account,
  // so a password someone has since changed is not advertised (and no stale one misleads).
  const [passwordStill, hintStill, evaluatorPasswordStill] = await Promise.all([
    educator.password_hash ? verifySecret(educator.password_hash, e.password) : false,
    educator.hint_answer_hash ? verifySecret(educator.hint_answer_hash, e.hintAnswer) : false,
    evaluator.password_hash ? verifySecret(evaluator.password_hash, v.password) : false,
  ]);
  const password = passwordStill ? `password ${e.password}` : 'password changed since the demo was set up (not shown)';
  const hint = hintStill
    ? `hint answer "${e.hintAnswer}"`
    : 'hint answer changed since the demo was set up (not shown)';
  lines.push(
    `Demo educator: User Name ${educator.user_name}, ${password}, ${hint} (${e.firstName} ${e.lastName}, born ${e.dateOfBirth}, SSN ${e.ssn}).`,
    precreated.password_hash
      ? `${p.firstName} ${p.lastName} (born ${p.dateOfBirth}, SSN ${p.ssn}) has completed the pre-created profile since the demo was set up.`
      : `Pre-created profile to complete at /profile/new: ${p.firstName} ${p.lastName}, born ${p.dateOfBirth}, SSN ${p.ssn}.`,
    `Partial match: enter ${e.firstName} ${e.lastName}, born ${e.dateOfBirth}, with any other valid SSN.`,
    `${educator.user_name} is the Directory Administrator of ${district.name} (${district.code}) and its high school: log in and open Directory Administration.`,
    `Demo licensure evaluator (Department role licensure-evaluator, for ELAR; no console): User Name ${evaluator.user_name}, ${evaluatorPasswordStill ? `password ${v.password}` : 'password changed since the demo was set up (not shown)'}.`,
  );
  // Co-hosted ELAR's tables are in this database; ELAR knows the educator by the `sub` claim, their profile id.
  lines.push(
    ...(await seedElarDemo(elarTables(db), {
      sub: educator.id,
      mepid: educator.mepid,
      email: educator.email,
      name: `${e.firstName} ${e.lastName}`,
      birthdate: e.dateOfBirth,
      userName: educator.user_name,
      evaluatorUserName: evaluator.user_name,
    })),
  );
  return lines;
}

type DemoPerson = { firstName: string; lastName: string; dateOfBirth: string; ssn: string };

async function exists(db: Db, rules: AccountRules, p: DemoPerson): Promise<boolean> {
  const found = await findMatchCandidates(db, {
    firstNameKey: nameKey(p.firstName),
    lastNameKey: nameKey(p.lastName),
    dateOfBirth: p.dateOfBirth,
    ssnHash: ssnFields(rules, p.ssn).hash,
  });
  return found.length > 0;
}

function person(rules: AccountRules, p: DemoPerson) {
  return {
    ...identityOnly({
      firstName: p.firstName,
      lastName: p.lastName,
      dateOfBirth: p.dateOfBirth,
      ssn: ssnFields(rules, p.ssn),
      email: `${p.firstName.toLowerCase()}.${p.lastName.toLowerCase()}@example.org`,
    }),
    addressLine1: '75 Pleasant Street',
    city: 'Malden',
    state: 'MA',
    postalCode: '02148',
  };
}
