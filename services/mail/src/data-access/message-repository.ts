import type { Pool, PoolClient } from 'pg';
import type { MessageStatus, StoredMessage } from '../domain/message';
import type { MailContent } from '../domain/send-request';

interface MessageRow {
  id: string;
  principal: string;
  idempotency_key: string | null;
  idempotency_expired: boolean;
  payload_hash: string;
  sender: string;
  recipient: string;
  subject: string;
  body: string;
  status: MessageStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date | null;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
}

const COLUMNS = `id, principal, idempotency_key, payload_hash, sender, recipient, subject, body,
  status, attempts, last_error, next_attempt_at, created_at, updated_at, sent_at,
  coalesce(idempotency_expires_at <= now(), false) AS idempotency_expired`;

function toMessage(row: MessageRow): StoredMessage {
  return {
    id: row.id,
    principal: row.principal,
    idempotencyKey: row.idempotency_key,
    payloadHash: row.payload_hash,
    content: { from: row.sender, to: row.recipient, subject: row.subject, message: row.body },
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sentAt: row.sent_at,
  };
}

export interface NewMessage {
  id: string;
  principal: string;
  idempotencyKey: string | null;
  /** How long the key is remembered. */
  idempotencyTtlHours: number;
  payloadHash: string;
  content: MailContent;
}

export interface Quota {
  perMinute: number;
  perDay: number;
}

export type AcceptOutcome =
  | { kind: 'created'; message: StoredMessage }
  /** The principal's idempotency key already names this message. */
  | { kind: 'existing'; message: StoredMessage }
  /** Nothing was stored: the principal used up a window; it resets in `retryAfterSeconds`. */
  | { kind: 'over-quota'; period: 'minute' | 'day'; limit: number; retryAfterSeconds: number };

interface UsageRow {
  period: 'minute' | 'day';
  used: number;
  reset_seconds: number;
}

/**
 * Every message and its delivery state. PostgreSQL is the source of truth; RabbitMQ only says
 * when to look at a message again. An attempt owns a message through a lease (token + expiry);
 * every outcome write is fenced by the token, so two workers can never both record one attempt.
 */
