import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import type { AmqpConnection } from './amqp-connection';
import { backoffDelay, type BackoffSettings } from './backoff';

export interface KeptConsumerOptions {
  connection: AmqpConnection;
  queue: string;
  logger: Logger;
  /**
   * Runs on every new channel before it consumes: the prefetch, and the declarations the
   * consumer needs (declare the queue here, so a deleted queue comes back with the consumer).
   */
  prepare(channel: Channel): Promise<void>;
  /** A delivery; settle it on `channel`, the one it came on. */
  onMessage(channel: Channel, delivery: ConsumeMessage): void;
  /** Told when a consumer's channel ends (its unacked deliveries go back to the queue). */
  onChannelEnd?(channel: Channel): void;
  /** Pause between attempts to replace a lost consumer; default 250 ms doubling to 5 s. */
  reopen?: BackoffSettings;
}

interface Session {
  model: ChannelModel;
  channel: Channel;
  tag?: string;
  live: boolean;
  closed: boolean;
}

/**
 * A consumer that stays a consumer. It is (re)made on every connect, like any setup, and also
 * when its channel dies alone or RabbitMQ cancels it while the connection lives on: a
 * `consumer_timeout` (deliveries unacked for 30 min), a channel error, or the queue deleted. The
 * replacement runs on the same connection, after a backoff, and `prepare` declares the queue
 * again. `consuming` and `healthCheck()` say whether a consumer exists right now.
 */
export class KeptConsumer {
  private session: Session | undefined;
  private stopping = false;
  private reopenTimer: NodeJS.Timeout | undefined;
  private reopenAttempts = 0;
  private lastProblem: string | undefined;

  constructor(private readonly options: KeptConsumerOptions) {
    options.connection.onConnect((model) => this.open(model));
  }

  get consuming(): boolean {
    return this.session?.live === true;
  }

  /** For readiness: throws while no consumer of the queue exists on this connection. */
  healthCheck(): () => Promise<void> {
    return async () => {
      if (this.consuming) return;
      const why = this.lastProblem ? `: ${this.lastProblem}` : '';
      throw new Error(`not consuming ${this.options.queue}${why}`);
    };
  }

  /** No more deliveries, nor replacements; the channel stays open for settling what is in hand. */
  async cancel(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.reopenTimer);
    const session = this.session;
    if (session?.live && session.tag) {
      await session.channel.cancel(session.tag).catch(() => undefined);
    }
  }

  /** Cancels (if not yet) and closes the channel. */
  async close(): Promise<void> {
    await this.cancel();
    const session = this.session;
    this.session = undefined;
    if (session) await session.channel.close().catch(() => undefined);
  }

  /** The connection setup, and each replacement. A throw during a connect drops that connect. */
  private async open(model: ChannelModel): Promise<void> {
    if (this.stopping) return;
    clearTimeout(this.reopenTimer);
    const { logger, queue } = this.options;
    const channel = await model.createChannel();
    const session: Session = { model, channel, live: false, closed: false };
    // Before anything can fail on the channel (a failed declaration is a channel error).
    channel.on('error', (err: Error) => {
      this.lastProblem = err.message;
      logger.warn({ err: err.message, queue }, 'consumer channel error');
    });
    channel.on('close', () => this.onClosed(session));
    try {
      await this.options.prepare(channel);
      if (this.stopping) throw new Error('stopping');
      const { consumerTag } = await channel.consume(
        queue,
        (delivery) => {
          if (delivery) this.options.onMessage(channel, delivery);
          else this.onCancelled(session);
        },
        { noAck: false },
      );
      if (session.closed) throw new Error(this.lastProblem ?? 'consumer channel closed');
      session.tag = consumerTag;
      session.live = true;
    } catch (err) {
      session.closed = true;
      await channel.close().catch(() => undefined);
      throw err;
    }
    const previous = this.session;
    this.session = session;
    if (previous && previous !== session) void previous.channel.close().catch(() => undefined);
    this.reopenAttempts = 0;
    this.lastProblem = undefined;
    logger.info({ queue }, 'consuming');
  }

  private onCancelled(session: Session): void {
    this.lastProblem = 'consumer cancelled by RabbitMQ (queue deleted?)';
    this.options.logger.warn(
      { queue: this.options.queue },
      'consumer cancelled by RabbitMQ; replacing it',
    );
    // Closing the channel also returns its unacked deliveries; the close handler replaces it.
    void session.channel.close().catch(() => undefined);
  }

  private onClosed(session: Session): void {
    const wasLive = session.live;
    session.closed = true;
    session.live = false;
    if (!wasLive) return; // a failed open: its caller retries
    this.options.onChannelEnd?.(session.channel);
    if (this.session === session) this.session = undefined;
    if (this.stopping) return;
    this.lastProblem ??= 'consumer channel closed';
    this.scheduleReopen(session.model);
  }

  /** Replaces the consumer on `model` while that connection is the live one. */
  private scheduleReopen(model: ChannelModel): void {
    const { connection, logger, queue } = this.options;
    const delayMs = backoffDelay(this.reopenAttempts++, this.options.reopen);
    logger.warn({ queue, delayMs, why: this.lastProblem }, 'consumer lost; replacing it');
    clearTimeout(this.reopenTimer);
    this.reopenTimer = setTimeout(() => {
      // A lost connection reruns the setup itself once it is back.
      if (this.stopping || connection.current !== model) return;
      this.open(model).catch((err: unknown) => {
        this.lastProblem = err instanceof Error ? err.message : String(err);
        if (!this.stopping && connection.current === model) this.scheduleReopen(model);
      });
    }, delayMs);
    this.reopenTimer.unref();
  }
}
