import { LISTENER_QUEUE, backoffDelay, type Logger, withConsumerBatchSpan } from '@micromesh/kit';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { BatchForwarder } from '../../domain/batch-forwarder';
import type { FailureCounts } from '../../domain/failure-counts';
import {
  deadLetterWhy,
  storeValidEvents,
  type DeadLetterWhy,
  type PendingEvent,
} from '../../domain/pending-events';
import type { LogWriter } from '../../domain/ports';
import type { ListenerMetrics } from '../../metrics';
import { deadLetter } from './dead-letter';

export type PendingDelivery = PendingEvent<ConsumeMessage>;

export interface ChannelForwarderOptions {
  batchSize: number;
  maxInFlight: number;
  maxBatchBytes: number;
  flushMs: number;
  retry: { minMs: number; maxMs: number };
  /** Attempts an event gets when it fails alone with an unexpected error. */
  maxAttempts: number;
  store: LogWriter;
  /** Failed attempts by message id: kept by the consumer, across channels. */
  failures: FailureCounts;
  metrics: ListenerMetrics;
  logger: Logger;
  /** Bytes of message bodies settled (acked after storing, or dead-lettered): out of the window. */
  onSettled(bytes: number): void;
}

/**
 * The forwarder of one channel's deliveries: a stored batch is acked with one `ack(multiple)` up
 * to its last delivery tag, a given-up delivery is dead-lettered with its reason, and every step
 * is counted and logged. Delivery tags belong to the channel, so it lives and dies with it.
 */
export function createChannelForwarder(
  channel: ConfirmChannel,
  options: ChannelForwarderOptions,
): BatchForwarder<PendingDelivery> {
  const { logger, metrics, retry, store, failures } = options;
  // Weighed once each: a batch is cut again from what is left after every send.
  const weights = new WeakMap<PendingDelivery, number>();
  const weigh = (item: PendingDelivery) => {
    let bytes = weights.get(item);
    if (bytes === undefined) {
      // What the event adds to the request (an invalid message is never sent: its body will do).
      bytes = item.event ? store.requestBytes(item.event) : item.message.content.length + 64;
      weights.set(item, bytes);
    }
    return bytes;
  };
  return new BatchForwarder<PendingDelivery>({
    maxBatchSize: options.batchSize,
    maxBatchWeight: options.maxBatchBytes,
    weigh,
    flushMs: options.flushMs,
    maxInFlight: options.maxInFlight,
    // One CONSUMER span per attempt: a child of the first traced message, linking them all.
    forward: (items) =>
      withConsumerBatchSpan(
        `${LISTENER_QUEUE} process`,
        items.map((item) => item.message.properties.headers),
        {
          'messaging.system': 'rabbitmq',
          'messaging.operation.type': 'process',
          'messaging.destination.name': LISTENER_QUEUE,
        },
        () => storeValidEvents(store, items),
      ),
    classify: (error) => store.classify(error),
    retryDelayMs: (attempt) =>
      backoffDelay(attempt, { initialDelayMs: retry.minMs, maxDelayMs: retry.maxMs }),
    maxItemAttempts: options.maxAttempts,
    countFailure: (item) => failures.add(keyOf(item)),
    onStored: (items, forwardMs) => {
      const last = items[items.length - 1];
      if (!last) return;
      for (const item of items) failures.forget(keyOf(item));
      try {
        channel.ack(last.message, true);
      } catch (err) {
        // The channel died after the logger stored the batch: RabbitMQ redelivers, the logger
        // recognises the event ids, nothing is stored twice.
        logger.warn({ err: (err as Error).message }, 'could not ack a stored batch');
        return;
      }
      options.onSettled(items.reduce((sum, item) => sum + item.message.content.length, 0));
      metrics.acked.inc(items.length);
      metrics.batchSize.observe(items.length);
      metrics.forwardDuration.observe(forwardMs / 1000);
    },
    onRejected: async (item, error, reason) => {
      const key = keyOf(item);
      const why = deadLetterWhy(item, error, reason, failures.get(key), (e) => store.describe(e));
      if (!item.invalid) failures.forget(key);
      await deadLetterAndLog(channel, item.message, why, options);
      options.onSettled(item.message.content.length);
    },
    onRetry: (error, attempt, delayMs, batchSize, kind) => {
      metrics.forwardRetries.inc();
      if (kind === 'unknown') {
        // One event failing oddly is not an outage: readiness stays, the attempts are bounded.
        logger.warn(
          { err: store.describe(error), attempt, delayMs },
          'an event failed with an unexpected error; retrying it alone',
        );
        return;
      }
      metrics.forwardingBlocked.set(1);
      const fields = { err: (error as Error).message, attempt, delayMs, batchSize };
      // First failure and then every 10th attempt at warn: a long outage must not flood the log.
      if (attempt === 1 || attempt % 10 === 0)
        logger.warn(fields, 'logger unavailable; holding the batch');
      else logger.debug(fields, 'logger still unavailable');
    },
    onRecovered: (attempts) => {
      metrics.forwardingBlocked.set(0);
      logger.info({ attempts }, 'logger stored the held batch; forwarding resumed');
    },
  });
}

/** The id attempts are counted under: the message id (= event id), else the event id. */
function keyOf(item: PendingDelivery): string {
  const id: unknown = item.message.properties.messageId;
  return typeof id === 'string' && id !== '' ? id : (item.event?.event_id ?? '');
}

async function deadLetterAndLog(
  channel: ConfirmChannel,
  message: ConsumeMessage,
  why: DeadLetterWhy,
  { logger, metrics }: Pick<ChannelForwarderOptions, 'logger' | 'metrics'>,
): Promise<void> {
  const how = await deadLetter(channel, message, why);
  if (how === 'lost-channel') {
    logger.warn(
      { reason: why.reason },
      'could not dead-letter a message (channel gone); it is redelivered',
    );
    return;
  }
  metrics.deadLettered.inc({ reason: why.reason });
  logger.warn(
    {
      ...why,
      messageId: message.properties.messageId,
      routingKey: message.fields.routingKey,
      ...(how === 'rejected' && {
        fallback: 'nack: RabbitMQ dead-lettered it without our headers',
      }),
    },
    'message dead-lettered',
  );
}
