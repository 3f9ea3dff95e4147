import { sql } from 'kysely';
import type { Db } from '../database.ts';
import type { ConflictField } from './identity.ts';
import { newToken, tokenHash } from './sessions.ts';

/**
 * In-progress answers of the Create Profile / Retrieve User Name wizard, kept on the
 * server (the browser holds only a random token) and expiring. Nothing here is a secret
 * in clear: the SSN is kept as its keyed hash and last four digits, the password and hint
 * answer as argon2id hashes.
 */
export interface FlowData {
  mode: 'create' | 'recover';
  identity?: {
    firstName: string;
    middleName: string | null;
    lastName: string;
    dateOfBirth: string;
    ssnHash: string;
    ssnLast4: string;
  };
  match?:
    | { kind: 'none' }
    | { kind: 'exact' | 'precreated'; profileId: string }
    | { kind: 'partial'; profileId: string; conflicts: ConflictField[] };
  contact?: {
    email: string;
    phone: string | null;
    addressLine1: string;
    addressLine2: string | null;
    city: string;
    state: string;
    postalCode: string;
  };
  background?: { previousLastName: string | null; priorLicenseNumber: string | null };
  security?: { hintQuestion: string | null; hintAnswerHash: string | null; passwordHash: string };
  /** The exact-match person answered the hint question and may now set a password. */
  hintAnswered?: boolean;
  outcome?: 'created' | 'completed' | 'password-changed';
  /** Pages whose User Name and MEPID have been shown (`revealOnce`). */
  revealed?: Partial<Record<RevealingPage, true>>;
}

export interface Flow {
  token: string;
  data: FlowData;
  resultProfileId: string | null;
}

export async function loadFlow(db: Db, token: string | undefined): Promise<Flow | null> {
  if (!token) return null;
  const row = await db
    .selectFrom('flow_state')
    .select(['data', 'result_profile_id', 'expires_at'])
    .where('id_hash', '=', tokenHash(token))
    .executeTakeFirst();
  if (!row || row.expires_at <= new Date()) return null;
  return { token, data: row.data as FlowData, resultProfileId: row.result_profile_id };
}

export async function saveFlow(db: Db, token: string | null, data: FlowData, ttlMs: number): Promise<string> {
  const id = token ?? newToken();
  const expires = new Date(Date.now() + ttlMs);
  await db
    .insertInto('flow_state')
    .values({ id_hash: tokenHash(id), data: JSON.stringify(data), expires_at: expires })
    .onConflict((oc) => oc.column('id_hash').doUpdateSet({ data: JSON.stringify(data), expires_at: expires }))
    .execute();
  return id;
}

/** Locks the flow's row for the rest of the transaction: one final submit at a time. */
export async function lockFlow(tx: Db, token: string): Promise<Flow | null> {
  const row = await tx
    .selectFrom('flow_state')
    .select(['data', 'result_profile_id', 'expires_at'])
    .where('id_hash', '=', tokenHash(token))
    .forUpdate()
    .executeTakeFirst();
  if (!row || row.expires_at <= new Date()) return null;
  return { token, data: row.data as FlowData, resultProfileId: row.result_profile_id };
}

export async function finishFlow(tx: Db, token: string, data: FlowData, profileId: string): Promise<void> {
  await tx
    .updateTable('flow_state')
    .set({ data: JSON.stringify(data), result_profile_id: profileId })
    .where('id_hash', '=', tokenHash(token))
    .execute();
}

/** The pages that show a User Name or MEPID, each shown once per flow. */
export type RevealingPage = 'done' | 'exact-match' | 'password-changed';

/**
 * Claims the one showing of a page's User Name and MEPID: true the first time only. One
 * statement, so two reloads at once cannot both win; a reload, the back button or the
 * next person at a shared computer sees the page without them.
 */
export async function revealOnce(db: Db, token: string, page: RevealingPage): Promise<boolean> {
  const claimed = await db
    .updateTable('flow_state')
    .set({
      data: sql`data || jsonb_build_object('revealed', coalesce(data->'revealed', '{}'::jsonb) || jsonb_build_object(${page}::text, true))`,
    })
    .where('id_hash', '=', tokenHash(token))
    .where(sql<boolean>`data->'revealed'->${page}::text is null`)
    .returning('id_hash')
    .executeTakeFirst();
  return claimed !== undefined;
}

/** Forgets a browser's flow (at logout), so nothing of it can be shown again. */
export async function endFlow(db: Db, token: string | undefined): Promise<void> {
  if (token) await db.deleteFrom('flow_state').where('id_hash', '=', tokenHash(token)).execute();
}

export async function purgeExpiredFlows(db: Db): Promise<void> {
  await db.deleteFrom('flow_state').where('expires_at', '<', new Date()).execute();
}
