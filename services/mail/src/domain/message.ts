import type { MailContent } from './mail-content';

export type MessageStatus = 'sending' | 'queued' | 'sent' | 'failed';

export interface StoredMessage {
  id: string;
  /** Who sent it (the broker's `X-Principal`); the scope of its idempotency key. */
  principal: string;
  idempotencyKey: string | null;
  payloadHash: string;
  content: MailContent;
  status: MessageStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
}

/** What the status route shows: no addresses or body, only the delivery state. */
export function publicView(message: StoredMessage) {
  return {
    id: message.id,
    // "sending" is an attempt in flight; to a client that is still waiting in the queue.
    status: message.status === 'sending' ? 'queued' : message.status,
    attempts: message.attempts,
    lastError: message.lastError,
    nextAttemptAt:
      message.status === 'queued' ? (message.nextAttemptAt?.toISOString() ?? null) : null,
    createdAt: message.createdAt.toISOString(),
    sentAt: message.sentAt?.toISOString() ?? null,
  };
}
