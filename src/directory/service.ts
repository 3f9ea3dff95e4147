import { randomBytes, randomInt } from 'node:crypto';
import { audit } from './audit-events.ts';
import { retryOnUniqueViolation } from '../platform/db.ts';
import type { Application, Organization } from './schema.ts';
import type { Db } from '../database.ts';
import type { SecretBox } from '../platform/secrets.ts';
import {
  classifyMatch,
  createProfile,
  endAllSessions,
  findMatchCandidates,
  findOtherProfileWithSsn,
  findProfileById,
  hashSecret,
  identityOnly,
  nameKey,
  recordMatchConflict,
  setIdentity,
  setPassword,
  ssnFields,
  throttled,
  unlockAccount as unlockPortalAccount,
  unlockLogin,
  type AccountRules,
  type Profile,
  type SignedInProfile,
} from '../portal/index.ts';
import { capitalize } from '../platform/forms.ts';
import { directoryErrors, type DirectoryRuleError } from './errors.ts';
import { codeProblem, districtCodeOf, type OrganizationType } from './organizations.ts';
import { revokeApplicationGrants, revokeWhereNoAccess } from '../sso/index.ts';
import { decide, type Actor, type PersonRef } from './policy.ts';
import { rolesOf as departmentRolesOf } from './department-roles/repository.ts';
import * as applications from './application-repository.ts';
import * as memberships from './membership-repository.ts';
import * as repo from './repository.ts';
import { staffLookupCounters, type StaffLookupRules } from './staff-lookup.tsx';

/**
 * Directory administration: the rules (SPEC D1–D5). Callers have already asked `can`;
 * every change here is audited with who did it.
 */

/** The agency's application catalog (SPEC D2), present on every start. */
export type CatalogEntry = Pick<Application, 'id' | 'name' | 'description' | 'access' | 'roles' | 'launch_url'>;

export const APPLICATION_CATALOG: CatalogEntry[] = [
  {
    id: 'directory',
    name: 'Directory Administration',
    description: 'Manage staff, application roles and passwords for your organization.',
    access: 'restricted',
    roles: ['administrator'],
    launch_url: '/directory',
  },
  {
    id: 'elar',
    name: 'ELAR',
    description: 'Educator Licensure And Renewal: apply for a license, pay the fee and follow its status.',
    access: 'open',
    roles: ['user'],
    launch_url: '/elar',
  },
  {
    id: 'mdcs',
    name: 'MDCS',
    description: 'Collect and submit school and district data.',
    access: 'restricted',
    roles: ['user', 'approver'],
    launch_url: null,
  },
  {
    id: 'sims',
    name: 'SIMS',
    description: 'Student Information Management System.',
    access: 'restricted',
    roles: ['user', 'submitter'],
    launch_url: null,
  },
  {
    id: 'dropbox',
    name: 'Drop Box Central',
    description: 'Exchange files securely with the Department.',
    access: 'restricted',
    roles: ['user'],
    launch_url: null,
  },
  {
    id: 'nclb-rca',
    name: 'NCLB Report Card Assistant',
    description: 'Prepare school and district report cards.',
    access: 'restricted',
    roles: ['user'],
    launch_url: null,
  },
  {
    id: 'techplan',
    name: 'TechPlan',
    description: 'District technology plans.',
    access: 'restricted',
    roles: ['user', 'approver'],
    launch_url: null,
  },
  {
    id: 'data-collections',
    name: 'Data collections',
    description: 'Student and educator data collections, including Cycle reporting.',
    access: 'restricted',
    roles: ['user', 'submitter'],
    launch_url: null,
  },
];

export async function seedApplicationCatalog(db: Db): Promise<void> {
  for (const app of APPLICATION_CATALOG) await repo.upsertApplication(db, app);
}

export async function loadActor(db: Db, profile: SignedInProfile): Promise<Actor> {
  const [administers, departmentRoles] = await Promise.all([
    repo.administeredOrganizationIds(db, profile.id),
    departmentRolesOf(db, profile.id),
  ]);
  return { profile, administers: new Set(administers), departmentRoles: new Set(departmentRoles) };
}

