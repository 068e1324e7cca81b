import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '@micromesh/kit';
import { deliverMessage, type DeliveryDeps } from './deliver-message';
import { payloadHash } from './idempotency';
import type { StoredMessage } from './message';
import type { MailContent } from './send-request';

export interface SendResult {
  message: StoredMessage;
  /** True when an earlier request with the same idempotency key already decided the outcome. */
  replayed: boolean;
}

export interface SendDeps extends DeliveryDeps {
  /**
   * Longest the request waits for the first SMTP attempt. A slower attempt goes on in the
   * background and the caller hears "queued", so a hanging SMTP server never outlasts the
   * caller's own deadline (and never provokes a retry of a mail that is still leaving).
   */
  maxWaitMs: number;
  /** Told about every attempt, so shutdown can wait for those still running in the background. */
  track?: (attempt: Promise<unknown>) => void;
}

/**
 * The `POST /send` story: store the message (or find the one its idempotency key already names),
 * try SMTP once, and leave a failed attempt queued for the retry consumer.
 */
export async function sendMail(
  deps: SendDeps,
  content: MailContent,
  idempotencyKey: string | undefined,
): Promise<SendResult> {
  const hash = payloadHash(content);
  let inserted;
  try {
    inserted = await deps.store.insert({
      id: randomUUID(),
      idempotencyKey: idempotencyKey ?? null,
      payloadHash: hash,
      content,
    });
  } catch (err) {
    throw AppError.unavailable('mail storage is unavailable; nothing was sent', err);
  }
  if (!inserted.created) {
    if (inserted.message.payloadHash !== hash) {
      throw new AppError(
        422,
        'this Idempotency-Key was already used with a different message; use a new key',
      );
    }
    return { message: inserted.message, replayed: true };
  }

  const stored = inserted.message;
  const attempt = deliverMessage(deps, stored).then(
    () => true,
    (err: unknown) => {
      // PostgreSQL failed after the message was stored: it stays "sending", and the sweeper
      // queues it again once that state is stale. It was accepted, so it is answered as queued.
      deps.logger.error({ err, messageId: stored.id }, 'mail state not recorded');
      return false;
    },
  );
  deps.track?.(attempt);
  const abandonWait = new AbortController();
  const finished = await Promise.race([
    attempt,
    sleep(deps.maxWaitMs, false, { signal: abandonWait.signal }).catch(() => false),
  ]);
  abandonWait.abort();
  if (!finished) return { message: stored, replayed: false };
  const current = await deps.store.findById(stored.id).catch(() => undefined);
  return { message: current ?? stored, replayed: false };
}
