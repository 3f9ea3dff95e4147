import type { PortalError } from '../../platform/errors.ts';
import { elarErrors } from '../errors.ts';
import { can, type ElarActor, type ElarPermission } from '../staff.ts';

/**
 * The life of an application (LICENSURE.md, "Application life") as a table of named
 * transitions. Nothing else decides whether an application may move: the one function that
 * applies a transition (apply-transition.ts) looks the name up here, asks who may run it and
 * runs its guards, then writes `state` with the effects listed here.
 */

/** The states, spelled as CONTRACT.md's `data-application-status` values. */
export const APPLICATION_STATES = [
  'draft',
  'awaiting-payment',
  'not-ready',
  'ready-for-review',
  'in-review',
  'information-requested',
  'approved',
  'denied',
  'reconsideration-requested',
  'withdrawn',
] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

/**
 * Closed states: a decision or a withdrawal. While an application is open, its licenses
 * count as "already applied for" (one open application per license). A denial closes the
 * application; asking for reconsideration opens it again.
 */
const CLOSED: readonly ApplicationState[] = ['approved', 'denied', 'withdrawn'];
export const OPEN_STATES = APPLICATION_STATES.filter((s) => !CLOSED.includes(s));
export const isOpen = (state: ApplicationState) => !CLOSED.includes(state);

/**
 * Whether a denial decided at `decidedAt` may still be reconsidered at `now`: its last moment
 * included. One rule for the transition and for the refund that must wait for it.
 */
export function mayBeReconsidered(decidedAt: Date | null, reconsiderationDays: number, now: Date): boolean {
  return decidedAt !== null && now.getTime() <= decidedAt.getTime() + reconsiderationDays * 86_400_000;
}

export function isApplicationState(value: string): value is ApplicationState {
  return (APPLICATION_STATES as readonly string[]).includes(value);
}

/** Who asks for a change: the educator the application belongs to, Department staff, or ELAR itself (a job, a payment). */
export type TransitionActor =
  { kind: 'educator'; sub: string } | ({ kind: 'staff'; sub: string } & ElarActor) | { kind: 'system'; name: string };

/** The facts about an application that guards look at, read in the transition's own transaction. */
export interface ApplicationFacts {
  now: Date;
  /** Every section of the task list is marked complete, the affidavit included. */
  sectionsComplete: boolean;
  licenseCount: number;
  /** Every gate item is on file (self-reported for now). */
  gateItemsComplete: boolean;
  /** When the application was last denied, for the reconsideration window. */
  decidedAt: Date | null;
  reconsiderationDays: number;
  /** The reason given with the request, trimmed; null when none. */
  reason: string | null;
}

/** What a transition needs from its caller beyond the facts: a fee quote at submission, a payment reference. */
export interface TransitionInputs {
  quote?: { cents: number; scheduleVersion: number };
  paymentRef?: string;
}

/** The columns of the application row a transition sets besides state and version. */
export interface TransitionStamps {
  submitted_at?: Date;
  paid_at?: Date;
  decided_at?: Date;
  fee_cents?: number;
  fee_schedule_version?: number;
  payment_ref?: string;
  draft_expires_at?: null;
}

/** A check that must pass; returns the refusal in the person's words, or null. */
export type Guard = (facts: ApplicationFacts, actor: TransitionActor) => PortalError | null;

export interface Transition {
  name: TransitionName;
  from: readonly ApplicationState[];
  to: ApplicationState;
  /** `educator`: the owner (the service loads the application only for them); a permission: staff who have it; `system`: ELAR itself. */
  by: readonly ('educator' | 'system' | ElarPermission)[];
  guards: readonly Guard[];
  effects: (facts: ApplicationFacts, inputs: TransitionInputs) => TransitionStamps;
}

/** The guards, named so that a refusal says which step refused. */
export const guards = {
  everySectionComplete: ((facts) =>
    facts.sectionsComplete ? null : elarErrors.applicationIncomplete()) satisfies Guard,
  atLeastOneLicense: ((facts) => (facts.licenseCount > 0 ? null : elarErrors.noLicenseChosen())) satisfies Guard,
  gateItemsOnFile: ((facts) => (facts.gateItemsComplete ? null : elarErrors.gateItemsMissing())) satisfies Guard,
  gateItemsMissing: ((facts) => (facts.gateItemsComplete ? elarErrors.gateItemsOnFile() : null)) satisfies Guard,
  withinReconsiderationWindow: ((facts) =>
    mayBeReconsidered(facts.decidedAt, facts.reconsiderationDays, facts.now)
      ? null
      : elarErrors.reconsiderationClosed(facts.reconsiderationDays)) satisfies Guard,
  reasonGiven: ((facts) => (facts.reason ? null : elarErrors.reasonRequired())) satisfies Guard,
  /** The educator may withdraw without saying why; the Department must always say why. */
  staffGiveAReason: ((facts, actor) =>
    actor.kind !== 'staff' || facts.reason
      ? null
      : elarErrors.reasonRequired('the reason the Department is withdrawing this application')) satisfies Guard,
};

const none = () => ({});

