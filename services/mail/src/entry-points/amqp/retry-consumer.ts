import { withConsumerBatchSpan, type AmqpConnection, type Logger } from '@micromesh/kit';
import type { Channel, ConsumeMessage } from 'amqplib';
import { z } from 'zod';

const retryMessageSchema = z.object({ id: z.uuid() });

export interface RetryConsumerOptions {
  connection: AmqpConnection;
  /** The queue of messages due for an attempt (declared by the composition root's topology). */
  queue: string;
  logger: Logger;
  prefetch: number;
  /**
   * Handles one due message; a throw means "try again later" (e.g. PostgreSQL is down). The signal
   * fires when the consumer stops, so a handler waiting (for SMTP) lets go of its message.
   */
  handle: (id: string, signal: AbortSignal) => Promise<unknown>;
  /** Pause before a message whose handling threw goes back to the queue (no hot loop). */
  requeueDelayMs: number;
}

/**
 * Consumes the outbox with manual acks, on every (re)connect (after the topology setup). A message
 * is acked only after its outcome is recorded in PostgreSQL.
 */
export function registerRetryConsumer(options: RetryConsumerOptions): { stop(): Promise<void> } {
  const { logger, queue } = options;
  let current: { channel: Channel; tag: string } | undefined;
  let stopping = false;
  const stopped = new AbortController();
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
    try {
      await options.handle(parsed.data.id, stopped.signal);
      settle(() => channel.ack(delivery));
    } catch (err) {
      if (stopped.signal.aborted) {
        // Stopping while it waited: back to the queue for the next consumer, untouched.
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

  options.connection.onConnect(async (model) => {
    const channel = await model.createChannel();
    channel.on('error', (err: Error) => logger.warn({ err: err.message }, 'retry channel error'));
    await channel.prefetch(options.prefetch);
    if (stopping) {
      await channel.close().catch(() => undefined);
      return;
    }
    const { consumerTag } = await channel.consume(
      queue,
      (delivery) => {
        if (!delivery) return; // the queue was deleted; the reconnect declares it again
        // A retry continues the trace of the request that queued the mail.
        const work = withConsumerBatchSpan(
          `${queue} process`,
          [delivery.properties.headers],
          { 'messaging.system': 'rabbitmq', 'messaging.destination.name': queue },
          () => onMessage(channel, delivery),
        ).finally(() => inFlight.delete(work));
        inFlight.add(work);
      },
      { noAck: false },
    );
    current = { channel, tag: consumerTag };
  });

  return {
    async stop() {
      stopping = true;
      stopped.abort();
      const last = current;
      current = undefined;
      if (last) await last.channel.cancel(last.tag).catch(() => undefined);
      // Let attempts in progress record their outcome and ack before the channel goes.
      await Promise.allSettled([...inFlight]);
      if (last) await last.channel.close().catch(() => undefined);
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
