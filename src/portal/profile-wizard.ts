import { audit } from './audit-events.ts';
import { retryOnUniqueViolation } from '../platform/db.ts';
import type { Db } from '../database.ts';
import type { Profile } from './schema.ts';
import { faultPoint } from '../platform/faults.ts';
import { completePrecreatedProfile, createProfile, ssnFields, type AccountRules } from './accounts.ts';
import { finishFlow, lockFlow, saveFlow, type Flow, type FlowData } from './flow-repository.ts';
import { verifySecret } from './hashing.ts';
import { classifyMatch, nameKey, type MatchOutcome } from './identity.ts';
import * as profiles from './profile-repository.ts';
import { throttled, type ThrottleRule } from './throttle.ts';
import { clearFailures, lockedUntil } from './throttle-repository.ts';

/**
 * The Create Profile / Retrieve User Name wizard (SPEC P3, P4) as named steps. Routes call
 * one step per request; `nextStep` says where a flow stands, so pages visited out of
 * order send the person back to the right one.
 */

export interface WizardDeps {
  db: Db;
  rules: AccountRules;
  ttlMs: number;
  hintThrottle: ThrottleRule;
  /** Partial matches per source address: each one tells that some record holds the details. */
  partialMatchThrottle: ThrottleRule;
}

export type WizardStep =
  | 'identity'
  | 'contact'
  | 'background'
  | 'security'
  | 'review'
  | 'done'
  | 'partial-match'
  | 'exact-match'
  | 'hint'
  | 'new-password'
  | 'password-changed';

/** Where each step lives in Create Profile; recovery has its own addresses for its own pages (`stepPath`). */
export const STEP_PATHS: Record<WizardStep, string> = {
  identity: '/profile/new',
  contact: '/profile/new/contact',
  background: '/profile/new/background',
  security: '/profile/new/security',
  review: '/profile/new/review',
  done: '/profile/new/done',
  'partial-match': '/profile/new/partial-match',
  'exact-match': '/profile/new/exact-match',
  hint: '/account/recover/hint',
  'new-password': '/account/recover/password',
  'password-changed': '/account/recover/done',
};

/** The steps that Retrieve User Name / Reset Password shows under its own address and in its own words. */
const RECOVER_PATHS: Partial<Record<WizardStep, string>> = {
  identity: '/account/recover',
  'partial-match': '/account/recover/partial-match',
  'exact-match': '/account/recover/exact-match',
};

export function stepPath(step: WizardStep, mode: FlowData['mode'] | undefined): string {
  return (mode === 'recover' ? RECOVER_PATHS[step] : undefined) ?? STEP_PATHS[step];
}

/** The flow a step's address belongs to, for a page asked for when no answers are kept. */
export function modeOfPath(path: string): FlowData['mode'] {
  return path.startsWith('/account/recover') ? 'recover' : 'create';
}

const NEW_PROFILE_STEPS: WizardStep[] = ['contact', 'background', 'security', 'review'];
const PRECREATED_STEPS: WizardStep[] = ['security', 'review'];

export function nextStep(data: FlowData | undefined): WizardStep {
  if (!data?.identity || !data.match) return 'identity';
  if (data.outcome === 'password-changed') return 'password-changed';
  if (data.outcome) return 'done';
  switch (data.match.kind) {
    case 'partial':
      return 'partial-match';
    case 'exact':
      return data.hintAnswered ? 'new-password' : 'exact-match';
    case 'precreated':
      return data.security ? 'review' : 'security';
    case 'none':
      if (!data.contact) return 'contact';
      if (!data.background) return 'background';
      if (!data.security) return 'security';
      return 'review';
  }
}

/** A page may be shown when it is the next step or one already done (to change answers). */
export function canVisit(data: FlowData | undefined, step: WizardStep): boolean {
  const next = nextStep(data);
  if (step === next || step === 'identity') return true;
  if (data?.outcome) return false;
  const sequence =
    data?.match?.kind === 'none' ? NEW_PROFILE_STEPS : data?.match?.kind === 'precreated' ? PRECREATED_STEPS : [];
  const at = sequence.indexOf(step);
  if (at >= 0) return at <= sequence.indexOf(next);
  return step === 'hint' && data?.match?.kind === 'exact';
}

