import type { Pool } from 'pg';
import type { AccountFailures, AccountFailureStore } from '../domain/ports';

/**
 * Failed logins per account (key: the lower-cased email offered, known or not, so the counter
 * says nothing about which accounts exist), shared by every replica through PostgreSQL.
 */
export class AccountFailuresRepository implements AccountFailureStore {
  constructor(
    private readonly pool: Pool,
    /** A failure older than this no longer counts: the next one starts again from 1. */
    private readonly windowSeconds: number,
  ) {}

  async get(emailKey: string): Promise<AccountFailures | undefined> {
    const { rows } = await this.pool.query<{ failures: number; last_failure_at: Date }>(
      `SELECT failures, last_failure_at FROM login_account_failures
       WHERE email_key = $1 AND last_failure_at > now() - make_interval(secs => $2)`,
      [emailKey, this.windowSeconds],
    );
    const row = rows[0];
    return row ? { failures: row.failures, lastFailureAt: row.last_failure_at } : undefined;
  }

  /** One more failure; a stale counter (outside the window) restarts at 1. */
  async recordFailure(emailKey: string): Promise<AccountFailures> {
    const { rows } = await this.pool.query<{ failures: number; last_failure_at: Date }>(
      `INSERT INTO login_account_failures AS f (email_key, failures, last_failure_at)
       VALUES ($1, 1, now())
       ON CONFLICT (email_key) DO UPDATE SET
         failures = CASE WHEN f.last_failure_at > now() - make_interval(secs => $2)
                         THEN f.failures + 1 ELSE 1 END,
         last_failure_at = now()
       RETURNING failures, last_failure_at`,
      [emailKey, this.windowSeconds],
    );
    const row = rows[0]!;
    return { failures: row.failures, lastFailureAt: row.last_failure_at };
  }

  async clear(emailKey: string): Promise<void> {
    await this.pool.query('DELETE FROM login_account_failures WHERE email_key = $1', [emailKey]);
  }
}
