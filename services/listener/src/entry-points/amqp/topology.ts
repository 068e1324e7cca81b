import {
  DEAD_LETTER_EXCHANGE,
  DEAD_LETTER_QUEUE,
  LISTENER_QUEUE,
  LOGS_EXCHANGE,
  LOGS_EXCHANGE_TYPE,
} from '@micromesh/kit';
import { LEVELS, routingKeyFor } from '@micromesh/contracts';
import type { Channel } from 'amqplib';

/**
 * The listener's queue is a quorum queue: it is the one place every event waits until stored, so
 * it gets RabbitMQ's replicated, fsync-before-confirm queue type (the replacement for mirrored
 * classic queues), which survives losing a node in a cluster. On one node it behaves like a durable
 * queue. Its delivery limit is set on purpose by the `micromesh-listener` policy
 * (@micromesh/kit QUEUE_POLICIES, applied by provision-users-cli), never here: a changed argument would fail every later
 * declaration of the existing queue. Redeliveries after a crash or a reconnect are normal (the
 * logger is idempotent); the listener dead-letters what it cannot store itself, with the reason.
 * The dead-letter queue is classic: no delivery limit of its own, so browsing it loses nothing.
 */
export const LISTENER_QUEUE_ARGUMENTS = {
  'x-queue-type': 'quorum',
  'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
} as const;

/**
 * Declares (idempotently, on every connect) what the listener relies on: the topic exchange the
 * producers publish to, the listener's queue bound to every level, and the dead-letter pair.
 */
export async function declareListenerTopology(channel: Channel): Promise<void> {
  await channel.assertExchange(LOGS_EXCHANGE, LOGS_EXCHANGE_TYPE, { durable: true });
  // Fanout: whatever the original routing key, a dead letter lands in the one dead-letter queue.
  await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'fanout', { durable: true });
  await channel.assertQueue(DEAD_LETTER_QUEUE, { durable: true });
  await channel.bindQueue(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, '');
  await channel.assertQueue(LISTENER_QUEUE, { durable: true, arguments: LISTENER_QUEUE_ARGUMENTS });
  for (const level of LEVELS) {
    await channel.bindQueue(LISTENER_QUEUE, LOGS_EXCHANGE, routingKeyFor(level));
  }
}
