import type { Pool } from 'pg';
import type { MessageStatus, StoredMessage } from '../domain/message';
import type { MailContent } from '../domain/send-request';

interface MessageRow {
  id: string;
  idempotency_key: string | null;
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

function toMessage(row: MessageRow): StoredMessage {
  return {
    id: row.id,
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
  idempotencyKey: string | null;
  payloadHash: string;
  content: MailContent;
}

export type InsertOutcome =
  { created: true; message: StoredMessage } | { created: false; message: StoredMessage };

/**
 * Every message and its delivery state. PostgreSQL is the source of truth; RabbitMQ only says
 * when to look at a message again. Status changes are conditional updates, so two workers (or a
 * redelivery) can never both own one attempt.
 */
export class MessageRepository {
  constructor(private readonly pool: Pool) {}

  /** Stores a message as "sending"; with a known idempotency key returns the first one instead. */
  async insert(message: NewMessage): Promise<InsertOutcome> {
    const { rows } = await this.pool.query<MessageRow>(
      `INSERT INTO mail_messages
         (id, idempotency_key, payload_hash, sender, recipient, subject, body, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'sending')
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING *`,
      [
        message.id,
        message.idempotencyKey,
        message.payloadHash,
        message.content.from,
        message.content.to,
        message.content.subject,
        message.content.message,
      ],
    );
    const created = rows[0];
    if (created) return { created: true, message: toMessage(created) };
    const existing = await this.pool.query<MessageRow>(
      'SELECT * FROM mail_messages WHERE idempotency_key = $1',
      [message.idempotencyKey],
    );
    const row = existing.rows[0];
    if (!row) throw new Error('idempotency key conflicted but no row holds it');
    return { created: false, message: toMessage(row) };
  }

  async findById(id: string): Promise<StoredMessage | undefined> {
    const { rows } = await this.pool.query<MessageRow>(
      'SELECT * FROM mail_messages WHERE id = $1',
      [id],
    );
    return rows[0] ? toMessage(rows[0]) : undefined;
  }

  /** Takes a queued message for one delivery attempt; undefined when it is not (or no longer) queued. */
  async claim(id: string): Promise<StoredMessage | undefined> {
    const { rows } = await this.pool.query<MessageRow>(
      `UPDATE mail_messages SET status = 'sending', updated_at = now()
       WHERE id = $1 AND status = 'queued' RETURNING *`,
      [id],
    );
    return rows[0] ? toMessage(rows[0]) : undefined;
  }

  async markSent(id: string): Promise<void> {
    await this.pool.query(
      `UPDATE mail_messages
       SET status = 'sent', attempts = attempts + 1, last_error = NULL, enqueued = false,
           next_attempt_at = NULL, sent_at = now(), updated_at = now()
       WHERE id = $1 AND status = 'sending'`,
      [id],
    );
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.pool.query(
      `UPDATE mail_messages
       SET status = 'failed', attempts = attempts + 1, last_error = $2, enqueued = false,
           next_attempt_at = NULL, updated_at = now()
       WHERE id = $1 AND status = 'sending'`,
      [id, error],
    );
  }

  /** Records a failed attempt and when to try again; returns the attempt count. */
  async markQueued(id: string, error: string, delayMs: number): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ attempts: number }>(
      `UPDATE mail_messages
       SET status = 'queued', attempts = attempts + 1, last_error = $2, enqueued = false,
           next_attempt_at = now() + make_interval(secs => $3::double precision / 1000),
           updated_at = now()
       WHERE id = $1 AND status = 'sending'
       RETURNING attempts`,
      [id, error, delayMs],
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
   * Messages left "sending" longer than any attempt can take were interrupted (a crash mid-send):
   * they go back to the queue. The mail may have left before the crash: at-least-once here.
   */
  async releaseStale(olderThanMs: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `UPDATE mail_messages
       SET status = 'queued', enqueued = false, next_attempt_at = now(),
           last_error = 'delivery attempt was interrupted', updated_at = now()
       WHERE status = 'sending'
         AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
       RETURNING id`,
      [olderThanMs],
    );
    return rows.map((r) => r.id);
  }
}