export interface StaffIdentity {
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  ssnDigits: string;
  email: string | null;
}

export type AddStaffResult =
  /** `pending`: the person must confirm before the administrator may act on them (attack F2). */
  | { kind: 'added'; profileId: string; existing: boolean; pending: boolean }
  | { kind: 'already-member'; profileId: string; pending: boolean }
  | { kind: 'conflict' }
  | { kind: 'paused'; until: Date };

/** The person as the policy weighs them: where they are within reach, and their powers. */
export async function personRef(db: Db, person: Pick<Profile, 'id'>): Promise<PersonRef> {
  const [orgs, powers] = await Promise.all([repo.reachOrganizationsOf(db, person.id), repo.powersOf(db, person)]);
  return { orgs, powers };
}

/**
 * D3 add staff: find the person by the identity rule, or enter them as a new pre-created
 * profile (P3 case 2) that they complete themselves. A partial match is not guessed at:
 * it is recorded for the department like any other. An existing person is first shown to
 * `authorizeTarget` (the policy), which throws to refuse someone with greater powers.
 */
export async function addStaffMember(
  db: Db,
  rules: AccountRules,
  actor: Actor,
  org: Organization,
  person: StaffIdentity,
  ip: string | null,
  lookup: StaffLookupRules,
  authorizeTarget: (target: PersonRef) => void,
): Promise<AddStaffResult> {
  requireActive(org);
  // A partial match is a miss of an SSN guess: counted before the match runs, so parallel
  // tries get no more than the threshold either.
  const checked = await throttled(
    db,
    staffLookupCounters(lookup, actor.profile.id, ip),
    () =>
      retryOnUniqueViolation(() =>
        db.transaction().execute(async (tx): Promise<AddStaffResult> => {
          const ssn = ssnFields(rules, person.ssnDigits);
          const keys = {
            firstNameKey: nameKey(person.firstName),
            lastNameKey: nameKey(person.lastName),
            dateOfBirth: person.dateOfBirth,
            ssnHash: ssn.hash,
          };
          const match = classifyMatch(keys, await findMatchCandidates(tx, keys));
          if (match.kind === 'partial') {
            await recordMatchConflict(tx, match.profileId, match.conflicts, {
              firstName: person.firstName,
              lastName: person.lastName,
              dateOfBirth: person.dateOfBirth,
              ssnLast4: ssn.last4,
              reportedBy: actor.profile.user_name,
            });
            await audit(tx, {
              type: 'match.partial',
              actorId: actor.profile.id,
              subjectId: match.profileId,
              ip,
              detail: { via: 'staff.add', organization: org.code },
            });
            return { kind: 'conflict' };
          }
          let profileId: string;
          let existing = true;
          let pending = false;
          if (match.kind === 'none') {
            const created = await createProfile(
              tx,
              identityOnly({
                firstName: person.firstName,
                lastName: person.lastName,
                dateOfBirth: person.dateOfBirth,
                ssn,
                email: person.email,
              }),
              null,
              { actorId: actor.profile.id, ip },
            );
            profileId = created.id;
            existing = false;
          } else {
            profileId = match.profileId;
            const found = await findProfileById(tx, profileId);
            const ref = found && (await personRef(tx, found));
            if (ref) authorizeTarget(ref);
            // Someone else's own account (it has a password): knowing their name, birth date and
            // SSN must not give an administrator power over it. Until the person confirms, or the
            // Department adds them, the membership brings them within no one's reach. Someone
            // already within the administrator's reach gains them nothing new.
            pending =
              !!ref &&
              found.password_hash !== null &&
              decide(actor, 'person.view', { kind: 'person', person: ref }) !== 'allow';
          }
          // The work email belongs to this membership: an existing person's own profile email stays theirs.
          if (!(await repo.addMember(tx, org.id, profileId, actor.profile.id, person.email, pending))) {
            if (person.email) await repo.setWorkEmail(tx, org.id, profileId, person.email);
            return {
              kind: 'already-member',
              profileId,
              pending: await memberships.isPendingMember(tx, org.id, profileId),
            };
          }
          await audit(tx, {
            type: 'staff.added',
            actorId: actor.profile.id,
            subjectId: profileId,
            ip,
            detail: { organization: org.code, existing, pending },
          });
          return { kind: 'added', profileId, existing, pending };
        }),
      ),
    (result) => result.kind === 'conflict',
  );
  if (checked.kind === 'locked') return { kind: 'paused', until: checked.until };
  if (checked.lockedKeys.length > 0) {
    await audit(db, {
      type: 'account.locked',
      actorId: actor.profile.id,
      subjectId: actor.profile.id,
      ip,
      detail: { scope: 'staff lookup' },
    });
  }
  return checked.value;
}

