/**
 * Applications for a license: what the rest of ELAR uses (payments call `markPaid` in their
 * own transaction; evaluation applies staff transitions; pages list and load).
 */
export {
  applyStaffTransition,
  licensesAskedFor,
  listApplications,
  loadApplication,
  markPaid,
  reportGateItems,
  requestReconsideration,
  saveLicenses,
  saveSection,
  startDraft,
  submit,
  withdraw,
  type Applicant,
  type ApplicationDeps,
  type ApplicationSummary,
  type ApplicationView,
} from './service.ts';
export { applyTransition, STATUS_CHANGED_JOB, type TransitionResult } from './apply-transition.ts';
export { APPLICATION_FEE, APPLICATION_PAYABLE, registerApplicationPayments } from './payables.ts';
export { EXPIRE_DRAFTS_JOB, expireDrafts, registerApplicationJobs, type ApplicationJobDeps } from './jobs.ts';
export { formatDollars, quoteFee, type FeeQuote } from './fees.ts';
export { addFeeSchedule, noticesOf } from './repository.ts';
export { latestChanges, type LatestChange } from './latest-changes.ts';
export { APPLICATION_CHANNEL, type StatusChange } from './notify.ts';
export { CHARACTER_QUESTIONS, TASK_LIST, type SectionName } from './sections.ts';
export { DEFAULT_APPLICATION_SETTINGS, loadApplicationSettings, type ApplicationSettings } from './settings.ts';
export {
  APPLICATION_STATES,
  guards,
  mayRun,
  OPEN_STATES,
  TRANSITIONS,
  type ApplicationState,
  type Transition,
  type TransitionActor,
  type TransitionName,
} from './transitions.ts';
export { GATE_ITEMS, GATE_ITEM_WORDS, STATE_WORDS, TRANSITION_WORDS, whenWords } from './wording.ts';
export type { ApplicationTables } from './schema.ts';
