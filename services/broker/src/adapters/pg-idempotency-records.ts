import { AppError, type Logger } from '@micromesh/kit';
import type { Pool } from 'pg';
import type { IdempotentRequest } from '../domain/idempotency';
import type { Claim, IdempotencyRecords, StoredAnswer } from '../domain/ports';

// One statement claims a free or expired key (an expired one afresh: new hash, new event id, no
// answer); it returns no row when a live record holds it.
const CLAIM_SQL = `
  INSERT INTO broker_idempotency_keys AS k
    (principal, idempotency_key, request_hash, event_id, expires_at)
  VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5))
  ON CONFLICT (principal, idempotency_key) DO UPDATE
    SET request_hash = EXCLUDED.request_hash, event_id = EXCLUDED.event_id, status = NULL,
        answer = NULL, created_at = now(), expires_at = EXCLUDED.expires_at
    WHERE k.expires_at <= now()
  RETURNING 1`;

const READ_SQL = `
  SELECT request_hash, event_id, status, answer FROM broker_idempotency_keys
   WHERE principal = $1 AND idempotency_key = $2`;

// Fenced by the event id: a request that outlived its key never overwrites the next holder's answer.
const COMPLETE_SQL = `
  UPDATE broker_idempotency_keys SET status = $3, answer = $4
   WHERE principal = $1 AND idempotency_key = $2 AND event_id IS NOT DISTINCT FROM $5`;

/** A live record can vanish between the claim and the read only by expiring and being purged. */
const CLAIM_ROUNDS = 3;

/**
 * Idempotency records in the broker's PostgreSQL database, shared by every replica: a retry that
 * lands on another replica finds the record the first one wrote. Records expire after `ttlHours`
 * (an expired key is free again: its next request is a new one, under a new event id) and are
 * purged by `purgeExpired`.
 */
export class PgIdempotencyRecords implements IdempotencyRecords {
  constructor(
    private readonly pool: Pool,
    private readonly ttlHours: number,
    private readonly logger: Logger,
  ) {}

  async claim(request: IdempotentRequest, requestHash: string, eventId: string): Promise<Claim> {
    return this.guard(async () => {
      for (let round = 0; round < CLAIM_ROUNDS; round++) {
        const claimed = await this.pool.query(CLAIM_SQL, [
          request.principal,
          request.key,
          requestHash,
          eventId,
          this.ttlHours,
        ]);
        if (claimed.rowCount === 1) return { kind: 'first' };
        const { rows } = await this.pool.query<{
          request_hash: string;
          event_id: string | null;
          status: number | null;
          answer: StoredAnswer['body'] | null;
        }>(READ_SQL, [request.principal, request.key]);
        const record = rows[0];
        // Expired and purged between the two statements: claim the now free key again.
        if (!record) continue;
        if (record.request_hash !== requestHash) return { kind: 'conflict' };
        return record.status !== null && record.answer !== null
          ? {
              kind: 'repeat',
              eventId: record.event_id,
              answer: { status: record.status, body: record.answer },
            }
          : { kind: 'repeat', eventId: record.event_id };
      }
      throw new Error(`idempotency key still unclaimable after ${CLAIM_ROUNDS} rounds`);
    });
  }

  /** Best effort: the action already happened; a lost answer only means a repeat runs it again. */
  async complete(
    request: IdempotentRequest,
    eventId: string | null,
    answer: StoredAnswer,
  ): Promise<void> {
    try {
      await this.pool.query(COMPLETE_SQL, [
        request.principal,
        request.key,
        answer.status,
        JSON.stringify(answer.body),
        eventId,
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
