import {
  KeptConsumer,
  withConsumerBatchSpan,
  type AmqpConnection,
  type Logger,
} from '@micromesh/kit';
import type { Channel, ConsumeMessage } from 'amqplib';
import { z } from 'zod';

const retryMessageSchema = z.object({ id: z.uuid() });

export interface RetryConsumerOptions {
  connection: AmqpConnection;
  /** The queue of messages due for an attempt. */
  queue: string;
  /** Declares the queue (and what it needs) on a new consumer channel: a deleted queue comes back. */
  declare: (channel: Channel) => Promise<void>;
  logger: Logger;
  prefetch: number;
  /**
   * Handles one due message; a throw means "try again later" (e.g. PostgreSQL is down). The signal
   * fires when the consumer stops or its channel ends, so a handler waiting (for SMTP) lets go of
   * a message that RabbitMQ has already taken back.
   */
  handle: (id: string, signal: AbortSignal) => Promise<unknown>;
  /** Pause before a message whose handling threw goes back to the queue (no hot loop). */
  requeueDelayMs: number;
}

export interface RetryConsumer {
  /** Whether a consumer of the outbox exists now (false while it is being replaced). */
  readonly consuming: boolean;
  /** For readiness: throws while nothing consumes the outbox. */
  healthCheck(): () => Promise<void>;
  stop(): Promise<void>;
}

/**
 * Consumes the outbox with manual acks. The kit's KeptConsumer makes the consumer on every
 * (re)connect and replaces it when RabbitMQ closes its channel or cancels it (consumer timeout,
 * queue deleted). A message is acked only after its outcome is recorded in PostgreSQL.
 */
export function registerRetryConsumer(options: RetryConsumerOptions): RetryConsumer {
  const { logger, queue } = options;
  const stopped = new AbortController();
  const channelEnded = new WeakMap<Channel, AbortController>();
  const inFlight = new Set<Promise<void>>();

  const onMessage = async (channel: Channel, delivery: ConsumeMessage) => {
    const parsed = retryMessageSchema.safeParse(safeJson(delivery.content));
    if (!parsed.success) {
      // Only this service publishes here; a body it cannot read carries no message to retry.
      logger.error(
        { body: delivery.content.toString('utf8').slice(0, 200) },
        'malformed retry message dropped',
      );
      settle(() => channel.ack(delivery));
      return;
    }
    const ended = channelEnded.get(channel)?.signal;
    const signal = ended ? AbortSignal.any([stopped.signal, ended]) : stopped.signal;
    try {
      await options.handle(parsed.data.id, signal);
      settle(() => channel.ack(delivery));
    } catch (err) {
      if (signal.aborted) {
        // Stopping, or the channel is gone, while it waited: RabbitMQ has it back, untouched.
        settle(() => channel.nack(delivery, false, true));
        return;
      }
      logger.warn({ err, messageId: parsed.data.id }, 'retry failed; requeueing it after a pause');
      setTimeout(
        () => settle(() => channel.nack(delivery, false, true)),
        options.requeueDelayMs,
      ).unref();
    }
  };

  const consumer = new KeptConsumer({
    connection: options.connection,
    queue,
    logger,
    async prepare(channel) {
      channelEnded.set(channel, new AbortController());
      await options.declare(channel);
      await channel.prefetch(options.prefetch);
    },
    onMessage(channel, delivery) {
      // A retry continues the trace of the request that queued the mail.
      const work = withConsumerBatchSpan(
        `${queue} process`,
        [delivery.properties.headers],
        { 'messaging.system': 'rabbitmq', 'messaging.destination.name': queue },
        () => onMessage(channel, delivery),
      ).finally(() => inFlight.delete(work));
      inFlight.add(work);
    },
    onChannelEnd(channel) {
      channelEnded.get(channel)?.abort(new Error('consumer channel ended'));
    },
  });

  return {
    get consuming() {
      return consumer.consuming;
    },
    healthCheck: () => consumer.healthCheck(),
    async stop() {
      stopped.abort();
      await consumer.cancel();
      // Let attempts in progress record their outcome and ack before the channel goes.
      await Promise.allSettled([...inFlight]);
      await consumer.close();
    },
  };

  function settle(action: () => void) {
    try {
      action();
    } catch (err) {
      // The channel closed: RabbitMQ redelivers the message, and the claim makes that harmless.
      logger.debug({ err }, 'ack/nack on a closed channel');
    }
  }
}

function safeJson(content: Buffer): unknown {
  try {
    return JSON.parse(content.toString('utf8'));
  } catch {
    return undefined;
  }
}
