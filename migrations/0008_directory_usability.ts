import { sql, type Kysely } from 'kysely';

/**
 * Directory Administration as administrators use it:
 * - the work email an administrator gave when adding someone to an organization belongs to
 *   that membership (the person's own profile email is theirs to keep);
 * - one open partial-match case per profile: later attempts add to it (count, last time,
 *   what was last submitted) instead of opening another; the case is closed with a reason;
 * - User Names are looked up without regard to case where an administrator types one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('organization_member').addColumn('work_email', 'text').execute();

  await db.schema
    .alterTable('match_conflict')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('match_conflict')
    .addColumn('last_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.alterTable('match_conflict').addColumn('resolution_note', 'text').execute();
  await sql`UPDATE match_conflict SET last_attempt_at = created_at`.execute(db);
  // Cases opened before this rule: fold each profile's later open cases into its first.
  await sql`
    UPDATE match_conflict c SET attempts = g.n, last_attempt_at = g.last_at, conflicting_fields = g.fields
    FROM (
      SELECT min(id) AS keep, count(*) AS n, max(created_at) AS last_at,
        (SELECT array_agg(DISTINCT f) FROM match_conflict m2, unnest(m2.conflicting_fields) AS f
          WHERE m2.profile_id = m.profile_id AND m2.status = 'open') AS fields
      FROM match_conflict m WHERE status = 'open' GROUP BY profile_id
    ) g
    WHERE c.id = g.keep`.execute(db);
  await sql`
    UPDATE match_conflict SET status = 'resolved', resolved_at = now(), resolution_note = 'Merged into the profile''s first open case'
    WHERE status = 'open' AND id NOT IN (SELECT min(id) FROM match_conflict WHERE status = 'open' GROUP BY profile_id)`.execute(
    db,
  );
  // The rule itself: two attempts at once cannot open two cases.
  await sql`CREATE UNIQUE INDEX match_conflict_one_open ON match_conflict (profile_id) WHERE status = 'open'`.execute(
    db,
  );

  await sql`CREATE INDEX profile_user_name_lower ON profile (lower(user_name))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX profile_user_name_lower`.execute(db);
  await sql`DROP INDEX match_conflict_one_open`.execute(db);
  await db.schema
    .alterTable('match_conflict')
    .dropColumn('resolution_note')
    .dropColumn('last_attempt_at')
    .dropColumn('attempts')
    .execute();
  await db.schema.alterTable('organization_member').dropColumn('work_email').execute();
}