export { DirectoryRuleError } from './errors.ts';

/**
 * An inactive organization (closed, merged) keeps its people and history, but takes no
 * new staff, roles or Directory Administrators; its roles give no access (src/directory/access-repository.ts).
 */
function requireActive(org: Organization): void {
  if (org.status !== 'active') {
    throw directoryErrors.organizationInactive(org.name);
  }
}

interface RoleGrant {
  person: Profile;
  org: Organization;
  app: Application;
  role: string;
}

function auditRoleChange(
  tx: Db,
  type: 'role.granted' | 'role.revoked',
  actor: Actor | null,
  grant: RoleGrant,
  ip: string | null,
) {
  return audit(tx, {
    type,
    actorId: actor?.profile.id ?? null,
    subjectId: grant.person.id,
    ip,
    detail: { organization: grant.org.code, application: grant.app.id, role: grant.role },
  });
}

export async function grantRole(db: Db, actor: Actor | null, grant: RoleGrant, ip: string | null): Promise<boolean> {
  if (!grant.app.roles.includes(grant.role)) throw directoryErrors.noSuchRole(grant.app.name, grant.role);
  requireActive(grant.org);
  return db.transaction().execute(async (tx) => {
    // A role in an organization makes the person one of its staff.
    await repo.addMember(tx, grant.org.id, grant.person.id, actor?.profile.id ?? null);
    const granted = await repo.insertGrant(tx, {
      profileId: grant.person.id,
      organizationId: grant.org.id,
      applicationId: grant.app.id,
      role: grant.role,
      grantedBy: actor?.profile.id ?? null,
    });
    if (granted) await auditRoleChange(tx, 'role.granted', actor, grant, ip);
    return granted;
  });
}

export async function revokeRole(db: Db, actor: Actor | null, grant: RoleGrant, ip: string | null): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const revoked = await repo.deleteGrant(tx, {
      profileId: grant.person.id,
      organizationId: grant.org.id,
      applicationId: grant.app.id,
      role: grant.role,
    });
    if (revoked) {
      await auditRoleChange(tx, 'role.revoked', actor, grant, ip);
      // The application must sign the person in again to learn the roles that are left.
      await revokeApplicationGrants(tx, grant.person.id, [grant.app.id]);
    }
    return revoked;
  });
}

const TEMPORARY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';

/**
 * Letters and digits only, so it passes the agency policy; 12 characters from 56 symbols
 * (about 70 bits), so it passes the nist policy and is never a common password.
 */
/** ASVS 6.4.1: a temporary password left unused stops working (a new reset gives another). */
export const TEMPORARY_PASSWORD_HOURS = 72;

export function temporaryPassword(): string {
  for (;;) {
    const candidate = Array.from({ length: 12 }, () => TEMPORARY_ALPHABET[randomInt(TEMPORARY_ALPHABET.length)]).join(
      '',
    );
    if (/\d/.test(candidate) && /[A-Za-z]/.test(candidate)) return candidate;
  }
}

/**
 * A pre-created profile has no owner yet: a reset would hand it to whoever resets it, and
 * the real person would later find "their" account held by someone else (attack F8).
 */
export function resetRefusal(person: Pick<Profile, 'status'>): DirectoryRuleError | null {
  return person.status === 'precreated' ? directoryErrors.profileNotCompleted() : null;
}

