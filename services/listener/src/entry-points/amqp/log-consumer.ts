import type { LogEvent } from '@micromesh/contracts';
import { LISTENER_QUEUE, backoffDelay, withConsumerBatchSpan, type Logger } from '@micromesh/kit';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { BatchForwarder } from '../../domain/batch-forwarder';
import { decodeEvent } from '../../domain/decode-event';
import type { ListenerMetrics } from '../../metrics';
import { declareListenerTopology } from './topology';

/** A valid event and the delivery that brought it (its tag is only meaningful on its channel). */
interface PendingEvent {
  event: LogEvent;
  message: ConsumeMessage;
}

export interface LogConsumerOptions {
  prefetch: number;
  batchSize: number;
  maxInFlight: number;
  maxBatchBytes: number;
  flushMs: number;
  retry: { minMs: number; maxMs: number };
  /** Stores a batch of events; resolves once stored. */
  store(events: readonly LogEvent[]): Promise<unknown>;
  /** True when the error says the events themselves were refused (never worth a retry). */
  isRefusal(error: unknown): boolean;
  metrics: ListenerMetrics;
  logger: Logger;
}

/** One channel and its batches: delivery tags belong to the channel, so they live and die together. */
interface Session {
  model: ChannelModel;
  channel: Channel;
  forwarder: BatchForwarder<PendingEvent>;
  consumerTag?: string;
  ended: boolean;
}

/**
 * Consumes the listener queue with manual acks and forwards the events in batches. A message is
 * acked only after the logger stored it (`ack(multiple)` up to the batch's last delivery tag: the
 * forwarder settles batches strictly in delivery order, and everything before a batch is either
 * acked with an earlier batch or already dead-lettered). A malformed message is dead-lettered on
 * its first delivery. When the channel or connection dies, its unsettled batch is dropped:
 * RabbitMQ redelivers those messages on the next channel and the logger ignores the duplicates.
 */
export class LogConsumer {
  private session: Session | undefined;
  private stopping = false;

  constructor(private readonly options: LogConsumerOptions) {}

  /** The AmqpConnection setup: runs on every (re)connect. */
  async attach(model: ChannelModel): Promise<void> {
    if (this.stopping) return;
    const { logger, metrics } = this.options;
    const channel = await model.createChannel();
    // Before anything can fail on the channel (a failed declaration is a channel error).
    channel.on('error', (err: Error) =>
      logger.warn({ err: err.message }, 'consumer channel error'),
    );
    await declareListenerTopology(channel);
    await channel.prefetch(this.options.prefetch);
    const session: Session = {
      model,
      channel,
      forwarder: this.createForwarder(channel),
      ended: false,
    };
    channel.on('close', () => {
      this.end(session, 'channel closed');
      // A channel can die alone (e.g. a channel-level error) while the connection lives on: drop
      // the connection too, so AmqpConnection reconnects and reruns this setup.
      if (!this.stopping) void model.close().catch(() => undefined);
    });
    this.session?.forwarder.close();
    this.session = session;
    const { consumerTag } = await channel.consume(
      LISTENER_QUEUE,
      (message) => this.onMessage(session, message),
      { noAck: false },
    );
    session.consumerTag = consumerTag;
    metrics.forwardingBlocked.set(0);
    logger.info({ queue: LISTENER_QUEUE, prefetch: this.options.prefetch }, 'consuming');
  }

  /** The AmqpConnection disconnect handler. */
  detach(reason: Error): void {
    if (this.session) this.end(this.session, reason.message);
  }

  /** For readiness: throws while events cannot be forwarded. */
  checkForwarding(): void {
    if (!this.session || this.session.ended) throw new Error('not consuming');
    const { forwarder } = this.session;
    if (forwarder.blocked) {
      throw new Error(`logger has not stored the current batch for ${forwarder.blockedForMs} ms`);
    }
  }

  /**
   * Graceful stop: no new deliveries, give the batches in hand `timeoutMs` to be stored and acked,
   * then close the channel (whatever is still unacked is redelivered later).
   */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    const session = this.session;
    if (!session || session.ended) return;
    try {
      if (session.consumerTag) await session.channel.cancel(session.consumerTag);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        session.forwarder.flush(),
        new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    } catch (err) {
      this.options.logger.warn({ err }, 'consumer did not stop cleanly');
    }
    this.end(session, 'stopping');
    await session.channel.close().catch(() => undefined);
  }

  private onMessage(session: Session, message: ConsumeMessage | null): void {
    const { logger, metrics } = this.options;
    if (!message) {
      // RabbitMQ cancelled the consumer (queue deleted): start over with a fresh declaration.
      logger.warn({ queue: LISTENER_QUEUE }, 'consumer cancelled by RabbitMQ; reconnecting');
      void session.model.close().catch(() => undefined);
      return;
    }
    if (session.ended) return;
    metrics.consumed.inc();
    if (message.fields.redelivered) metrics.redelivered.inc();
    const decoded = decodeEvent(message.content);
    if (!decoded.ok) {
      this.deadLetter(session.channel, message, 'malformed', decoded.reason);
      return;
    }
    session.forwarder.add({ event: decoded.event, message });
  }

  private createForwarder(channel: Channel): BatchForwarder<PendingEvent> {
    const { logger, metrics, retry } = this.options;
    return new BatchForwarder<PendingEvent>({
      maxBatchSize: this.options.batchSize,
      maxBatchWeight: this.options.maxBatchBytes,
      // The JSON body is a fair upper bound of an entry's protobuf size.
      weigh: (item) => item.message.content.length + 64,
      flushMs: this.options.flushMs,
      maxInFlight: this.options.maxInFlight,
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
          async () => {
            await this.options.store(items.map((item) => item.event));
          },
        ),
      classify: (error) => (this.options.isRefusal(error) ? 'reject' : 'retry'),
      retryDelayMs: (attempt) =>
        backoffDelay(attempt, { initialDelayMs: retry.minMs, maxDelayMs: retry.maxMs }),
      onStored: (items, forwardMs) => {
        const last = items[items.length - 1];
        if (!last) return;
        try {
          channel.ack(last.message, true);
        } catch (err) {
          // The channel died after the logger stored the batch: RabbitMQ redelivers, the logger
          // recognises the event ids, nothing is stored twice.
          logger.warn({ err: (err as Error).message }, 'could not ack a stored batch');
          return;
        }
        metrics.acked.inc(items.length);
        metrics.batchSize.observe(items.length);
        metrics.forwardDuration.observe(forwardMs / 1000);
      },
      onRejected: (item, error) => this.deadLetter(channel, item.message, 'refused', String(error)),
      onRetry: (error, attempt, delayMs, batchSize) => {
        metrics.forwardRetries.inc();
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

  private deadLetter(channel: Channel, message: ConsumeMessage, reason: string, detail: string) {
    const { logger, metrics } = this.options;
    try {
      channel.nack(message, false, false);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'could not dead-letter a message');
      return;
    }
    metrics.deadLettered.inc({ reason });
    logger.warn(
      {
        reason,
        detail,
        messageId: message.properties.messageId,
        routingKey: message.fields.routingKey,
      },
      'message dead-lettered',
    );
  }

  private end(session: Session, why: string): void {
    if (session.ended) return;
    session.ended = true;
    const dropped = session.forwarder.close();
    if (this.session === session) this.options.metrics.forwardingBlocked.set(0);
    if (dropped > 0) {
      this.options.logger.info(
        { dropped, why },
        'dropped unacked events; RabbitMQ redelivers them',
      );
    }
  }
}
