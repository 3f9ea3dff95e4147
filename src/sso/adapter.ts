import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Db } from '../database.ts';
import { findApplication } from '../directory/index.ts';
import type { SecretBox } from '../platform/secrets.ts';

/**
 * oidc-provider's storage on PostgreSQL: one table keyed by model and id (as Logto does),
 * so sessions, grants, codes and tokens survive restarts and are shared by every instance.
 * Clients are not stored here: they are the applications the department registered.
 */
export function postgresAdapter(db: Db, box: SecretBox) {
  return class PostgresAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
      const row = {
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        user_code: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expires_at: expiresAt,
      };
      await db
        .insertInto('oidc_model')
        .values({ model: this.model, id, ...row })
        .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row))
        .execute();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (!storable(id)) return undefined;
      if (this.model === 'Client') return findClient(db, box, id);
      return this.findWhere('id', id);
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findWhere('uid', uid);
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findWhere('user_code', userCode);
    }

    private async findWhere(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      if (!storable(value)) return undefined;
      const row = await db
        .selectFrom('oidc_model')
        .select(['payload', 'consumed_at', 'expires_at'])
        .where('model', '=', this.model)
        .where(column, '=', value)
        .executeTakeFirst();
      if (!row || (row.expires_at && row.expires_at <= new Date())) return undefined;
      const payload = row.payload as AdapterPayload;
      return row.consumed_at ? { ...payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : payload;
    }

    async consume(id: string): Promise<void> {
      await db
        .updateTable('oidc_model')
        .set({ consumed_at: new Date() })
        .where('model', '=', this.model)
        .where('id', '=', id)
        .execute();
    }

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('oidc_model').where('model', '=', this.model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.deleteFrom('oidc_model').where('grant_id', '=', grantId).execute();
    }
  };
}

/** A registered application as an OIDC client: code flow with PKCE, exact redirect URIs. */
/**
 * Ids, codes and tokens arrive from clients; one holding a NUL character cannot be in
 * PostgreSQL text, so it is simply not found (an invalid_client or invalid_grant answer)
 * rather than a failed query and a 500.
 */
function storable(value: string): boolean {
  return !value.includes('\u0000');
}

async function findClient(db: Db, box: SecretBox, clientId: string): Promise<AdapterPayload | undefined> {
  const app = await findApplication(db, clientId);
  if (!app?.client_secret_encrypted || app.redirect_uris.length === 0) return undefined;
  return {
    client_id: app.id,
    client_secret: box.open(app.client_secret_encrypted),
    client_name: app.name,
    redirect_uris: app.redirect_uris,
    post_logout_redirect_uris: app.post_logout_redirect_uris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...(app.backchannel_logout_uri
      ? { backchannel_logout_uri: app.backchannel_logout_uri, backchannel_logout_session_required: true }
      : {}),
  };
}

export async function purgeExpiredModels(db: Db): Promise<void> {
  await db.deleteFrom('oidc_model').where('expires_at', '<', new Date()).execute();
}
