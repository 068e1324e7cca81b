import type { LogEvent } from '@micromesh/contracts';
import {
  DEAD_LETTER_QUEUE,
  LISTENER_QUEUE,
  backoffDelay,
  type DeadLetterReason,
  type Logger,
  withConsumerBatchSpan,
} from '@micromesh/kit';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { BatchForwarder, type FailureKind, type ForwardReport } from '../../domain/batch-forwarder';
import { decodeEvent } from '../../domain/decode-event';
import type { ListenerMetrics } from '../../metrics';
import { FailureCounts } from './failure-counts';
import { deadLetter } from './dead-letter';
import { declareListenerTopology } from './topology';

/**
 * A delivery (its tag is only meaningful on its channel) and the valid event it brought, or why it
 * is not one. Invalid messages travel through the forwarder too, so that they are settled in
 * delivery order like the rest (a later `ack(multiple)` must never overtake their dead-lettering).
 */
type PendingEvent =
  | { message: ConsumeMessage; event: LogEvent; invalid?: undefined }
  | {
      message: ConsumeMessage;
      event?: undefined;
      invalid: { reason: 'malformed' | 'invalid'; detail: string };
    };

export interface LogConsumerOptions {
  prefetch: number;
  batchSize: number;
  maxInFlight: number;
  maxBatchBytes: number;
  flushMs: number;
  retry: { minMs: number; maxMs: number };
  /** Stores a batch of events; resolves once stored (but for the events it reports refused). */
  store(events: readonly LogEvent[]): Promise<ForwardReport | void>;
  /** What a failed store call means for its batch: hold it, split it, or count against it. */
  classify(error: unknown): FailureKind;
  /** The refusing party's own words, for the dead letter's header. */
  describe(error: unknown): string;
  /** Attempts an event gets when it fails alone with an unexpected error. */
  maxAttempts: number;
  metrics: ListenerMetrics;
  logger: Logger;
}

/** One channel and its batches: delivery tags belong to the channel, so they live and die together. */
interface Session {
  model: ChannelModel;
  /** A confirm channel: dead letters are republished on it (confirmed) before their ack. */
  channel: ConfirmChannel;
  /** For looking at queues (the dead-letter queue's depth), opened on first use. */
  inspect?: Promise<Channel>;
  forwarder: BatchForwarder<PendingEvent>;
  consumerTag?: string;
  ended: boolean;
}

/**
 * Consumes the listener queue with manual acks and forwards the events in batches. A message is
 * acked only after the logger stored it (`ack(multiple)` up to the batch's last delivery tag: the
 * forwarder settles batches strictly in delivery order, and everything before a batch is either
 * acked with an earlier batch or already dead-lettered). A malformed message is dead-lettered on
 * its first delivery, a refused one as soon as it is isolated, one that keeps failing with an
 * unexpected error after `maxAttempts` attempts (counted by message id, across reconnects); each
 * carries the reason in its headers. When the channel or connection dies, its unsettled batch is dropped:
 * RabbitMQ redelivers those messages on the next channel and the logger ignores the duplicates.
 */
export class LogConsumer {
  private session: Session | undefined;
  private stopping = false;
  private readonly failures = new FailureCounts();

  constructor(private readonly options: LogConsumerOptions) {}

