import { DEAD_LETTER_QUEUE, LISTENER_QUEUE, type Logger } from '@micromesh/kit';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { BatchForwarder } from '../../domain/batch-forwarder';
import { ByteWindow } from '../../domain/byte-window';
import { FailureCounts } from '../../domain/failure-counts';
import { pendingEvent } from '../../domain/pending-events';
import type { LogWriter } from '../../domain/ports';
import type { ListenerMetrics } from '../../metrics';
import { createChannelForwarder, type PendingDelivery } from './channel-forwarder';
import { declareListenerTopology } from './topology';

export interface LogConsumerOptions {
  /** Deliveries held at most (RabbitMQ's prefetch while bodies are small). */
  prefetch: number;
  /** Bytes of message bodies held at most: the window is bounded by this too (ByteWindow). */
  maxInFlightBytes: number;
  /** The largest body a producer may send: the prefetch lets at most maxInFlightBytes of them come. */
  largestEventBytes: number;
  batchSize: number;
  maxInFlight: number;
  maxBatchBytes: number;
  flushMs: number;
  retry: { minMs: number; maxMs: number };
  /** The store the events go to; it explains its own failures (classify, describe). */
  store: LogWriter;
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
  forwarder: BatchForwarder<PendingDelivery>;
  /** The running consumer; undefined while consuming is stopped (window full) or being switched. */
  consumerTag?: string;
  /** Bytes held, and the prefetch of the next consumer. */
  window: ByteWindow;
  /** A consumer being cancelled or started: one switch at a time. */
  switching?: Promise<void>;
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
    const window = new ByteWindow({
      maxBytes: this.options.maxInFlightBytes,
      maxPrefetch: this.options.prefetch,
      largestBody: this.options.largestEventBytes,
    });
    const session: Session = {
      model,
      channel,
      forwarder: createChannelForwarder(channel, {
        ...this.options,
        // A window smaller than (in flight + 1) full batches: batches as large as let one fill
        // while the others are in flight (else each would wait for the flush timer).
        batchSize: Math.min(
          this.options.batchSize,
          Math.max(1, Math.floor(window.fullPrefetch / (this.options.maxInFlight + 1))),
        ),
        failures: this.failures,
        onSettled: (bytes) => this.settled(session, bytes),
      }),
      window,
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
    const prefetch = await this.consume(session);
    metrics.forwardingBlocked.set(0);
    logger.info(
      { queue: LISTENER_QUEUE, prefetch, maxInFlightBytes: this.options.maxInFlightBytes },
      'consuming',
    );
  }

  /** Starts a consumer with the prefetch the byte window allows now; returns that prefetch. */
  private async consume(session: Session): Promise<number> {
    const prefetch = session.window.nextPrefetch();
    // Per consumer (RabbitMQ applies basic.qos to the consumers started after it).
    await session.channel.prefetch(prefetch);
    const { consumerTag } = await session.channel.consume(
      LISTENER_QUEUE,
      (message) => this.onMessage(session, message),
      { noAck: false },
    );
    session.consumerTag = consumerTag;
    return prefetch;
  }

  /**
   * Stops deliveries (the window is full, or its consumer is to be replaced by one with a larger
   * prefetch); consuming starts again once the window allows it.
   */
  private pause(session: Session): void {
    const tag = session.consumerTag;
    if (!tag || session.switching || session.ended) return;
    session.consumerTag = undefined;
    this.options.metrics.consumingPaused.set(1);
    session.switching = session.channel
      .cancel(tag)
      .then(() => undefined)
      // A failed cancel means a dead channel: the session ends and the next one starts afresh.
      .catch(() => undefined)
      .finally(() => {
        session.switching = undefined;
        this.resumeIfRoom(session);
      });
  }

  /** Starts consuming again when stopped and half the window is free. */
  private resumeIfRoom(session: Session): void {
    if (this.stopping || session.ended || session.switching || session.consumerTag) return;
    if (!session.window.canResume) return;
    session.switching = this.consume(session)
      .then((prefetch) => {
        this.options.metrics.consumingPaused.set(0);
        this.options.logger.debug({ prefetch, heldBytes: session.window.bytes }, 'consuming again');
      })
      .catch((err: Error) => this.options.logger.warn({ err: err.message }, 'could not consume'))
      .finally(() => (session.switching = undefined));
  }

  /** Bytes of the window were settled (acked or dead-lettered). */
  private settled(session: Session, bytes: number): void {
    session.window.settle(bytes);
    this.options.metrics.heldBytes.set(session.window.bytes);
    if (!session.consumerTag) this.resumeIfRoom(session);
    else if (session.window.wantsMore) this.pause(session);
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
      await session.switching;
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
    if (!session.window.take(message.content.length)) {
      // Over the byte bound: back to the queue (at once, so it is not held), and no more
      // deliveries until half the window is settled.
      try {
        session.channel.nack(message, false, true);
      } catch {
        // The channel is gone: RabbitMQ requeues it anyway.
      }
      metrics.returned.inc();
      this.pause(session);
      return;
    }
    metrics.heldBytes.set(session.window.bytes);
    metrics.consumed.inc();
    if (message.fields.redelivered) metrics.redelivered.inc();
    session.forwarder.add(pendingEvent(message, message.content));
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