/**
 * D3 reset: the administrator never chooses the password. A one-time temporary password
 * is shown once; the person must choose their own at next login. Every session ends and
 * a lockout is lifted. It never changes the profile's status.
 */
export async function resetPassword(db: Db, actor: Actor, person: Profile, ip: string | null): Promise<string> {
  const refusal = resetRefusal(person);
  if (refusal) throw refusal;
  const password = temporaryPassword();
  const passwordHash = await hashSecret(password);
  await db.transaction().execute(async (tx) => {
    await setPassword(tx, person.id, passwordHash, new Date(Date.now() + TEMPORARY_PASSWORD_HOURS * 3_600_000));
    await endAllSessions(tx, person.id);
    await unlockLogin(tx, person);
    await audit(tx, {
      type: 'password.reset',
      actorId: actor.profile.id,
      subjectId: person.id,
      ip,
      detail: { by: 'administrator' },
    });
  });
  return password;
}

/** Ends every portal session of the person (the route also ends single sign-on); the password stays. */
export async function endPersonSessions(db: Db, actor: Actor, person: Profile, ip: string | null): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const sessions = await endAllSessions(tx, person.id);
    await audit(tx, {
      type: 'sessions.ended',
      actorId: actor.profile.id,
      subjectId: person.id,
      ip,
      detail: { by: 'administrator', sessions },
    });
    return sessions;
  });
}

export async function unlockAccount(db: Db, actor: Actor, person: Profile, ip: string | null): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const { account, hint } = await unlockPortalAccount(tx, person);
    await audit(tx, {
      type: 'account.unlocked',
      actorId: actor.profile.id,
      subjectId: person.id,
      ip,
      detail: { account, hint },
    });
    return account || hint;
  });
}

export interface IdentityFix {
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  ssnDigits: string | null;
}

/**
 * D3 fix the data behind a partial match: correct the record so the person's own answers
 * match it, and close the open conflicts. An SSN already on another profile is refused.
 */
export type FixResult = 'fixed' | 'ssn-taken' | { paused: Date };

/**
 * Corrects a person's identity data. "This SSN belongs to another profile" tells whose SSN
 * it is not, so an SSN is checked on the counters adding staff uses (outside review F1):
 * each such answer is a miss, reserved before the check and audited as a partial match.
 */
export async function fixPersonData(
  db: Db,
  rules: AccountRules,
  actor: Actor,
  person: Profile,
  fix: IdentityFix,
  ip: string | null,
  lookup: StaffLookupRules,
): Promise<FixResult> {
  if (!fix.ssnDigits) return applyFix(db, actor, person, fix, null, ip);
  const ssn = ssnFields(rules, fix.ssnDigits);
  const checked = await throttled(
    db,
    staffLookupCounters(lookup, actor.profile.id, ip),
    () => applyFix(db, actor, person, fix, ssn, ip),
    (result) => result === 'ssn-taken',
  );
  if (checked.kind === 'locked') return { paused: checked.until };
  if (checked.lockedKeys.length > 0) {
    await audit(db, {
      type: 'account.locked',
      actorId: actor.profile.id,
      subjectId: actor.profile.id,
      ip,
      detail: { scope: 'staff lookup' },
    });
  }
  return checked.value;
}

async function applyFix(
  db: Db,
  actor: Actor,
  person: Profile,
  fix: IdentityFix,
  ssn: ReturnType<typeof ssnFields> | null,
  ip: string | null,
): Promise<'fixed' | 'ssn-taken'> {
  return db.transaction().execute(async (tx) => {
    if (ssn) {
      const other = await findOtherProfileWithSsn(tx, ssn.hash, person.id);
      if (other) {
        await audit(tx, {
          type: 'match.partial',
          actorId: actor.profile.id,
          subjectId: other.id,
          ip,
          detail: { via: 'person.fix', profile: person.id },
        });
        return 'ssn-taken';
      }
    }
    const changed = [
      fix.firstName !== person.first_name && 'firstName',
      fix.lastName !== person.last_name && 'lastName',
      fix.dateOfBirth !== person.date_of_birth && 'dateOfBirth',
      ssn && ssn.hash !== person.ssn_hash && 'ssn',
    ].filter((f): f is string => Boolean(f));
    await setIdentity(tx, person.id, {
      firstName: fix.firstName,
      lastName: fix.lastName,
      dateOfBirth: fix.dateOfBirth,
      ssn,
    });
    const resolved = await repo.resolveConflicts(tx, person.id, actor.profile.id);
    await audit(tx, {
      type: 'profile.fixed',
      actorId: actor.profile.id,
      subjectId: person.id,
      ip,
      detail: { changed: changed.join(','), conflictsResolved: resolved },
    });
    return 'fixed';
  });
}

