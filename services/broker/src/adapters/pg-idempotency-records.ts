import { AppError, type Logger } from '@micromesh/kit';
import type { Pool } from 'pg';
import type { IdempotentRequest } from '../domain/idempotency';
import type { Claim, IdempotencyRecords, StoredAnswer } from '../domain/ports';

// One statement claims a free or expired key; it returns no row when a live record holds it.
const CLAIM_SQL = `
  INSERT INTO broker_idempotency_keys AS k
    (principal, idempotency_key, request_hash, expires_at)
  VALUES ($1, $2, $3, now() + make_interval(hours => $4))
  ON CONFLICT (principal, idempotency_key) DO UPDATE
    SET request_hash = EXCLUDED.request_hash, status = NULL, answer = NULL,
        created_at = now(), expires_at = EXCLUDED.expires_at
    WHERE k.expires_at <= now()
  RETURNING 1`;

const READ_SQL = `
  SELECT request_hash, status, answer FROM broker_idempotency_keys
   WHERE principal = $1 AND idempotency_key = $2`;

const COMPLETE_SQL = `
  UPDATE broker_idempotency_keys SET status = $3, answer = $4
   WHERE principal = $1 AND idempotency_key = $2`;

/**
 * Idempotency records in the broker's PostgreSQL database, shared by every replica: a retry that
 * lands on another replica finds the record the first one wrote. Records expire after `ttlHours`
 * (an expired key is free again) and are purged by `purgeExpired`.
 */
export class PgIdempotencyRecords implements IdempotencyRecords {
  constructor(
    private readonly pool: Pool,
    private readonly ttlHours: number,
    private readonly logger: Logger,
  ) {}

  async claim(request: IdempotentRequest, requestHash: string): Promise<Claim> {
    return this.guard(async () => {
      const claimed = await this.pool.query(CLAIM_SQL, [
        request.principal,
        request.key,
        requestHash,
        this.ttlHours,
      ]);
      if (claimed.rowCount === 1) return { kind: 'first' };
      const { rows } = await this.pool.query<{
        request_hash: string;
        status: number | null;
        answer: StoredAnswer['body'] | null;
      }>(READ_SQL, [request.principal, request.key]);
      const record = rows[0];
      // Expired and purged between the two statements: treat as free (the claim is retried next time).
      if (!record) return { kind: 'first' };
      if (record.request_hash !== requestHash) return { kind: 'conflict' };
      return record.status !== null && record.answer !== null
        ? { kind: 'repeat', answer: { status: record.status, body: record.answer } }
        : { kind: 'repeat' };
    });
  }

  /** Best effort: the action already happened; a lost answer only means a repeat runs it again. */
  async complete(request: IdempotentRequest, answer: StoredAnswer): Promise<void> {
    try {
      await this.pool.query(COMPLETE_SQL, [
        request.principal,
        request.key,
        answer.status,
        JSON.stringify(answer.body),
      ]);
    } catch (err) {
      this.logger.warn({ err }, 'storing an idempotent answer failed; a repeat will run again');
    }
  }

  async purgeExpired(): Promise<number> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM broker_idempotency_keys WHERE expires_at <= now()',
    );
    return rowCount ?? 0;
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      throw AppError.unavailable('idempotency store unavailable', err);
    }
  }
}