  /** The AmqpConnection setup: runs on every (re)connect. */
  async attach(model: ChannelModel): Promise<void> {
    if (this.stopping) return;
    const { logger, metrics } = this.options;
    const channel = await model.createConfirmChannel();
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

  /**
   * Messages in the dead-letter queue now, or undefined while not connected. Asked on a channel of
   * its own: a failed check (say the queue was deleted) closes that channel, never the consumer's.
   */
  async deadLetterDepth(): Promise<number | undefined> {
    const session = this.session;
    if (!session || session.ended) return undefined;
    if (!session.inspect) {
      const inspect = session.model.createChannel().then((channel) => {
        channel.on('error', () => undefined);
        channel.on('close', () => {
          if (session.inspect === inspect) session.inspect = undefined;
        });
        return channel;
      });
      session.inspect = inspect;
      inspect.catch(() => (session.inspect = undefined));
    }
    const channel = await session.inspect;
    return (await channel.checkQueue(DEAD_LETTER_QUEUE)).messageCount;
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
    session.forwarder.add(
      decoded.ok
        ? { message, event: decoded.event }
        : { message, invalid: { reason: decoded.reason, detail: decoded.detail } },
    );
  }

  private createForwarder(channel: ConfirmChannel): BatchForwarder<PendingEvent> {
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
          () => this.forward(items),
        ),
      classify: (error) => this.options.classify(error),
      retryDelayMs: (attempt) =>
        backoffDelay(attempt, { initialDelayMs: retry.minMs, maxDelayMs: retry.maxMs }),
      maxItemAttempts: this.options.maxAttempts,
      countFailure: (item) => this.failures.add(this.keyOf(item)),
      onStored: (items, forwardMs) => {
        const last = items[items.length - 1];
        if (!last) return;
        for (const item of items) this.failures.forget(this.keyOf(item));
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
      onRejected: async (item, error, reason) => {
        if (item.invalid) {
          await this.deadLetter(channel, item.message, item.invalid.reason, item.invalid.detail, 1);
          return;
        }
        const key = this.keyOf(item);
        const attempts = reason === 'refused' ? 1 : this.failures.get(key);
        this.failures.forget(key);
        await this.deadLetter(
          channel,
          item.message,
          reason,
          this.options.describe(error),
          attempts,
        );
      },
      onRetry: (error, attempt, delayMs, batchSize, kind) => {
        metrics.forwardRetries.inc();
        if (kind === 'unknown') {
          // One event failing oddly is not an outage: readiness stays, the attempts are bounded.
          logger.warn(
            { err: this.options.describe(error), attempt, delayMs },
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

  /** Stores the valid events of a batch; the invalid ones come back as refused. */
  private async forward(items: readonly PendingEvent[]): Promise<ForwardReport> {
    const refused = new Map<number, unknown>();
    const events: LogEvent[] = [];
    const positions: number[] = [];
    for (const [index, item] of items.entries()) {
      if (item.event) {
        events.push(item.event);
        positions.push(index);
      } else refused.set(index, item.invalid);
    }
    if (events.length > 0) {
      const report = await this.options.store(events);
      for (const [index, error] of report?.refused ?? []) {
        const position = positions[index];
        if (position !== undefined) refused.set(position, error);
      }
    }
    return { refused };
  }

  /** The id attempts are counted under: the message id (= event id), else the event id. */
  private keyOf(item: PendingEvent): string {
    const id: unknown = item.message.properties.messageId;
    return typeof id === 'string' && id !== '' ? id : (item.event?.event_id ?? '');
  }

  private async deadLetter(
    channel: ConfirmChannel,
    message: ConsumeMessage,
    reason: DeadLetterReason,
    detail: string,
    attempts: number,
  ): Promise<void> {
    const { logger, metrics } = this.options;
    const how = await deadLetter(channel, message, { reason, detail, attempts });
    if (how === 'lost-channel') {
      logger.warn({ reason }, 'could not dead-letter a message (channel gone); it is redelivered');
      return;
    }
    metrics.deadLettered.inc({ reason });
    logger.warn(
      {
        reason,
        detail,
        attempts,
        messageId: message.properties.messageId,
        routingKey: message.fields.routingKey,
        ...(how === 'rejected' && {
          fallback: 'nack: RabbitMQ dead-lettered it without our headers',
        }),
      },
      'message dead-lettered',
    );
  }

  private end(session: Session, why: string): void {
    if (session.ended) return;
    session.ended = true;
    void session.inspect?.then((channel) => channel.close()).catch(() => undefined);
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
