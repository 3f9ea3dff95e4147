import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  APPLICATION_STATES,
  TRANSITIONS,
  decide,
  isOpen,
  transitionNamed,
  type ApplicationFacts,
  type ApplicationState,
  type TransitionActor,
  type TransitionName,
} from '../../../src/elar/applications/transitions.ts';
import { STATE_WORDS, TRANSITION_WORDS } from '../../../src/elar/applications/wording.ts';

/**
 * LICENSURE.md's application life, written out again by hand: the table must allow exactly
 * these moves, by exactly these people, and refuse every other.
 */
const OPEN: ApplicationState[] = [
  'draft',
  'awaiting-payment',
  'not-ready',
  'ready-for-review',
  'in-review',
  'information-requested',
  'reconsideration-requested',
];
const EXPECTED: [TransitionName, ApplicationState[], ApplicationState][] = [
  ['submit', ['draft'], 'awaiting-payment'],
  ['payment-received', ['awaiting-payment'], 'not-ready'],
  ['payment-received-ready', ['awaiting-payment'], 'ready-for-review'],
  ['gate-items-complete', ['not-ready'], 'ready-for-review'],
  ['gate-items-incomplete', ['ready-for-review'], 'not-ready'],
  ['start-review', ['ready-for-review'], 'in-review'],
  ['request-information', ['in-review'], 'information-requested'],
  ['answer-information', ['information-requested'], 'in-review'],
  ['information-overdue', ['information-requested'], 'in-review'],
  ['approve', ['in-review'], 'approved'],
  ['deny', ['in-review'], 'denied'],
  ['request-reconsideration', ['denied'], 'reconsideration-requested'],
  ['uphold-denial', ['reconsideration-requested'], 'denied'],
  ['reopen-review', ['reconsideration-requested'], 'in-review'],
  ['withdraw', OPEN, 'withdrawn'],
];

const now = new Date('2026-06-01T12:00:00Z');
/** Facts under which every guard passes. */
const passing: ApplicationFacts = {
  now,
  sectionsComplete: true,
  licenseCount: 2,
  gateItemsComplete: true,
  decidedAt: new Date('2026-05-20T12:00:00Z'),
  reconsiderationDays: 30,
  reason: 'a reason',
};
const educator: TransitionActor = { kind: 'educator', sub: 'person-1' };
const system: TransitionActor = { kind: 'system', name: 'test' };
const evaluator: TransitionActor = { kind: 'staff', sub: 'staff-1', staffRoles: ['licensure-evaluator'] };
const supervisor: TransitionActor = { kind: 'staff', sub: 'staff-2', staffRoles: ['licensure-supervisor'] };
const paymentsOfficer: TransitionActor = { kind: 'staff', sub: 'staff-3', staffRoles: ['payments'] };
const inputs = { quote: { cents: 12500, scheduleVersion: 1 }, paymentRef: 'pay_1' };

/** The facts a transition's guards need to pass, where they are not all the same (gate items either way). */
function factsFor(name: TransitionName): ApplicationFacts {
  if (name === 'payment-received') return { ...passing, gateItemsComplete: false };
  return passing;
}
/** Someone the table allows to run it. */
function allowedActor(name: TransitionName): TransitionActor {
  const by = transitionNamed(name).by;
  if (by.includes('educator')) return educator;
  if (by.includes('system')) return system;
  if (by.includes('application.decide')) return supervisor;
  return evaluator;
}