/** The department closes a partial-match case without changing the profile; the reason is kept with the case. */
export async function resolveConflict(
  db: Db,
  actor: Actor,
  conflictId: string,
  profileId: string,
  reason: string,
  ip: string | null,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const n = await repo.resolveConflicts(tx, profileId, actor.profile.id, conflictId, reason);
    if (n > 0)
      await audit(tx, {
        type: 'conflict.resolved',
        actorId: actor.profile.id,
        subjectId: profileId,
        ip,
        detail: { conflict: conflictId },
      });
    return n > 0;
  });
}

export async function designateAdministrator(
  db: Db,
  actor: Actor | null,
  org: Organization,
  person: Profile,
  contacts: { email: string | null; phone: string | null },
  ip: string | null,
): Promise<void> {
  requireActive(org);
  await db.transaction().execute(async (tx) => {
    // A designation is not a membership: it alone brings the person within reach of the
    // organization's administrators, so revoking it leaves nothing behind.
    await repo.designate(tx, {
      organizationId: org.id,
      profileId: person.id,
      ...contacts,
      designatedBy: actor?.profile.id ?? null,
    });
    await audit(tx, {
      type: 'diradmin.designated',
      actorId: actor?.profile.id ?? null,
      subjectId: person.id,
      ip,
      detail: { organization: org.code },
    });
  });
}

/** D4: a Directory Administrator chooses what the public list shows of them (nothing is fine). */
export async function publishContacts(
  db: Db,
  actor: Actor,
  org: Organization,
  contacts: { email: string | null; phone: string | null },
  ip: string | null,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const changed = await repo.updatePublishedContacts(tx, org.id, actor.profile.id, contacts);
    if (changed)
      await audit(tx, {
        type: 'diradmin.contactsChanged',
        actorId: actor.profile.id,
        subjectId: actor.profile.id,
        ip,
        detail: { organization: org.code },
      });
    return changed;
  });
}

export async function revokeAdministrator(
  db: Db,
  actor: Actor,
  org: Organization,
  profileId: string,
  ip: string | null,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const revoked = await repo.undesignate(tx, org.id, profileId);
    if (revoked)
      await audit(tx, {
        type: 'diradmin.revoked',
        actorId: actor.profile.id,
        subjectId: profileId,
        ip,
        detail: { organization: org.code },
      });
    return revoked;
  });
}

/**
 * Takes the person off the organization's staff, with their roles there. Returns the
 * applications whose roles went (to be told by back-channel logout), or null when the
 * person was neither on the staff nor held a role there.
 */
export async function removeStaffMember(
  db: Db,
  actor: Actor,
  org: Organization,
  person: Profile,
  ip: string | null,
): Promise<string[] | null> {
  return db.transaction().execute(async (tx) => {
    const grants = await repo.deleteGrantsIn(tx, org.id, person.id);
    for (const g of grants) {
      await audit(tx, {
        type: 'role.revoked',
        actorId: actor.profile.id,
        subjectId: person.id,
        ip,
        detail: { organization: org.code, application: g.application_id, role: g.role },
      });
    }
    const removed = await repo.removeMember(tx, org.id, person.id);
    if (!removed && grants.length === 0) return null;
    await audit(tx, {
      type: 'staff.removed',
      actorId: actor.profile.id,
      subjectId: person.id,
      ip,
      detail: { organization: org.code },
    });
    const applications = [...new Set(grants.map((g) => g.application_id))];
    await revokeApplicationGrants(tx, person.id, applications);
    return applications;
  });
}

