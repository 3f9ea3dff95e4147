import type { ColumnType } from 'kysely';

/** ELAR's tables: its own sessions as a relying party. */

export interface ElarTables {
  elar_session: {
    id_hash: string;
    sub: string;
    sid: string | null;
    claims: ColumnType<unknown, string, string>;
    id_token: string;
    created_at: ColumnType<Date, Date | string | undefined, Date | string>;
    expires_at: Date;
  };
}