describe('the application state machine', () => {
  test('it has exactly the states of CONTRACT.md, each with words for people', () => {
    assert.deepEqual([...APPLICATION_STATES].sort(), [
      'approved',
      'awaiting-payment',
      'denied',
      'draft',
      'in-review',
      'information-requested',
      'not-ready',
      'ready-for-review',
      'reconsideration-requested',
      'withdrawn',
    ]);
    for (const state of APPLICATION_STATES) {
      assert.ok(STATE_WORDS[state].explanation.length > 20, state);
      assert.doesNotMatch(STATE_WORDS[state].explanation, /[a-z]+-[a-z]+-?[a-z]*/, `${state}: no codes in the words`);
    }
  });

  test('it has exactly the transitions of the application life, each with a timeline sentence', () => {
    assert.deepEqual(
      TRANSITIONS.map((t) => [t.name, [...t.from].sort(), t.to]),
      EXPECTED.map(([name, from, to]) => [name, [...from].sort(), to]),
    );
    for (const t of TRANSITIONS) assert.ok(TRANSITION_WORDS[t.name].endsWith('.'), t.name);
  });

  test('each transition is allowed from its from-states and refused from every other state', () => {
    for (const [name, from] of EXPECTED) {
      const transition = transitionNamed(name);
      for (const state of APPLICATION_STATES) {
        const outcome = decide(transition, state, allowedActor(name), factsFor(name), inputs);
        if (from.includes(state)) assert.ok('stamps' in outcome, `${name} from ${state} is allowed`);
        else {
          assert.ok('refused' in outcome, `${name} from ${state} is refused`);
          assert.equal(outcome.refused.code, 'ELAR_ERR_TRANSITION_REFUSED');
          assert.equal(outcome.refused.statusCode, 409);
        }
      }
    }
  });

  test('only the people the table names may run each transition', () => {
    const who: Record<string, TransitionActor> = { educator, system, evaluator, supervisor, paymentsOfficer };
    const allowed: Record<TransitionName, string[]> = {
      submit: ['educator'],
      'payment-received': ['system'],
      'payment-received-ready': ['system'],
      'gate-items-complete': ['system'],
      'gate-items-incomplete': ['evaluator', 'supervisor'],
      'start-review': ['evaluator', 'supervisor'],
      'request-information': ['evaluator', 'supervisor'],
      'answer-information': ['educator'],
      'information-overdue': ['system'],
      approve: ['supervisor'],
      deny: ['supervisor'],
      'request-reconsideration': ['educator'],
      'uphold-denial': ['supervisor'],
      'reopen-review': ['supervisor'],
      withdraw: ['educator', 'supervisor'],
    };
    for (const [name, from] of EXPECTED) {
      for (const [label, actor] of Object.entries(who)) {
        const outcome = decide(transitionNamed(name), from[0]!, actor, factsFor(name), inputs);
        if (allowed[name].includes(label)) assert.ok('stamps' in outcome, `${label} may ${name}`);
        else
          assert.equal('refused' in outcome && outcome.refused.code, 'ELAR_ERR_FORBIDDEN', `${label} may not ${name}`);
      }
    }
  });

  test('submitting needs every section complete and a license, and quotes the fee', () => {
    const submit = transitionNamed('submit');
    const incomplete = decide(submit, 'draft', educator, { ...passing, sectionsComplete: false }, inputs);
    assert.equal('refused' in incomplete && incomplete.refused.code, 'ELAR_ERR_APPLICATION_INCOMPLETE');
    const noLicense = decide(submit, 'draft', educator, { ...passing, licenseCount: 0 }, inputs);
    assert.equal('refused' in noLicense && noLicense.refused.code, 'ELAR_ERR_NO_LICENSE_CHOSEN');
    const ok = decide(submit, 'draft', educator, passing, inputs);
    assert.deepEqual('stamps' in ok && ok.stamps, {
      submitted_at: now,
      fee_cents: 12500,
      fee_schedule_version: 1,
      draft_expires_at: null,
    });
  });

  test('payment leads to not ready or ready for review by the gate items, never both', () => {
    for (const gateItemsComplete of [true, false]) {
      const facts = { ...passing, gateItemsComplete };
      const outcomes: string[] = (['payment-received', 'payment-received-ready'] as const).filter(
        (name) => 'stamps' in decide(transitionNamed(name), 'awaiting-payment', system, facts, inputs),
      );
      assert.deepEqual(outcomes, [gateItemsComplete ? 'payment-received-ready' : 'payment-received']);
    }
    const stillMissing = decide(transitionNamed('gate-items-complete'), 'not-ready', system, {
      ...passing,
      gateItemsComplete: false,
    });
    assert.equal('refused' in stillMissing && stillMissing.refused.code, 'ELAR_ERR_GATE_ITEMS_MISSING');
  });

  test('reconsideration can be asked for within the window after a denial, and not a day later', () => {
    const reconsider = transitionNamed('request-reconsideration');
    const decidedAt = new Date('2026-05-01T12:00:00Z');
    const on = (iso: string) => ({ ...passing, decidedAt, now: new Date(iso) });
    assert.ok('stamps' in decide(reconsider, 'denied', educator, on('2026-05-31T12:00:00Z')));
    const late = decide(reconsider, 'denied', educator, on('2026-05-31T12:00:01Z'));
    assert.equal('refused' in late && late.refused.code, 'ELAR_ERR_RECONSIDERATION_CLOSED');
    const shorter = decide(reconsider, 'denied', educator, { ...on('2026-05-20T12:00:00Z'), reconsiderationDays: 10 });
    assert.ok('refused' in shorter, 'the window is a setting');
  });

  test('staff must give a reason to withdraw or deny; the educator need not to withdraw', () => {
    const noReason = { ...passing, reason: null };
    assert.ok('stamps' in decide(transitionNamed('withdraw'), 'in-review', educator, noReason));
    const staff = decide(transitionNamed('withdraw'), 'in-review', supervisor, noReason);
    assert.equal('refused' in staff && staff.refused.code, 'ELAR_ERR_REASON_REQUIRED');
    const deny = decide(transitionNamed('deny'), 'in-review', supervisor, noReason);
    assert.equal('refused' in deny && deny.refused.code, 'ELAR_ERR_REASON_REQUIRED');
  });

  test('a decision or withdrawal closes an application; reconsideration opens it again', () => {
    assert.deepEqual(
      APPLICATION_STATES.filter((s) => !isOpen(s)),
      ['approved', 'denied', 'withdrawn'],
    );
    assert.equal(isOpen(transitionNamed('request-reconsideration').to), true);
  });
});
