import type { ElarDb } from '../schema.ts';
import { latestEventsOf } from './repository.ts';
import type { TransitionName } from './transitions.ts';
import { STARTED_WORDS, TRANSITION_WORDS } from './wording.ts';

/** The last thing that happened to an application, as its timeline says it. */
export interface LatestChange {
  /** Its timeline id: the live-status stream sends what comes after the newest of them. */
  eventId: string;
  text: string;
  at: Date;
}

/** The last change of each of a person's applications, by application id. */
export async function latestChanges(db: ElarDb, personSub: string): Promise<Map<string, LatestChange>> {
  const rows = await latestEventsOf(db, personSub);
  return new Map(
    rows.map((row) => [
      row.application_id,
      {
        eventId: row.id,
        text: row.transition === 'start' ? STARTED_WORDS : TRANSITION_WORDS[row.transition as TransitionName],
        at: row.at,
      },
    ]),
  );
}