export interface ApplicationRegistration {
  id: string;
  name: string;
  redirectUris: string[];
  restricted: boolean;
  roles: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  launchUrl: string | null;
}

const CLIENT_ID = /^[a-z0-9][a-z0-9_-]{1,62}$/;
const ROLE = /^[A-Za-z0-9_-]{1,63}$/;

/** An exact absolute URL, https except on this machine (for development and tests). */
function checkUrl(value: string, what: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not a URL at all: a form error, nothing to log.
    throw directoryErrors.urlNotAbsolute(what, value).at(field);
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local))
    throw directoryErrors.urlNotHttps(what, value).at(field);
  if (url.hash) throw directoryErrors.urlHasFragment(what, value).at(field);
  return url.href;
}

/**
 * D2/S1: the department registers an application as an OpenID Connect client. Returns the
 * client secret, which is stored only encrypted and shown once. `replace` (the CLI's
 * contract) re-registers an application that already has a client; the console refuses
 * that, so a typing slip cannot cut off a running application. A catalog entry without a
 * client (such as SIMS) is completed either way.
 */
export async function registerApplication(
  db: Db,
  box: SecretBox,
  input: ApplicationRegistration,
  actorId: string | null,
  {
    replace = true,
    ip = null,
    onReplaced,
  }: { replace?: boolean; ip?: string | null; onReplaced?: (replaced: ReplacedRegistration) => void } = {},
): Promise<string> {
  if (!CLIENT_ID.test(input.id)) throw directoryErrors.clientIdMalformed().at('clientId');
  if (isPartOfPortal(input)) throw directoryErrors.partOfPortalNotRegistered(input.id).at('clientId');
  const registration = applicationSettings(input, { signsIn: true });
  const secret = randomBytes(32).toString('base64url');
  await db.transaction().execute(async (tx) => {
    const previous = await applications.lockApplication(tx, input.id);
    const written = await applications.writeRegistration(
      tx,
      input.id,
      { ...registration, client_secret_encrypted: box.seal(secret) },
      { replace },
    );
    if (!written) {
      throw directoryErrors.clientIdTaken(input.id).at('clientId');
    }
    // A grant of a role the application no longer has would give nothing and could never be
    // revoked from the console: a replacement removes such grants, each audited as revoked.
    const removed = previous ? await applications.deleteGrantsOutsideRoles(tx, input.id, registration.roles) : [];
    for (const grant of removed) {
      await audit(tx, {
        type: 'role.revoked',
        actorId,
        subjectId: grant.profile_id,
        ip,
        detail: {
          organization: grant.organization_code,
          application: input.id,
          role: grant.role,
          reason: 'the application no longer has this role',
        },
      });
    }
    // As with any revocation, the application must sign them in again to learn what is left.
    for (const profileId of new Set(removed.map((g) => g.profile_id)))
      await revokeApplicationGrants(tx, profileId, [input.id]);
    // Made restricted: whoever has no role loses its sign-in (outside review F3).
    const signedOut =
      previous?.access === 'open' && registration.access === 'restricted'
        ? await revokeWhereNoAccess(tx, input.id)
        : [];
    const detail: Record<string, string | number | boolean> = { application: input.id, access: registration.access };
    if (previous)
      Object.assign(detail, {
        replaced: true,
        previousAccess: previous.access,
        grantsRemoved: removed.length,
        signedOut: signedOut.length,
      });
    await audit(tx, { type: 'application.added', actorId, ip, detail });
    if (previous) {
      onReplaced?.({
        previous,
        removedGrants: removed.map((g) => g.role),
        keptGrants: await applications.countGrants(tx, input.id),
      });
    }
  });
  return secret;
}

/** What a registration replaced: the application as it was, and what became of its role grants. */
export interface ReplacedRegistration {
  previous: Application;
  /** The role of each grant removed because the application no longer has that role. */
  removedGrants: string[];
  keptGrants: number;
}

