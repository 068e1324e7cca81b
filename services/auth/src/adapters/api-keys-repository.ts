import type { Pool } from 'pg';
import type { ApiKeyRecord } from '../domain/api-key';
import type { ApiKeyStore, ApiKeyWithOwner, NewApiKey } from '../domain/ports';
import type { Role } from '../domain/user';

const COLUMNS =
  'k.id, k.user_id, k.name, k.prefix, k.role, k.scopes, k.created_at, k.last_used_at, k.expires_at, k.revoked_at';

/** api_keys table access; every statement is parameterised. */
export class ApiKeysRepository implements ApiKeyStore {
  constructor(private readonly pool: Pool) {}

  async insertWithin(row: NewApiKey, maxLive: number): Promise<ApiKeyRecord | undefined> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // One owner's creations take turns (a transaction-scoped lock on the owner), so the count
      // below, read after the lock, sees every key an earlier turn committed.
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('api_keys:' || $1, 0))`, [
        row.user_id,
      ]);
      const { rows } = await client.query<ApiKeyRecord>(
        `INSERT INTO api_keys AS k (user_id, name, prefix, key_hash, role, scopes, expires_at)
         SELECT $1, $2, $3, $4, $5, $6, $7
         WHERE (SELECT count(*) FROM api_keys
                WHERE user_id = $1 AND revoked_at IS NULL
                  AND (expires_at IS NULL OR expires_at > now())) < $8
         RETURNING ${COLUMNS}`,
        [
          row.user_id,
          row.name,
          row.prefix,
          row.key_hash,
          row.role,
          row.scopes,
          row.expires_at,
          maxLive,
        ],
      );
      await client.query('COMMIT');
      return rows[0];
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Newest first; every key when userId is undefined (admin view). */
  async list(userId: string | undefined, limit: number, offset: number): Promise<ApiKeyRecord[]> {
    const { rows } = await this.pool.query<ApiKeyRecord>(
      `SELECT ${COLUMNS} FROM api_keys k
       WHERE ($1::uuid IS NULL OR k.user_id = $1)
       ORDER BY k.created_at DESC, k.id LIMIT $2 OFFSET $3`,
      [userId ?? null, limit, offset],
    );
    return rows;
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.pool.query<ApiKeyRecord>(
      `SELECT ${COLUMNS} FROM api_keys k WHERE k.id = $1`,
      [id],
    );
    return rows[0];
  }

  /** Sets revoked_at once; revoking again keeps the first time. */
  async revoke(id: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.pool.query<ApiKeyRecord>(
      `UPDATE api_keys AS k SET revoked_at = COALESCE(k.revoked_at, now()) WHERE k.id = $1
       RETURNING ${COLUMNS}`,
      [id],
    );
    return rows[0];
  }

  async findByHashWithOwner(keyHash: string): Promise<ApiKeyWithOwner | undefined> {
    const { rows } = await this.pool.query<
      ApiKeyRecord & { owner_email: string; owner_role: Role; owner_active: boolean }
    >(
      `SELECT ${COLUMNS}, u.email AS owner_email, u.role AS owner_role, u.active AS owner_active
       FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = $1`,
      [keyHash],
    );
    const row = rows[0];
    if (!row) return undefined;
    const { owner_email, owner_role, owner_active, ...key } = row;
    return {
      key,
      owner: { id: key.user_id, email: owner_email, role: owner_role, active: owner_active },
    };
  }

  /**
   * Records use without a write per request: last_used_at moves only when it is older than the
   * given granularity.
   */
  async touch(id: string, granularitySeconds: number): Promise<void> {
    await this.pool.query(
      `UPDATE api_keys SET last_used_at = now()
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
      [id, granularitySeconds],
    );
  }
}
