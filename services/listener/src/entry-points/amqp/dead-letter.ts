import { DEAD_LETTER_HEADERS } from '@micromesh/contracts';
import { copyPublishOptions, DEAD_LETTER_EXCHANGE } from '@micromesh/kit';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { DeadLetterWhy } from '../../domain/pending-events';

/**
 * How a message left the queue: republished with our headers; rejected (RabbitMQ dead-lettered it
 * through the queue's dead-letter exchange, with only its own `x-death` header); or not at all
 * because the channel is gone (RabbitMQ redelivers it, and it is dead-lettered again then).
 */
export type DeadLetterOutcome = 'published' | 'rejected' | 'lost-channel';

/** The detail header is cut to this many characters. */
const DETAIL_MAX = 1_000;
const CONFIRM_TIMEOUT_MS = 5_000;

/**
 * Dead-letters one delivery with the reason in its headers. A reject cannot add headers, so the
 * message is republished (same body, properties and routing key) to the dead-letter exchange on
 * the consumer's confirm channel, and acked only after RabbitMQ confirmed the copy. If the copy is
 * not confirmed, a plain reject still takes the message out of the way (RabbitMQ's `x-death`
 * says `rejected`). Run it in delivery order: a later `ack(multiple)` must not overtake it.
 */
export async function deadLetter(
  channel: ConfirmChannel,
  message: ConsumeMessage,
  why: DeadLetterWhy,
): Promise<DeadLetterOutcome> {
  const confirmed = await publishCopy(channel, message, why).then(
    () => true,
    () => false,
  );
  try {
    if (confirmed) channel.ack(message);
    else channel.nack(message, false, false);
  } catch {
    return 'lost-channel';
  }
  return confirmed ? 'published' : 'rejected';
}

function publishCopy(
  channel: ConfirmChannel,
  message: ConsumeMessage,
  why: DeadLetterWhy,
): Promise<void> {
  const { properties } = message;
  const options = copyPublishOptions(message, {
    ...(properties.headers ?? {}),
    [DEAD_LETTER_HEADERS.reason]: why.reason,
    [DEAD_LETTER_HEADERS.detail]: why.detail.slice(0, DETAIL_MAX),
    [DEAD_LETTER_HEADERS.at]: new Date().toISOString(),
    [DEAD_LETTER_HEADERS.attempts]: why.attempts,
  });
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no confirm')), CONFIRM_TIMEOUT_MS);
    try {
      channel.publish(
        DEAD_LETTER_EXCHANGE,
        message.fields.routingKey,
        message.content,
        options,
        (err) => {
          clearTimeout(timer);
          if (err) reject(err instanceof Error ? err : new Error(String(err)));
          else resolve();
        },
      );
    } catch (err) {
      clearTimeout(timer);
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