export interface IdentityAnswers {
  firstName: string;
  middleName: string | null;
  lastName: string;
  dateOfBirth: string;
  ssnDigits: string;
}

/** The partial-match counter of a source address. */
export function partialMatchKey(ip: string): string {
  return `match:${ip}`;
}

export type IdentityResult = { kind: 'matched'; token: string; data: FlowData } | { kind: 'locked'; until: Date };

/**
 * Step 1: keep the identity (SSN hashed at once) and match it against existing records.
 * A partial match must say so (SPEC P3), which tells that some record holds an SSN or a
 * name and birth date; so an address that keeps getting partial matches is paused, like
 * one that keeps failing to log in.
 */
export async function submitIdentity(
  deps: WizardDeps,
  flow: Flow | null,
  mode: FlowData['mode'],
  answers: IdentityAnswers,
  ip: string | null,
): Promise<IdentityResult> {
  const ssn = ssnFields(deps.rules, answers.ssnDigits);
  const identity = {
    firstName: answers.firstName,
    middleName: answers.middleName,
    lastName: answers.lastName,
    dateOfBirth: answers.dateOfBirth,
    ssnHash: ssn.hash,
    ssnLast4: ssn.last4,
  };
  // The match, its audit event, a partial match's conflict and the saved answers are one
  // write: none of them without the others.
  const matchAndSave = () =>
    deps.db.transaction().execute(async (tx) => {
      const match = await matchIdentity(tx, identity);
      const data: FlowData = { mode, identity, match, ...answersKept(flow, match) };
      await recordMatch(tx, data, ip);
      const token = await saveFlow(tx, flow && !flow.data.outcome ? flow.token : null, data, deps.ttlMs);
      return { kind: 'matched' as const, token, data };
    });
  if (ip === null) return matchAndSave();
  // Every match takes a place in the address's counter before it runs; only a partial
  // match keeps it, so parallel probes cannot get past the pause either.
  const checked = await throttled(
    deps.db,
    [{ key: partialMatchKey(ip), rule: deps.partialMatchThrottle }],
    matchAndSave,
    (result) => result.data.match!.kind === 'partial',
  );
  return checked.kind === 'locked' ? checked : checked.value;
}

/**
 * A corrected identity (Change from Check your answers) keeps the other pages' answers when
 * it still leads to the same place: no match, or the same pre-created profile. An identity
 * that now matches someone else restarts the flow, so answers never carry over to them.
 */
function answersKept(flow: Flow | null, match: MatchOutcome): Partial<FlowData> {
  const before = flow?.data;
  if (!before?.match || before.outcome) return {};
  const { contact, background, security } = before;
  if (match.kind === 'none' && before.match.kind === 'none') return { contact, background, security };
  if (match.kind === 'precreated' && before.match.kind === 'precreated' && match.profileId === before.match.profileId)
    return { security };
  return {};
}

async function matchIdentity(db: Db, identity: NonNullable<FlowData['identity']>): Promise<MatchOutcome> {
  const keys = {
    firstNameKey: nameKey(identity.firstName),
    lastNameKey: nameKey(identity.lastName),
    dateOfBirth: identity.dateOfBirth,
    ssnHash: identity.ssnHash,
  };
  return classifyMatch(keys, await profiles.findMatchCandidates(db, keys));
}

async function recordMatch(db: Db, data: FlowData, ip: string | null): Promise<void> {
  const match = data.match!;
  const subjectId = match.kind === 'none' ? null : match.profileId;
  await audit(db, { type: `match.${match.kind}`, subjectId, ip, detail: { mode: data.mode } });
  if (match.kind === 'partial') {
    const identity = data.identity!;
    // What the administrator needs to resolve the conflict; the SSN only as its last four.
    await profiles.recordMatchConflict(db, match.profileId, match.conflicts, {
      firstName: identity.firstName,
      middleName: identity.middleName,
      lastName: identity.lastName,
      dateOfBirth: identity.dateOfBirth,
      ssnLast4: identity.ssnLast4,
    });
  }
}

export async function saveAnswers(deps: WizardDeps, flow: Flow, changes: Partial<FlowData>): Promise<FlowData> {
  const data = { ...flow.data, ...changes };
  await saveFlow(deps.db, flow.token, data, deps.ttlMs);
  return data;
}

