import type { ApplicationState, TransitionName } from './transitions.ts';

/**
 * What a person reads about their application, in one place: a name and an explanation for
 * each state, and a timeline sentence for each transition. Pages and emails take their
 * words from here and never show a state's or a transition's code.
 */

export const STATE_WORDS: Record<ApplicationState, { name: string; explanation: string }> = {
  draft: {
    name: 'Draft',
    explanation:
      'You have started this application but not sent it. Your answers are saved after every step: you can come back to it from any device.',
  },
  'awaiting-payment': {
    name: 'Waiting for payment',
    explanation:
      'You have sent your application. It goes to the Department once the fee is paid. You can pay now or come back and pay later.',
  },
  'not-ready': {
    name: 'Not ready for review',
    explanation:
      'We have your payment. An evaluator will look at your application when everything needed to start is on file: your Communication and Literacy Skills test result and your bachelor’s degree transcript.',
  },
  'ready-for-review': {
    name: 'Ready for review',
    explanation:
      'We have your payment and everything needed to start. An evaluator will look at your application in the order it was received.',
  },
  'in-review': {
    name: 'In review',
    explanation: 'An evaluator is looking at your application.',
  },
  'information-requested': {
    name: 'Information requested',
    explanation:
      'An evaluator needs more from you before they can decide. See what they asked for, and answer by the date given.',
  },
  approved: {
    name: 'Approved',
    explanation: 'Your application has been approved. Your license is on your ELAR home page.',
  },
  denied: {
    name: 'Denied',
    explanation:
      'Your application has been denied. The letter explains why, and by when you can ask the Department to reconsider.',
  },
  'reconsideration-requested': {
    name: 'Reconsideration requested',
    explanation: 'You have asked the Department to look at its decision again. A supervisor will review it.',
  },
  withdrawn: {
    name: 'Withdrawn',
    explanation: 'This application has been withdrawn. Nothing more will happen to it.',
  },
};

/** The timeline's sentence for each change, as the educator reads it. */
export const TRANSITION_WORDS: Record<TransitionName, string> = {
  submit: 'You sent your application. It is waiting for payment.',
  'payment-received':
    'We have your payment. An evaluator will look at your application when everything needed to start is on file.',
  'payment-received-ready':
    'We have your payment and everything needed to start. Your application is ready for an evaluator.',
  'gate-items-complete': 'Everything needed to start is on file. Your application is ready for an evaluator.',
  'gate-items-incomplete':
    'An evaluator found that something needed to start is not complete. Your application is waiting for it.',
  'start-review': 'An evaluator started reviewing your application.',
  'request-information': 'An evaluator asked you for more information.',
  'answer-information': 'You sent the information the evaluator asked for. The review continues.',
  'information-overdue':
    'The date to send the information asked for has passed. Your application is back with the evaluator.',
  approve: 'Your application was approved.',
  deny: 'Your application was denied.',
  'request-reconsideration': 'You asked the Department to reconsider its decision.',
  'uphold-denial': 'The Department reconsidered its decision and the denial stands.',
  'reopen-review': 'The Department reconsidered its decision and is reviewing your application again.',
  withdraw: 'The application was withdrawn.',
};

/** The timeline's sentence for a draft being started: not a transition, the row is born a draft. */
export const STARTED_WORDS = 'You started this application.';

/** Notices ELAR shows a person about their drafts (and emails them when it can). */
export const NOTICE_WORDS = {
  draftExpiresSoon: (reference: string, days: number, on: string) =>
    `Your draft application ${reference} will be deleted in ${days} days, on ${on}, unless you submit it before then.`,
  draftDeleted: (reference: string, keptDays: number) =>
    `Your draft application ${reference} was deleted because it was not submitted within ${keptDays} days. Start a new application when you are ready.`,
};

/** The gate items a person reports for now (the next issue checks them against documents). */
export const GATE_ITEM_WORDS = {
  'literacy-test':
    'I have passed the Communication and Literacy Skills test, and my result has been sent to the Department',
  'bachelors-transcript': 'My bachelor’s degree transcript (both sides of every page) has been sent to the Department',
} as const;
export type GateItem = keyof typeof GATE_ITEM_WORDS;
export const GATE_ITEMS = Object.keys(GATE_ITEM_WORDS) as GateItem[];

// One formatter for every call: `toLocaleString` with options builds a new one each time,
// 157 µs against 8 µs, 6 % of the server's CPU under the live-status bench (docs/benchmarks.md).
const WHEN = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', dateStyle: 'long', timeStyle: 'short' });

/** When something happened, as the agency writes it, in its own time zone: the page and the live stream alike. */
export const whenWords = (at: Date) => WHEN.format(at);
