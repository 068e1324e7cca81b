import type { Pool } from 'pg';
import type { MessageStatus, StoredMessage } from '../../domain/message';
import type { AcceptOutcome, MessageStore, NewMessage, OutboxStore } from '../../domain/ports';

export interface MessageRow {
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

export const COLUMNS = `id, principal, idempotency_key, payload_hash, sender, recipient, subject, body,
  status, attempts, last_error, next_attempt_at, created_at, updated_at, sent_at,
  coalesce(idempotency_expires_at <= now(), false) AS idempotency_expired`;

export function toMessage(row: MessageRow): StoredMessage {
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

export interface Quota {
  perMinute: number;
  perDay: number;
}

interface QuotaWindow {
  period: 'minute' | 'day';
  start: Date;
}

interface UsageRow {
  period: 'minute' | 'day';
  used: number;
  window_start: Date;
  reset_seconds: number;
}

/**
 * Every message and its delivery state. PostgreSQL is the source of truth; RabbitMQ only says
 * when to look at a message again. An attempt owns a message through a lease (token + expiry);
 * every outcome write is fenced by the token, so two workers can never both record one attempt.
 */
export class MessageRepository implements MessageStore, OutboxStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Stores a new message as queued, within its owner's quota (`quotaOwner`, shared by all of a
   * user's credentials): over the quota nothing is stored. A live idempotency key of the same principal returns the message it names instead
   * (and costs no quota); an expired one is released first.
   */
  async accept(message: NewMessage, quota: Quota): Promise<AcceptOutcome> {
    if (message.idempotencyKey !== null) {
      const existing = await this.liveByKey(message.principal, message.idempotencyKey);
      if (existing) return { kind: 'existing', message: existing };
    }
    const taken = await this.takeQuota(message.quotaOwner, quota);
    if (taken.over) return taken.over;
    // Two rounds at most: a key taken meanwhile by a request that expired since is released.
    for (let round = 0; round < 2; round++) {
      let created;
      try {
        created = await this.insert(message);
      } catch (err) {
        // Nothing was stored, so nothing is counted.
        await this.giveBackQuota(message.quotaOwner, taken.windows).catch(() => undefined);
        throw err;
      }
      if (created) return { kind: 'created', message: created };
      // A concurrent request with the same key won: this one is its replay and costs nothing.
      const existing = await this.liveByKey(message.principal, message.idempotencyKey ?? '');
      if (existing) {
        await this.giveBackQuota(message.quotaOwner, taken.windows);
        return { kind: 'existing', message: existing };
      }
    }
    throw new Error('idempotency key still taken after releasing its expired holder');
  }

  /** The message a live key names; an expired key is released (its message stays). */
  private async liveByKey(principal: string, key: string): Promise<StoredMessage | undefined> {
    const { rows } = await this.pool.query<MessageRow>(
      `SELECT ${COLUMNS} FROM mail_messages WHERE principal = $1 AND idempotency_key = $2`,
      [principal, key],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (!row.idempotency_expired) return toMessage(row);
    await this.pool.query(
      `UPDATE mail_messages SET idempotency_key = NULL
       WHERE id = $1 AND idempotency_expires_at <= now()`,
      [row.id],
    );
    return undefined;
  }

  private async insert(message: NewMessage): Promise<StoredMessage | undefined> {
    // Durable on return (a normal commit): this is what the 202 promises.
    const { rows } = await this.pool.query<MessageRow>(
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
    return rows[0] ? toMessage(rows[0]) : undefined;
  }

  /**
   * Adds one to the quota owner's minute and day windows in one statement (the table's
   * `principal` column holds the owner); over either limit, the
   * one is given back and the over-quota outcome returned (so at most the limit is ever
   * accepted). The counter rows are hot (every mail of an owner updates them), so the
   * statement commits asynchronously: its row locks are held for the statement, not for a WAL
   * flush. A PostgreSQL crash can forget the last fraction of a second of counting.
   */
  private async takeQuota(
    owner: string,
    quota: Quota,
  ): Promise<{ over?: AcceptOutcome; windows: QuotaWindow[] }> {
    const { rows } = await this.pool.query<UsageRow>(
      `INSERT INTO mail_quota_usage AS q (principal, period, window_start, used)
       VALUES ($1, 'minute', date_trunc('minute', now(), 'UTC'), 1),
              ($1, 'day', date_trunc('day', now(), 'UTC'), 1)
       ON CONFLICT (principal, period, window_start) DO UPDATE SET used = q.used + 1
       RETURNING period, used, window_start,
         ceil(extract(epoch FROM q.window_start
           + CASE q.period WHEN 'minute' THEN interval '1 minute' ELSE interval '1 day' END
           - now()))::integer AS reset_seconds,
         set_config('synchronous_commit', 'off', true) AS commit_mode`,
      [owner],
    );
    const limits = { minute: quota.perMinute, day: quota.perDay };
    const over = rows
      .filter((r) => r.used > limits[r.period])
      .sort((a, b) => b.reset_seconds - a.reset_seconds)[0];
    const windows = rows.map((r) => ({ period: r.period, start: r.window_start }));
    if (!over) return { windows };
    await this.giveBackQuota(owner, windows);
    return {
      windows,
      over: {
        kind: 'over-quota',
        period: over.period,
        limit: limits[over.period],
        retryAfterSeconds: Math.max(1, over.reset_seconds),
      },
    };
  }

  /** Takes back the one counted in exactly these windows (a boundary may have passed since). */
  private async giveBackQuota(owner: string, windows: QuotaWindow[]): Promise<void> {
    await this.pool.query(
      `UPDATE mail_quota_usage SET used = used - 1
       WHERE principal = $1
         AND (period, window_start) IN (SELECT * FROM unnest($2::text[], $3::timestamptz[]))
         AND set_config('synchronous_commit', 'off', true) IS NOT NULL`,
      [owner, windows.map((w) => w.period), windows.map((w) => w.start)],
    );
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
  async findDue(
    lostAfterMs: number,
    limit: number,
    includeLost = true,
  ): Promise<{ id: string; attempts: number }[]> {
    const { rows } = await this.pool.query<{ id: string; attempts: number }>(
      `SELECT id, attempts FROM mail_messages
       WHERE status = 'queued'
         AND ((NOT enqueued AND next_attempt_at <= now())
           OR ($3 AND next_attempt_at <= now() - make_interval(secs => $1::double precision / 1000)))
       ORDER BY next_attempt_at
       LIMIT $2`,
      [lostAfterMs, limit, includeLost],
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
