import type { ColumnType } from 'kysely';

/** The OpenID provider's tables: what oidc-provider stores through our adapter, and its signing keys. */

export interface SsoTables {
  oidc_model: {
    model: string;
    id: string;
    payload: ColumnType<unknown, string, string>;
    grant_id: string | null;
    user_code: string | null;
    uid: string | null;
    expires_at: Date | null;
    consumed_at: Date | null;
  };
  oidc_signing_key: {
    kid: string;
    private_jwk_encrypted: string;
    created_at: ColumnType<Date, Date | string | undefined, Date | string>;
    retired_at: Date | null;
  };
}