/** The rules every application's settings follow, registered or edited. */
function applicationSettings(input: Omit<ApplicationRegistration, 'id'>, { signsIn }: { signsIn: boolean }) {
  if (!input.name.trim()) throw directoryErrors.applicationNameMissing().at('name');
  // A client needs somewhere to send people back; a catalog entry not yet registered has none.
  if (signsIn && input.redirectUris.length === 0) throw directoryErrors.redirectUriMissing().at('redirectUris');
  const roles = input.roles.length ? input.roles : ['user'];
  const badRole = roles.find((r) => !ROLE.test(r));
  if (badRole !== undefined) throw directoryErrors.roleMalformed(badRole).at('roles');
  return {
    name: input.name.trim(),
    access: input.restricted ? ('restricted' as const) : ('open' as const),
    roles: [...new Set(roles)],
    redirect_uris: input.redirectUris.map((u) => checkUrl(u, 'Redirect URI', 'redirectUris')),
    post_logout_redirect_uris: input.postLogoutRedirectUris.map((u) =>
      checkUrl(u, 'Post-logout redirect URI', 'postLogoutRedirectUris'),
    ),
    backchannel_logout_uri: input.backchannelLogoutUri
      ? checkUrl(input.backchannelLogoutUri, 'Back-channel logout URI', 'backchannelLogoutUri')
      : null,
    launch_url: input.launchUrl ? checkUrl(input.launchUrl, 'Launch URL', 'launchUrl') : null,
  };
}

/**
 * D2: the department changes a registered application's settings (its client id and secret
 * stay). The portal's own parts are not the department's to reshape, and a role still
 * granted to someone cannot disappear from under their grant.
 */
/** Returns the accounts whose sign-in to the application ended (made restricted, they hold no role). */
export async function updateApplication(
  db: Db,
  actor: Actor,
  app: Application,
  input: Omit<ApplicationRegistration, 'id'>,
  ip: string | null,
): Promise<string[]> {
  if (isPartOfPortal(app)) throw directoryErrors.partOfPortalNotEdited(app.name);
  const settings = applicationSettings(input, { signsIn: signsInThroughPortal(app) });
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const changed = [
    !same(settings.name, app.name) && 'name',
    !same(settings.access, app.access) && 'access',
    !same(settings.roles, app.roles) && 'roles',
    !same(settings.redirect_uris, app.redirect_uris) && 'redirectUris',
    !same(settings.post_logout_redirect_uris, app.post_logout_redirect_uris) && 'postLogoutRedirectUris',
    !same(settings.backchannel_logout_uri, app.backchannel_logout_uri) && 'backchannelLogoutUri',
    !same(settings.launch_url, app.launch_url) && 'launchUrl',
  ].filter((f): f is string => Boolean(f));
  return db.transaction().execute(async (tx) => {
    for (const role of app.roles.filter((r) => !settings.roles.includes(r))) {
      const holders = await repo.countGrants(tx, app.id, role);
      if (holders > 0) throw directoryErrors.roleStillGranted(role, holders).at('roles');
    }
    await repo.updateApplication(tx, app.id, settings);
    const signedOut =
      app.access === 'open' && settings.access === 'restricted' ? await revokeWhereNoAccess(tx, app.id) : [];
    await audit(tx, {
      type: 'application.updated',
      actorId: actor.profile.id,
      ip,
      detail: { application: app.id, changed: changed.join(','), signedOut: signedOut.length },
    });
    return signedOut;
  });
}

/**
 * Parts of the portal itself: Directory Administration is no client, and ELAR's client is
 * registered at start by the composition root (`ensureApplication`), not by the Department.
 */
export function isPartOfPortal(app: Pick<Application, 'id'>): boolean {
  return app.id === 'directory' || app.id === 'elar';
}

/**
 * At start, one of the portal's own applications (ELAR) is registered as an OpenID Connect
 * client, or refreshed: the URIs of this deployment, and its secret. The secret is the one
 * configured (a separate ELAR process is given the same), else the one stored, else a new
 * one. The application's roles, access and name stay the directory's. Not audited: it is
 * the deployment describing itself on every start, not a person's change.
 */
