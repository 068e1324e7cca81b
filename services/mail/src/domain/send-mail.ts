import { randomUUID } from 'node:crypto';
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

/**
 * The `POST /send` story: store the message (or find the one its idempotency key already names),
 * try SMTP once, and leave a failed attempt queued for the retry consumer.
 */
export async function sendMail(
  deps: DeliveryDeps,
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
  try {
    await deliverMessage(deps, inserted.message);
    const current = await deps.store.findById(inserted.message.id);
    return { message: current ?? inserted.message, replayed: false };
  } catch (err) {
    // PostgreSQL failed after the message was stored: it stays "sending", and the sweeper puts it
    // back in the queue once that state is stale. Accepted, so answered as queued.
    deps.logger.error({ err, messageId: inserted.message.id }, 'mail state not recorded');
    return { message: inserted.message, replayed: false };
  }
}
