import type { Pool } from 'pg';
import type { RevocationLog, RevocationRecords } from '../domain/ports';

/**
 * `revoked_at` is the time its transaction began (`now()`), so a row can become visible a little
 * after a reader's `as_of` that is later than its `revoked_at`. Reading back this far past the
 * cursor catches such rows; the brokers' periodic full list catches anything slower still.
 */
const COMMIT_MARGIN = '5 seconds';

/** The window's start, or the cursor less the margin when later: a bound each index scan uses. */
const SINCE = `greatest(now() - make_interval(secs => $1), $2::timestamptz - interval '${COMMIT_MARGIN}')`;

/**
 * Reads the revocations for the brokers' catch-up in one statement (one snapshot, one clock):
 * users' token revocations and revoked API keys, both younger than the window and, with a cursor,
 * newer than it. Both are found by index (`revoked_at`).
 */
export class RevocationsRepository implements RevocationLog {
  constructor(private readonly pool: Pool) {}

  async recent(seconds: number, after?: Date): Promise<RevocationRecords> {
    const { rows } = await this.pool.query<{
      as_of: Date;
      revocations: { user_id: string; min_version: number }[];
      key_ids: string[];
    }>(
      `SELECT now() AS as_of,
         (SELECT coalesce(json_agg(json_build_object('user_id', user_id, 'min_version', min_version)
                                   ORDER BY revoked_at), '[]'::json)
            FROM token_revocations WHERE revoked_at > ${SINCE}) AS revocations,
         (SELECT coalesce(json_agg(id ORDER BY revoked_at), '[]'::json)
            FROM api_keys WHERE revoked_at IS NOT NULL AND revoked_at > ${SINCE}) AS key_ids`,
      [seconds, after ?? null],
    );
    const row = rows[0]!;
    return { revocations: row.revocations, key_ids: row.key_ids, as_of: row.as_of };
  }
}