export async function ensureApplication(
  db: Db,
  box: SecretBox,
  client: applications.ClientUris & { id: string; secret?: string | undefined },
): Promise<{ clientId: string; clientSecret: string }> {
  const offered = client.secret ?? randomBytes(32).toString('base64url');
  const sealed = await applications.refreshClient(
    db,
    client.id,
    client,
    box.seal(offered),
    client.secret !== undefined,
  );
  if (!sealed) throw new Error(`There is no application "${client.id}" in the catalog to register as a client`);
  return { clientId: client.id, clientSecret: box.open(sealed) };
}

/** Registered as an OpenID Connect client: a secret and somewhere to send people back. */
export function signsInThroughPortal(app: Application): boolean {
  return app.client_secret_encrypted !== null && app.redirect_uris.length > 0;
}

export function hasReplaceableSecret(app: Application): boolean {
  return signsInThroughPortal(app) && !isPartOfPortal(app);
}

/** A new client secret for a registered application, e.g. when the old one leaked. The old one stops working at once. */
export async function issueClientSecret(
  db: Db,
  box: SecretBox,
  app: Application,
  actor: Actor,
  ip: string | null,
): Promise<string> {
  if (!hasReplaceableSecret(app)) throw directoryErrors.noReplaceableSecret(app.name);
  const secret = randomBytes(32).toString('base64url');
  await db.transaction().execute(async (tx) => {
    await applications.setClientSecret(tx, app.id, box.seal(secret));
    await audit(tx, {
      type: 'application.secretIssued',
      actorId: actor.profile.id,
      ip,
      detail: { application: app.id },
    });
  });
  return secret;
}

export interface OrganizationDetails {
  name: string;
  town: string | null;
  phone: string | null;
}

/** D1/D5: the department adds one organization by hand (the CSV import adds many). */
export async function addOrganization(
  db: Db,
  actor: Actor,
  input: OrganizationDetails & { code: string; type: OrganizationType },
  ip: string | null,
): Promise<Organization> {
  const problem = codeProblem(input.code, input.type);
  if (problem) throw directoryErrors.organizationCodeMalformed(capitalize(problem)).at('code');
  return db.transaction().execute(async (tx) => {
    let districtId: string | null = null;
    if (input.type === 'school') {
      const district = await repo.findOrganizationByCode(tx, districtCodeOf(input.code));
      if (district?.type !== 'district') {
        throw directoryErrors.noSuchDistrict(districtCodeOf(input.code)).at('code');
      }
      districtId = district.id;
    }
    const org = await repo.insertOrganization(tx, { ...input, districtId });
    if (!org) throw directoryErrors.organizationCodeTaken(input.code).at('code');
    await audit(tx, {
      type: 'organization.added',
      actorId: actor.profile.id,
      ip,
      detail: { organization: org.code, type: org.type },
    });
    return org;
  });
}

/**
 * The department corrects an organization's details or makes it inactive (or active
 * again). Made inactive, its roles give no access: every person holding one loses that
 * application's grants and tokens at once. Returns those people and applications, to be
 * told by back-channel logout.
 */
export async function updateOrganization(
  db: Db,
  actor: Actor,
  org: Organization,
  details: OrganizationDetails & { status: Organization['status'] },
  ip: string | null,
): Promise<Map<string, string[]>> {
  return db.transaction().execute(async (tx) => {
    await repo.updateOrganization(tx, org.id, details);
    await audit(tx, {
      type: 'organization.updated',
      actorId: actor.profile.id,
      ip,
      detail: { organization: org.code, status: details.status },
    });
    const ended = new Map<string, string[]>();
    if (details.status !== 'inactive' || org.status === 'inactive') return ended;
    for (const { profile_id, application_id } of await repo.grantHoldersIn(tx, org.id)) {
      ended.set(profile_id, [...(ended.get(profile_id) ?? []), application_id]);
    }
    for (const [profileId, applications] of ended) await revokeApplicationGrants(tx, profileId, applications);
    return ended;
  });
}
