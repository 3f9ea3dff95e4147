import type { Kysely } from 'kysely';
import type { JobRunner } from '../../platform/jobs/runner.ts';
import type { Outbox } from '../../platform/mail/outbox.ts';
import { audit } from '../audit-events.ts';
import type { ElarDatabase, ElarDb } from '../schema.ts';
import { STATUS_CHANGED_JOB } from './apply-transition.ts';
import * as repo from './repository.ts';
import type { ApplicationSettings } from './settings.ts';
import type { TransitionName } from './transitions.ts';
import { NOTICE_WORDS, STATE_WORDS, TRANSITION_WORDS } from './wording.ts';

/**
 * The application's work after commit: telling a person their application moved, and
 * keeping drafts to their time (reminders, then deletion). Each handler tolerates running
 * twice: what it does once is claimed in the database first.
 */

export const EXPIRE_DRAFTS_JOB = 'elar.applications.expire-drafts';
/** Once a day, at night in the agency's time zone (UTC). */
export const EXPIRE_DRAFTS_SCHEDULE = { dailyAt: '07:15' } as const;
/** Drafts handled per run and per step: a backlog is worked down over a few nights rather than in one long run. */
const BATCH = 500;

export interface ApplicationJobDeps {
  db: ElarDb;
  settings: ApplicationSettings;
  outbox: Outbox;
  /** ELAR's address, for links in email. */
  publicUrl: string;
}

export function registerApplicationJobs(runner: JobRunner, deps: ApplicationJobDeps): void {
  runner.handle(STATUS_CHANGED_JOB, async (payload) => {
    await tellStatusChange(deps, String(payload.eventId));
  });
  runner.handle(EXPIRE_DRAFTS_JOB, async () => {
    await expireDrafts(deps);
  });
  runner.every(EXPIRE_DRAFTS_JOB, EXPIRE_DRAFTS_SCHEDULE);
}

const dateWords = (d: Date) =>
  d.toLocaleDateString('en-US', { timeZone: 'America/New_York', year: 'numeric', month: 'long', day: 'numeric' });

async function mailIfPossible(
  trx: Kysely<ElarDatabase>,
  deps: ApplicationJobDeps,
  to: string | null,
  subject: string,
  text: string,
) {
  if (!to || !deps.outbox.sends) return;
  await deps.outbox.queue(trx, { to, subject, text });
}

/** Emails the person about one timeline entry, once, when mail is on and they gave an address. */
export async function tellStatusChange(deps: ApplicationJobDeps, eventId: string): Promise<void> {
  if (!/^\d+$/.test(eventId)) return;
  await deps.db.transaction().execute(async (trx) => {
    const event = await repo.claimEventNotification(trx, eventId);
    if (!event) return;
    const application = await repo.findApplication(trx, event.application_id);
    if (!application) return;
    const state = STATE_WORDS[event.to_state];
    await mailIfPossible(
      trx,
      deps,
      application.contact_email,
      `Your license application ${application.reference}: ${state.name}`,
      [
        TRANSITION_WORDS[event.transition as TransitionName],
        '',
        state.explanation,
        '',
        `See your application in ELAR: ${deps.publicUrl}/elar`,
      ].join('\n'),
    );
  });
}

/**
 * Reminds people of drafts about to be deleted (the most urgent reminder due, once each),
 * then deletes drafts past their time with their timeline, audited, leaving the person a
 * notice that it happened.
 */
export async function expireDrafts(deps: ApplicationJobDeps): Promise<{ reminded: number; deleted: number }> {
  const { draftReminderDays, draftKeepDays } = deps.settings;
  const days = [...draftReminderDays].sort((a, b) => b - a);
  let reminded = 0;
  for (const [i, reminderDays] of days.entries()) {
    const kind = `draft-expires-${reminderDays}`;
    const due = await repo.draftsToRemind(deps.db, kind, days[i + 1] ?? 0, reminderDays, BATCH);
    for (const draft of due) {
      const text = NOTICE_WORDS.draftExpiresSoon(draft.reference, reminderDays, dateWords(draft.draft_expires_at!));
      await deps.db.transaction().execute(async (trx) => {
        const added = await repo.addNotice(trx, {
          personSub: draft.person_sub,
          applicationId: draft.id,
          reference: draft.reference,
          kind,
          text,
        });
        if (!added) return;
        reminded++;
        await mailIfPossible(
          trx,
          deps,
          draft.contact_email,
          `Your draft license application ${draft.reference} will be deleted soon`,
          `${text}\n\nContinue your application in ELAR: ${deps.publicUrl}/elar`,
        );
      });
    }
  }

  let deleted = 0;
  for (const id of await repo.expiredDraftIds(deps.db, BATCH)) {
    await deps.db.transaction().execute(async (trx) => {
      const draft = await repo.deleteExpiredDraft(trx, id);
      if (!draft) return;
      deleted++;
      const text = NOTICE_WORDS.draftDeleted(draft.reference, draftKeepDays);
      await repo.addNotice(trx, {
        personSub: draft.person_sub,
        applicationId: null,
        reference: draft.reference,
        kind: 'draft-deleted',
        text,
      });
      await audit(trx, {
        type: 'elar.application.draftDeleted',
        actorId: null,
        subjectId: draft.id,
        detail: { reference: draft.reference, keptDays: draftKeepDays },
      });
      await mailIfPossible(
        trx,
        deps,
        draft.contact_email,
        `Your draft license application ${draft.reference} was deleted`,
        text,
      );
    });
  }
  return { reminded, deleted };
}