const TABLE = [
  {
    name: 'submit',
    from: ['draft'],
    to: 'awaiting-payment',
    by: ['educator'],
    guards: [guards.atLeastOneLicense, guards.everySectionComplete],
    // The fee is quoted now, from the schedule in force now, and kept whatever the schedule does later.
    effects: (facts, { quote }) => {
      if (!quote) throw new Error('submit needs a fee quote');
      return {
        submitted_at: facts.now,
        fee_cents: quote.cents,
        fee_schedule_version: quote.scheduleVersion,
        draft_expires_at: null,
      };
    },
  },
  {
    name: 'payment-received',
    from: ['awaiting-payment'],
    to: 'not-ready',
    by: ['system'],
    guards: [guards.gateItemsMissing],
    effects: paid,
  },
  {
    name: 'payment-received-ready',
    from: ['awaiting-payment'],
    to: 'ready-for-review',
    by: ['system'],
    guards: [guards.gateItemsOnFile],
    effects: paid,
  },
  {
    name: 'gate-items-complete',
    from: ['not-ready'],
    to: 'ready-for-review',
    by: ['system'],
    guards: [guards.gateItemsOnFile],
    effects: none,
  },
  {
    // An evaluator finds a gate item is not what it said (a transcript without its back page).
    name: 'gate-items-incomplete',
    from: ['ready-for-review'],
    to: 'not-ready',
    by: ['application.evaluate'],
    guards: [guards.reasonGiven],
    effects: none,
  },
  {
    name: 'start-review',
    from: ['ready-for-review'],
    to: 'in-review',
    by: ['application.evaluate'],
    guards: [],
    effects: none,
  },
  {
    name: 'request-information',
    from: ['in-review'],
    to: 'information-requested',
    by: ['application.evaluate'],
    guards: [],
    effects: none,
  },
  {
    name: 'answer-information',
    from: ['information-requested'],
    to: 'in-review',
    by: ['educator'],
    guards: [],
    effects: none,
  },
  {
    // No answer by the due date: the application goes back to its evaluator, never denied by itself.
    name: 'information-overdue',
    from: ['information-requested'],
    to: 'in-review',
    by: ['system'],
    guards: [],
    effects: none,
  },
  {
    name: 'approve',
    from: ['in-review'],
    to: 'approved',
    by: ['application.decide'],
    guards: [],
    effects: decided,
  },
  {
    name: 'deny',
    from: ['in-review'],
    to: 'denied',
    by: ['application.decide'],
    guards: [guards.reasonGiven],
    effects: decided,
  },
  {
    name: 'request-reconsideration',
    from: ['denied'],
    to: 'reconsideration-requested',
    by: ['educator'],
    guards: [guards.withinReconsiderationWindow, guards.reasonGiven],
    effects: none,
  },
  {
    name: 'uphold-denial',
    from: ['reconsideration-requested'],
    to: 'denied',
    by: ['application.decide'],
    guards: [guards.reasonGiven],
    effects: decided,
  },
  {
    name: 'reopen-review',
    from: ['reconsideration-requested'],
    to: 'in-review',
    by: ['application.decide'],
    guards: [],
    effects: none,
  },
  {
    name: 'withdraw',
    from: OPEN_STATES,
    to: 'withdrawn',
    by: ['educator', 'application.decide'],
    guards: [guards.staffGiveAReason],
    effects: none,
  },
] as const satisfies readonly (Omit<Transition, 'name'> & { name: string })[];

export type TransitionName = (typeof TABLE)[number]['name'];

export const TRANSITIONS: readonly Transition[] = TABLE;

function paid(facts: ApplicationFacts, { paymentRef }: TransitionInputs): TransitionStamps {
  if (!paymentRef) throw new Error('a payment transition needs the payment reference');
  return { paid_at: facts.now, payment_ref: paymentRef };
}

function decided(facts: ApplicationFacts): TransitionStamps {
  return { decided_at: facts.now };
}

export function transitionNamed(name: TransitionName): Transition {
  return TRANSITIONS.find((t) => t.name === name)!;
}

export function isTransitionName(value: string): value is TransitionName {
  return TRANSITIONS.some((t) => t.name === value);
}

/** Whether this actor is among those who may run the transition. Ownership is the service's check, before this. */
export function mayRun(transition: Transition, actor: TransitionActor): boolean {
  return transition.by.some((who) => {
    if (who === 'educator') return actor.kind === 'educator';
    if (who === 'system') return actor.kind === 'system';
    return actor.kind === 'staff' && can(actor, who);
  });
}

/**
 * Decides a transition from `state`: the refusal, or the stamps to write with the new
 * state. Who may, then from where, then the guards in order: the first refusal is the answer.
 */
export function decide(
  transition: Transition,
  state: ApplicationState,
  actor: TransitionActor,
  facts: ApplicationFacts,
  inputs: TransitionInputs = {},
): { refused: PortalError } | { stamps: TransitionStamps } {
  if (!mayRun(transition, actor)) {
    return { refused: elarErrors.forbidden() };
  }
  if (!transition.from.includes(state)) {
    return { refused: elarErrors.transitionRefused() };
  }
  for (const guard of transition.guards) {
    const refused = guard(facts, actor);
    if (refused) return { refused };
  }
  return { stamps: transition.effects(facts, inputs) };
}
