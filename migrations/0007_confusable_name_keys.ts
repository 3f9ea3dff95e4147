import { sql, type Kysely } from 'kysely';
import { nameKey } from '../src/portal/identity.ts';

/**
 * Name keys now fold look-alike letters (Unicode confusables): recompute the stored keys so
 * that profiles created before still match, and still match each other, the new way. Rows
 * are read in batches of 1000 and only those whose key changes are written.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const batch = 1000;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await sql<{
      id: string;
      first_name: string;
      last_name: string;
      first_name_key: string;
      last_name_key: string;
    }>`
      SELECT id, first_name, last_name, first_name_key, last_name_key FROM profile
      WHERE id > ${after} ORDER BY id LIMIT ${batch}`.execute(db);
    const changed = rows
      .map((row) => ({ id: row.id, first: nameKey(row.first_name), last: nameKey(row.last_name), row }))
      .filter(({ first, last, row }) => first !== row.first_name_key || last !== row.last_name_key);
    if (changed.length > 0) {
      // One statement per batch: the skeleton changes every name with an "m" (it becomes
      // "rn"), so on a large register most rows change.
      const values = sql.join(changed.map((c) => sql`(${c.id}::uuid, ${c.first}, ${c.last})`));
      await sql`UPDATE profile SET first_name_key = v.first, last_name_key = v.last
        FROM (VALUES ${values}) AS v(id, first, last) WHERE profile.id = v.id`.execute(db);
    }
    if (rows.length < batch) return;
    after = rows[rows.length - 1]!.id;
  }
}

/** The old keys cannot be told apart from the new ones once written; nothing to undo. */
export async function down(): Promise<void> {}