export type FinishResult =
  { kind: 'done'; profileId: string } | { kind: 'rematched'; data: FlowData } | { kind: 'expired' };

/**
 * The final submit. One transaction holds the flow's row locked, so a double submit waits
 * and then finds the profile already made; matching runs again in case someone else
 * created a matching profile while this person was typing.
 */
export async function finishProfile(deps: WizardDeps, token: string, ip: string | null): Promise<FinishResult> {
  const result = await retryOnUniqueViolation((): Promise<FinishResult> =>
    deps.db.transaction().execute(async (tx) => {
      const flow = await lockFlow(tx, token);
      if (!flow) return { kind: 'expired' };
      if (flow.resultProfileId) return { kind: 'done', profileId: flow.resultProfileId };
      const data = flow.data;
      if (nextStep(data) !== 'review' || !data.identity || !data.security) return { kind: 'expired' };

      const match = await matchIdentity(tx, data.identity);
      const expected = data.match!;
      const same =
        match.kind === expected.kind &&
        (match.kind === 'none' || (expected.kind !== 'none' && match.profileId === expected.profileId));
      if (!same) {
        const rematched: FlowData = { mode: data.mode, identity: data.identity, match };
        await recordMatch(tx, rematched, ip);
        await saveFlow(tx, token, rematched, deps.ttlMs);
        return { kind: 'rematched', data: rematched };
      }

      const credentials = {
        passwordHash: data.security.passwordHash,
        hintQuestion: data.security.hintQuestion,
        hintAnswerHash: data.security.hintAnswerHash,
      };
      let profileId: string;
      let outcome: 'created' | 'completed';
      if (match.kind === 'precreated') {
        await completePrecreatedProfile(tx, match.profileId, credentials, ip);
        profileId = match.profileId;
        outcome = 'completed';
      } else {
        const identity = data.identity;
        const contact = data.contact!;
        const background = data.background!;
        const created = await createProfile(
          tx,
          {
            firstName: identity.firstName,
            middleName: identity.middleName,
            lastName: identity.lastName,
            dateOfBirth: identity.dateOfBirth,
            ssn: { hash: identity.ssnHash, last4: identity.ssnLast4 },
            ...contact,
            ...background,
          },
          credentials,
          { ip },
        );
        profileId = created.id;
        outcome = 'created';
      }
      await finishFlow(tx, token, { ...data, outcome }, profileId);
      faultPoint('profile.create:before-commit');
      return { kind: 'done' as const, profileId };
    }),
  );
  if (result.kind === 'done') faultPoint('profile.create:after-commit');
  return result;
}

export type HintResult = { kind: 'answered' } | { kind: 'wrong' } | { kind: 'locked'; until: Date };

/** The failure counter of a profile's password hint question. */
export function hintKey(profileId: string): string {
  return `hint:${profileId}`;
}

/**
 * P5: the answer must be exactly the one given (case, spaces, punctuation). Throttled.
 * `profile` is the flow's exact match, already loaded by the caller.
 */
export async function answerHint(
  deps: WizardDeps,
  flow: Flow,
  profile: Profile,
  answer: string,
  ip: string | null,
): Promise<HintResult> {
  const match = flow.data.match;
  if (match?.kind !== 'exact' || match.profileId !== profile.id) return { kind: 'wrong' };
  const key = hintKey(profile.id);
  const checked = await throttled(
    deps.db,
    [{ key, rule: deps.hintThrottle }],
    async () => (profile.hint_answer_hash ? await verifySecret(profile.hint_answer_hash, answer) : false),
    (correct) => !correct,
  );
  if (checked.kind === 'locked') return checked;
  if (checked.value) {
    await clearFailures(deps.db, key);
    await saveAnswers(deps, flow, { hintAnswered: true });
    await audit(deps.db, { type: 'hint.answered', subjectId: match.profileId, ip });
    return { kind: 'answered' };
  }
  const nowLocked = checked.lockedKeys.length > 0;
  await audit(deps.db, { type: nowLocked ? 'hint.locked' : 'hint.failed', subjectId: match.profileId, ip });
  if (nowLocked) {
    return { kind: 'locked', until: (await lockedUntil(deps.db, [key])) ?? new Date() };
  }
  return { kind: 'wrong' };
}