export class MessageRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Stores a new message as queued and counts it against the principal's quota, in one
   * transaction: over the quota nothing is stored. A live idempotency key of the same principal
   * returns the message it names instead (and costs no quota); an expired one is released.
   */
  async accept(message: NewMessage, quota: Quota): Promise<AcceptOutcome> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const outcome = await this.acceptIn(client, message, quota);
      await client.query(outcome.kind === 'over-quota' ? 'ROLLBACK' : 'COMMIT');
      return outcome;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private async acceptIn(
    client: PoolClient,
    message: NewMessage,
    quota: Quota,
  ): Promise<AcceptOutcome> {
    // Two rounds at most: a conflict with an expired key releases it, and the insert runs again.
    for (let round = 0; round < 2; round++) {
      const { rows } = await client.query<MessageRow>(
        `INSERT INTO mail_messages
           (id, principal, idempotency_key, idempotency_expires_at, payload_hash,
            sender, recipient, subject, body, status, enqueued, next_attempt_at)
         VALUES ($1, $2, $3, CASE WHEN $3::text IS NULL THEN NULL
                                  ELSE now() + make_interval(hours => $4) END,
                 $5, $6, $7, $8, $9, 'queued', true, now())
         ON CONFLICT (principal, idempotency_key) DO NOTHING
         RETURNING ${COLUMNS}`,
        [
          message.id,
          message.principal,
          message.idempotencyKey,
          message.idempotencyTtlHours,
          message.payloadHash,
          message.content.from,
          message.content.to,
          message.content.subject,
          message.content.message,
        ],
      );
      const created = rows[0];
      if (created) {
        const over = await this.countAgainstQuota(client, message.principal, quota);
        return over ?? { kind: 'created', message: toMessage(created) };
      }
      const existing = await client.query<MessageRow>(
        `SELECT ${COLUMNS} FROM mail_messages WHERE principal = $1 AND idempotency_key = $2`,
        [message.principal, message.idempotencyKey],
      );
      const row = existing.rows[0];
      if (!row) throw new Error('idempotency key conflicted but no row holds it');
      if (!row.idempotency_expired) return { kind: 'existing', message: toMessage(row) };
      await client.query('UPDATE mail_messages SET idempotency_key = NULL WHERE id = $1', [row.id]);
    }
    throw new Error('idempotency key still taken after releasing its expired holder');
  }

  /** Adds one to both windows; the over-quota outcome when either is now past its limit. */
  private async countAgainstQuota(
    client: PoolClient,
    principal: string,
    quota: Quota,
  ): Promise<AcceptOutcome | undefined> {
    // Rows are always locked minute first, then day: concurrent senders cannot deadlock.
    const { rows } = await client.query<UsageRow>(
      `INSERT INTO mail_quota_usage AS q (principal, period, window_start, used)
       VALUES ($1, 'minute', date_trunc('minute', now(), 'UTC'), 1),
              ($1, 'day', date_trunc('day', now(), 'UTC'), 1)
       ON CONFLICT (principal, period, window_start) DO UPDATE SET used = q.used + 1
       RETURNING period, used,
         ceil(extract(epoch FROM q.window_start
           + CASE q.period WHEN 'minute' THEN interval '1 minute' ELSE interval '1 day' END
           - now()))::integer AS reset_seconds`,
      [principal],
    );
    const limits = { minute: quota.perMinute, day: quota.perDay };
    const over = rows
      .filter((r) => r.used > limits[r.period])
      .sort((a, b) => b.reset_seconds - a.reset_seconds)[0];
    if (!over) return undefined;
    return {
      kind: 'over-quota',
      period: over.period,
      limit: limits[over.period],
      retryAfterSeconds: Math.max(1, over.reset_seconds),
    };
  }

  async findById(id: string): Promise<StoredMessage | undefined> {
    const { rows } = await this.pool.query<MessageRow>(
      `SELECT ${COLUMNS} FROM mail_messages WHERE id = $1`,
      [id],
    );
    return rows[0] ? toMessage(rows[0]) : undefined;
  }

  /**
   * Takes a queued message for one delivery attempt under a fresh lease; undefined when it is
   * not (or no longer) queued.
   */
  async claim(id: string, token: string, leaseMs: number): Promise<StoredMessage | undefined> {
    const { rows } = await this.pool.query<MessageRow>(
      `UPDATE mail_messages
       SET status = 'sending', lease_token = $2,
           lease_until = now() + make_interval(secs => $3::double precision / 1000),
           updated_at = now()
       WHERE id = $1 AND status = 'queued'
       RETURNING ${COLUMNS}`,
      [id, token, leaseMs],
    );
    return rows[0] ? toMessage(rows[0]) : undefined;
  }

  /** Pushes the lease of a running attempt forward; false when the attempt no longer owns it. */
  async renewLease(id: string, token: string, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE mail_messages
       SET lease_until = now() + make_interval(secs => $3::double precision / 1000)
       WHERE id = $1 AND status = 'sending' AND lease_token = $2`,
      [id, token, leaseMs],
    );
    return rowCount === 1;
  }

  /** Each outcome write is fenced: it lands only while the attempt still holds the lease. */
  async markSent(id: string, token: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE mail_messages
       SET status = 'sent', attempts = attempts + 1, last_error = NULL, enqueued = false,
           next_attempt_at = NULL, sent_at = now(), updated_at = now(),
           lease_token = NULL, lease_until = NULL
       WHERE id = $1 AND status = 'sending' AND lease_token = $2`,
      [id, token],
    );
    return rowCount === 1;
  }

  async markFailed(id: string, token: string, error: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE mail_messages
       SET status = 'failed', attempts = attempts + 1, last_error = $3, enqueued = false,
           next_attempt_at = NULL, updated_at = now(), lease_token = NULL, lease_until = NULL
       WHERE id = $1 AND status = 'sending' AND lease_token = $2`,
      [id, token, error],
    );
    return rowCount === 1;
  }

  /** Records a failed attempt and when to try again; returns the attempt count. */
  async markQueued(
    id: string,
    token: string,
    error: string,
    delayMs: number,
  ): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ attempts: number }>(
      `UPDATE mail_messages
       SET status = 'queued', attempts = attempts + 1, last_error = $3, enqueued = false,
           next_attempt_at = now() + make_interval(secs => $4::double precision / 1000),
           updated_at = now(), lease_token = NULL, lease_until = NULL
       WHERE id = $1 AND status = 'sending' AND lease_token = $2
       RETURNING attempts`,
      [id, token, error, delayMs],
    );
    return rows[0]?.attempts;
  }

  /**
   * RabbitMQ confirmed a retry message for this attempt. The attempt count guards against a late
   * confirmation of an older attempt marking a newer, unpublished one as enqueued.
   */
  async markEnqueued(id: string, attempts: number): Promise<void> {
    await this.pool.query(
      `UPDATE mail_messages SET enqueued = true
       WHERE id = $1 AND status = 'queued' AND attempts = $2`,
      [id, attempts],
    );
  }

  /** The first publish of a new message failed: the sweeper hands it to RabbitMQ once it can. */
  async markNotEnqueued(id: string): Promise<void> {
    await this.pool.query(
      `UPDATE mail_messages SET enqueued = false
       WHERE id = $1 AND status = 'queued' AND attempts = 0`,
      [id],
    );
  }

  /**
   * The sweeper put a due message straight on the outbox. Its due time moves to now, so it only
   * counts as lost again after another full grace period (no republishing on every sweep while
   * the consumer works through a backlog).
   */
  async markSwept(id: string, attempts: number): Promise<void> {
    await this.pool.query(
      `UPDATE mail_messages SET enqueued = true, next_attempt_at = now()
       WHERE id = $1 AND status = 'queued' AND attempts = $2`,
      [id, attempts],
    );
  }

  /**
   * Queued messages that are due but not on RabbitMQ (its publish failed), or long overdue
   * although they should be (their queue message was lost).
   */
  async findDue(lostAfterMs: number, limit: number): Promise<{ id: string; attempts: number }[]> {
    const { rows } = await this.pool.query<{ id: string; attempts: number }>(
      `SELECT id, attempts FROM mail_messages
       WHERE status = 'queued'
         AND ((NOT enqueued AND next_attempt_at <= now())
           OR next_attempt_at <= now() - make_interval(secs => $1::double precision / 1000))
       ORDER BY next_attempt_at
       LIMIT $2`,
      [lostAfterMs, limit],
    );
    return rows;
  }

  /**
   * Attempts whose lease ran out were interrupted (the worker died mid-send): their messages go
   * back to the queue. The mail may have left before the crash: at-least-once here.
   */
  async releaseExpiredLeases(): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `UPDATE mail_messages
       SET status = 'queued', enqueued = false, next_attempt_at = now(),
           lease_token = NULL, lease_until = NULL,
           last_error = 'delivery attempt was interrupted', updated_at = now()
       WHERE status = 'sending' AND lease_until < now()
       RETURNING id`,
    );
    return rows.map((r) => r.id);
  }

  /** Drops quota windows that ended long ago. */
  async pruneQuotaUsage(): Promise<void> {
    await this.pool.query(
      `DELETE FROM mail_quota_usage WHERE window_start < now() - interval '2 days'`,
    );
  }
}
