import type { AmqpConnection } from '@micromesh/kit';
import type { Channel } from 'amqplib';

/** Direct exchange the mail service publishes its own retry messages to. */
export const MAIL_EXCHANGE = 'mail';
/** The queue the retry consumer reads: messages due for another attempt. */
export const OUTBOX_QUEUE = 'mail.outbox';
export const OUTBOX_ROUTING_KEY = 'outbox';

/** One delay queue per distinct delay, so a long TTL never holds up a short one behind it. */
export function delayQueueName(delayMs: number): string {
  return `mail.retry.${delayMs}ms`;
}

export function delayRoutingKey(delayMs: number): string {
  return `retry.${delayMs}ms`;
}

/**
 * Declares the exchange, the outbox and the delay queues. A delay queue has no consumer: its
 * messages expire after the queue's TTL and are dead-lettered back to the outbox.
 */
export async function declareMailTopology(
  channel: Channel,
  delaysMs: readonly number[],
): Promise<void> {
  await channel.assertExchange(MAIL_EXCHANGE, 'direct', { durable: true });
  await channel.assertQueue(OUTBOX_QUEUE, { durable: true });
  await channel.bindQueue(OUTBOX_QUEUE, MAIL_EXCHANGE, OUTBOX_ROUTING_KEY);
  for (const delayMs of new Set(delaysMs)) {
    const queue = delayQueueName(delayMs);
    await channel.assertQueue(queue, {
      durable: true,
      arguments: {
        'x-message-ttl': delayMs,
        'x-dead-letter-exchange': MAIL_EXCHANGE,
        'x-dead-letter-routing-key': OUTBOX_ROUTING_KEY,
      },
    });
    await channel.bindQueue(queue, MAIL_EXCHANGE, delayRoutingKey(delayMs));
  }
}

/** Re-declares the topology on every (re)connect; register it before the publisher and consumer. */
export function registerMailTopology(
  connection: AmqpConnection,
  delaysMs: readonly number[],
): void {
  connection.onConnect(async (model) => {
    const channel = await model.createChannel();
    try {
      await declareMailTopology(channel, delaysMs);
    } finally {
      await channel.close().catch(() => undefined);
    }
  });
}
