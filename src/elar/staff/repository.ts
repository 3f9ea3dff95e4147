import { sql, type Kysely } from 'kysely';
import type { ApplicationState } from '../applications/index.ts';
import type { ElarDatabase } from '../schema.ts';

type Db = Kysely<ElarDatabase>;

/** The states an evaluator's queue shows: waiting for review, waiting for gate items, under review. */
export const QUEUE_STATES = ['ready-for-review', 'not-ready', 'in-review'] as const satisfies ApplicationState[];

/** Where a queue page starts: after this submission (to the microsecond) and id. */
export interface QueueCursor {
  submittedAt: string;
  id: string;
}

export interface QueueRow {
  id: string;
  reference: string;
  state: ApplicationState;
  submitted_at: Date;
  /** The submission time as the next page's cursor: a JavaScript date would lose the microseconds. */
  cursor_at: string;
}

/** One page of the queue, oldest submission first (the partial index of migration 0021), and whether more follow. */
export async function queuePage(
  db: Db,
  after: QueueCursor | null,
  size: number,
): Promise<{ rows: QueueRow[]; more: boolean }> {
  let query = db
    .selectFrom('application')
    .select([
      'id',
      'reference',
      'state',
      sql<Date>`submitted_at`.as('submitted_at'),
      sql<string>`to_char(submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('cursor_at'),
    ])
    .where('state', 'in', QUEUE_STATES)
    .where('submitted_at', 'is not', null);
  if (after)
    query = query.where(({ eb, refTuple, tuple }) =>
      eb(
        refTuple('submitted_at', 'id'),
        '>',
        tuple(sql<Date>`${after.submittedAt}::timestamptz`, sql<string>`${after.id}::uuid`),
      ),
    );
  const rows = await query
    .orderBy('submitted_at')
    .orderBy('id')
    .limit(size + 1)
    .execute();
  return { rows: rows.slice(0, size) as QueueRow[], more: rows.length > size };
}

/** Whose application this is (the portal's `sub`) and where it stands, or undefined when there is none. */
export async function ownerOf(
  db: Db,
  id: string,
): Promise<{ person_sub: string; state: ApplicationState } | undefined> {
  return db.selectFrom('application').select(['person_sub', 'state']).where('id', '=', id).executeTakeFirst();
}
