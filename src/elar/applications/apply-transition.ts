import type { Kysely } from 'kysely';
import { enqueue } from '../../platform/jobs/queue.ts';
import { audit } from '../audit-events.ts';
import { elarErrors } from '../errors.ts';
import type { ElarDatabase } from '../schema.ts';
import { notifyStatusChange } from './notify.ts';
import * as repo from './repository.ts';
import { TASK_LIST } from './sections.ts';
import type { ApplicationSettings } from './settings.ts';
import {
  decide,
  isOpen,
  transitionNamed,
  type ApplicationFacts,
  type ApplicationState,
  type TransitionActor,
  type TransitionInputs,
  type TransitionName,
} from './transitions.ts';
import { GATE_ITEMS } from './wording.ts';

type Db = Kysely<ElarDatabase>;

/** The job that tells the person about a change (by email when it can); see jobs.ts. */
export const STATUS_CHANGED_JOB = 'elar.application.status-changed';

export interface TransitionRequest {
  applicationId: string;
  name: TransitionName;
  actor: TransitionActor;
  /** The version the person saw (a form's hidden field): anything else is a conflict, not a guess. */
  expectedVersion?: number;
  reason?: string | null;
  inputs?: TransitionInputs;
}

export interface TransitionResult {
  reference: string;
  from: ApplicationState;
  state: ApplicationState;
  version: number;
  eventId: string;
}

/** How the timeline and the audit log name who acted. */
export function actorLabel(actor: TransitionActor): string {
  return actor.kind === 'system' ? `system:${actor.name}` : `${actor.kind}:${actor.sub}`;
}

/** What the guards look at, read in the transition's transaction. */
export async function factsAbout(
  trx: Db,
  application: repo.ApplicationRow,
  settings: ApplicationSettings,
  reason: string | null,
): Promise<ApplicationFacts> {
  const [sections, licenses, gateItems] = await Promise.all([
    repo.sectionsOf(trx, application.id),
    repo.licensesOf(trx, [application.id]),
    repo.gateItemsOf(trx, application.id),
  ]);
  const complete = new Set(sections.filter((s) => s.complete).map((s) => s.section));
  const reported = new Set(gateItems.map((g) => g.item));
  return {
    now: new Date(),
    sectionsComplete: TASK_LIST.every((item) => (item === 'licenses' ? licenses.length > 0 : complete.has(item))),
    licenseCount: licenses.length,
    gateItemsComplete: GATE_ITEMS.every((item) => reported.has(item)),
    decidedAt: application.decided_at,
    reconsiderationDays: settings.reconsiderationDays,
    reason,
  };
}

/**
 * Applies one named transition, inside the caller's transaction: the decision of the table,
 * then the conditional write of the state (zero rows: someone else moved it first), then the
 * timeline entry, the audit row, the notification job and the live-status announcement. All
 * of it commits together or not at all.
 */
export async function applyTransition(
  trx: Db,
  settings: ApplicationSettings,
  request: TransitionRequest,
): Promise<TransitionResult> {
  const application = await repo.lockApplication(trx, request.applicationId);
  if (!application) throw elarErrors.applicationNotFound();
  if (request.expectedVersion !== undefined && application.version !== request.expectedVersion) {
    throw elarErrors.applicationChanged();
  }
  const transition = transitionNamed(request.name);
  const reason = request.reason?.trim() || null;
  const facts = await factsAbout(trx, application, settings, reason);
  const outcome = decide(transition, application.state, request.actor, facts, request.inputs);
  if ('refused' in outcome) throw outcome.refused;

  const moved = await repo.moveState(trx, {
    id: application.id,
    from: application.state,
    version: application.version,
    to: transition.to,
    stamps: outcome.stamps,
  });
  if (!moved) throw elarErrors.applicationChanged();

  if (isOpen(application.state) !== isOpen(transition.to)) {
    try {
      await repo.setLicensesOpen(trx, application.id, isOpen(transition.to));
    } catch (error) {
      // Reopening (reconsideration) a license the person has applied for again meanwhile.
      if ((error as { code?: string }).code === '23505') throw elarErrors.licenseAlreadyOpen(undefined);
      throw error;
    }
  }
  const actor = actorLabel(request.actor);
  const eventId = await repo.insertEvent(trx, {
    applicationId: application.id,
    from: application.state,
    to: transition.to,
    transition: transition.name,
    textKey: transition.name,
    actor,
    reason,
  });
  await audit(trx, {
    type: 'elar.application.transitioned',
    actorId: request.actor.kind === 'system' ? null : request.actor.sub,
    subjectId: application.id,
    detail: {
      reference: application.reference,
      transition: transition.name,
      from: application.state,
      to: transition.to,
      by: actor,
    },
  });
  await enqueue(trx, STATUS_CHANGED_JOB, { applicationId: application.id, eventId });
  await notifyStatusChange(trx, { applicationId: application.id, eventId, person: application.person_sub });
  return {
    reference: application.reference,
    from: application.state,
    state: moved.state,
    version: moved.version,
    eventId,
  };
}
