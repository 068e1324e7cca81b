// Kept by hand (see amqp-connection.ts): when the connection drops, every unconfirmed publish rejects at once.
import type { LogEvent } from '@micromesh/contracts';
import { Writable } from 'node:stream';
import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import type { Logger } from 'pino';
import type { AmqpConnection } from './amqp-connection';
import { injectTraceHeaders, SpanKind, withSpan } from '../tracing/spans';
import { backoffDelay } from './backoff';
import { eventMessage } from './event-message';
import { PublishError } from './publish-error';
import { settleWithin } from './settle-within';
import { LOGS_EXCHANGE, LOGS_EXCHANGE_TYPE } from './topology';

/**
 * Carries the confirm sequence number of each message. basic.return has no delivery tag, so this
 * is how a returned message is matched to its pending publish before the basic.ack that follows.
 */
export const PUBLISH_SEQ_HEADER = 'x-publish-seq';

/** A hung broker never answers channel.close; close() gives up waiting after this long. */
const CHANNEL_CLOSE_BOUND_MS = 1_000;

export interface EventPublisherOptions {
  connection: AmqpConnection;
  /** Declared (durable) on every connect; default LOGS_EXCHANGE. */
  exchange?: string;
  /** Default 'topic'. */
  exchangeType?: string;
  /** A confirm not received in time rejects 'timeout'; default 5000. */
  publishTimeoutMs?: number;
  /** Beyond this many unconfirmed publishes, publish rejects 'overloaded' at once; default 10000. */
  maxInFlight?: number;
  /** Default: the connection's logger. */
  logger?: Logger;
}

interface Pending {
  exchange: string;
  routingKey: string;
  body: Buffer;
  options: Options.Publish;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
  settled: boolean;
  returned: boolean;
}

/** One confirm channel's life: its own sequence numbers and unconfirmed messages. */
interface PublishChannel {
  channel: ConfirmChannel;
  model: ChannelModel;
  nextSeq: number;
  unconfirmed: Map<number, Pending>;
  /** False after publish() reported a full write buffer, until 'drain'. */
  writable: boolean;
  closed: boolean;
  /** The connection's socket is corked until the end of this event-loop turn's publishes. */
  corked: boolean;
}

/** The socket under an amqplib connection (not in its types; absent in other transports). */
function socketOf(model: ChannelModel): Writable | undefined {
  const stream = (model as unknown as { connection?: { stream?: unknown } }).connection?.stream;
  return stream instanceof Writable ? stream : undefined;
}

/**
 * Publishes with RabbitMQ's guarantees: a promise resolves only when the broker confirmed the
 * message (persistent, mandatory). Many publishes share one confirm channel concurrently; when
 * its write buffer is full, later publishes wait in order for 'drain'. When the channel or the
 * connection dies, everything not yet confirmed rejects 'unavailable' at once: nothing counts as
 * delivered that RabbitMQ did not confirm.
 */
export class EventPublisher {
  private readonly connection: AmqpConnection;
  private readonly exchange: string;
  private readonly exchangeType: string;
  private readonly publishTimeoutMs: number;
  private readonly maxInFlight: number;
  private readonly logger: Logger;
  private current: PublishChannel | undefined;
  private waiting: Pending[] = [];
  private waitingHead = 0;
  private inFlightCount = 0;
  private closing = false;
  private reopenTimer: NodeJS.Timeout | undefined;
  private onIdle: (() => void) | undefined;

  constructor(options: EventPublisherOptions) {
    this.connection = options.connection;
    this.exchange = options.exchange ?? LOGS_EXCHANGE;
    this.exchangeType = options.exchangeType ?? LOGS_EXCHANGE_TYPE;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    this.maxInFlight = options.maxInFlight ?? 10_000;
    this.logger = (options.logger ?? options.connection.logger).child({
      component: 'amqp-publisher',
      exchange: this.exchange,
    });
    this.connection.onConnect((model) => this.openChannel(model));
    this.connection.onDisconnect((reason) => {
      const lost = this.current;
      this.current = undefined;
      if (lost) lost.closed = true;
      this.failAll(
        lost,
        new PublishError('unavailable', 'RabbitMQ connection lost', { cause: reason }),
      );
    });
  }

  /**
   * The event as JSON on the exchange with routing key `log.<LEVEL>`; resolves after RabbitMQ's
   * confirm. See eventMessage for the properties and headers.
   */
  publish(event: LogEvent): Promise<void> {
    let message;
    try {
      message = eventMessage(event);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return this.publishRaw(this.exchange, message.routingKey, message.body, message.options);
  }

  /**
   * Any exchange/routing key/body with the same guarantees; `mandatory` defaults to true. Traced
   * as a PRODUCER span that lasts until the confirm, whose context goes along in the message's
   * W3C `traceparent` header (so the consumer's span continues the publisher's trace).
   */
  publishRaw(
    exchange: string,
    routingKey: string,
    body: Buffer,
    options: Options.Publish = {},
  ): Promise<void> {
    return withSpan(
      `${exchange || 'amq.default'} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'rabbitmq',
          'messaging.operation.type': 'send',
          'messaging.destination.name': exchange,
          'messaging.rabbitmq.destination.routing_key': routingKey,
          ...(options.messageId ? { 'messaging.message.id': options.messageId } : {}),
        },
      },
      () =>
        this.publishConfirmed(exchange, routingKey, body, {
          ...options,
          headers: injectTraceHeaders({ ...options.headers }),
        }),
    );
  }

  private publishConfirmed(
    exchange: string,
    routingKey: string,
    body: Buffer,
    options: Options.Publish,
  ): Promise<void> {
    const target = this.current;
    const refusal = this.refusal(target);
    if (refusal || !target) return Promise.reject(refusal);
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = {
        exchange,
        routingKey,
        body,
        options,
        resolve,
        reject,
        timer: undefined,
        settled: false,
        returned: false,
      };
      this.inFlightCount++;
      pending.timer = setTimeout(
        () => this.settle(pending, this.timeoutError()),
        this.publishTimeoutMs,
      );
      if (target.writable && this.waitingCount() === 0) this.send(target, pending);
      else this.waiting.push(pending);
    });
  }

  /** Publishes accepted and not yet settled (confirmed, failed or timed out). */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Stops accepting, waits (at most publishTimeoutMs) for in-flight confirms, closes the channel. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.reopenTimer);
    if (this.inFlightCount > 0) {
      // Every pending publish has its own timer, so this is bounded by publishTimeoutMs anyway.
      await new Promise<void>((resolve) => {
        const guard = setTimeout(resolve, this.publishTimeoutMs + 100);
        this.onIdle = () => {
          clearTimeout(guard);
          resolve();
        };
      });
    }
    const last = this.current;
    this.current = undefined;
    if (last && !last.closed) {
      last.closed = true;
      await settleWithin(last.channel.close(), CHANNEL_CLOSE_BOUND_MS);
    }
  }

  private refusal(target: PublishChannel | undefined): PublishError | undefined {
    if (this.closing) return new PublishError('unavailable', 'the publisher is closed');
    if (!target) return new PublishError('unavailable', 'RabbitMQ is not connected');
    if (this.connection.blocked) {
      return new PublishError('unavailable', 'RabbitMQ is blocking publishers (resource alarm)');
    }
    if (this.inFlightCount >= this.maxInFlight) {
      return new PublishError(
        'overloaded',
        `${this.maxInFlight} messages are already waiting for a RabbitMQ confirm`,
      );
    }
    return undefined;
  }

  /** The onConnect setup: the exchange and one confirm channel, on every (re)connect. */
  private async openChannel(model: ChannelModel): Promise<void> {
    if (this.closing) return;
    const channel = await model.createConfirmChannel();
    const state: PublishChannel = {
      channel,
      model,
      nextSeq: 1,
      unconfirmed: new Map(),
      writable: true,
      closed: false,
      corked: false,
    };
    channel.on('return', (message: Message) => this.onReturn(state, message));
    channel.on('drain', () => this.onDrain(state));
    channel.on('error', (err: Error) => {
      this.logger.warn({ err: err.message }, 'publish channel error');
    });
    channel.on('close', () => this.onChannelClosed(state));
    await channel.assertExchange(this.exchange, this.exchangeType, { durable: true });
    if (this.closing) {
      state.closed = true;
      await channel.close().catch(() => undefined);
      return;
    }
    this.current = state;
  }

  private send(target: PublishChannel, pending: Pending): void {
    const seq = target.nextSeq++;
    target.unconfirmed.set(seq, pending);
    const { options } = pending;
    let writable: boolean;
    try {
      writable = target.channel.publish(
        pending.exchange,
        pending.routingKey,
        pending.body,
        {
          ...options,
          mandatory: options.mandatory ?? true,
          headers: { ...options.headers, [PUBLISH_SEQ_HEADER]: seq },
        },
        (err: unknown) => this.onConfirm(target, seq, err),
      );
    } catch (err) {
      target.unconfirmed.delete(seq);
      if (target.closed) {
        this.settle(pending, new PublishError('unavailable', 'the publish channel closed'));
        return;
      }
      // amqplib counted this message for confirms before failing to encode it (e.g. a bad header
      // value), so its sequence no longer matches the broker's: replace the channel.
      this.settle(pending, err instanceof Error ? err : new Error(String(err)));
      this.logger.error({ err }, 'publish failed to encode; replacing the publish channel');
      void target.channel.close().catch(() => undefined);
      return;
    }
    this.corkForTurn(target);
    if (!writable) {
      target.writable = false;
      this.logger.debug('publish write buffer full; holding publishes until it drains');
    }
  }

  /**
   * amqplib's muxer writes each message to the socket on its own — a write(2) per publish. The
   * socket is corked from the first publish of an event-loop turn until the muxer has written
   * that turn's messages, so they leave in one. The muxer writes from a setImmediate it schedules
   * when the channel's buffer turns readable (on the next tick); the uncork is scheduled the same
   * way after it, so it runs right after the muxer. Were the order ever different, the messages
   * would only leave one by one, as without the cork.
   */
  private corkForTurn(target: PublishChannel): void {
    if (target.corked) return;
    const socket = socketOf(target.model);
    if (!socket) return;
    socket.cork();
    target.corked = true;
    process.nextTick(() =>
      setImmediate(() => {
        target.corked = false;
        socket.uncork();
      }),
    );
  }

  private onConfirm(target: PublishChannel, seq: number, err: unknown): void {
    const pending = target.unconfirmed.get(seq);
    if (!pending) return;
    target.unconfirmed.delete(seq);
    if (err) {
      const nacked = err instanceof Error && err.message === 'message nacked';
      this.settle(
        pending,
        nacked
          ? new PublishError('nacked')
          : new PublishError('unavailable', 'the publish channel closed before the confirm'),
      );
    } else if (pending.returned) {
      this.settle(
        pending,
        new PublishError(
          'unroutable',
          `no queue is bound to ${pending.exchange || '(default exchange)'} for routing key ${pending.routingKey}`,
        ),
      );
    } else {
      this.settle(pending);
    }
  }

  private onReturn(target: PublishChannel, message: Message): void {
    const seq: unknown = message.properties.headers?.[PUBLISH_SEQ_HEADER];
    const pending = typeof seq === 'number' ? target.unconfirmed.get(seq) : undefined;
    if (pending) pending.returned = true;
    else this.logger.warn({ seq }, 'returned message matches no pending publish');
  }

  private onDrain(target: PublishChannel): void {
    if (this.current !== target) return;
    target.writable = true;
    while (target.writable && this.waitingHead < this.waiting.length) {
      const next = this.waiting[this.waitingHead]!;
      this.waitingHead++;
      if (!next.settled) this.send(target, next);
    }
    if (this.waitingHead >= this.waiting.length) {
      this.waiting = [];
      this.waitingHead = 0;
    } else if (this.waitingHead > 1024) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
  }

  private onChannelClosed(target: PublishChannel): void {
    target.closed = true;
    if (this.current !== target) return;
    this.current = undefined;
    this.failAll(target, new PublishError('unavailable', 'the publish channel closed'));
    if (this.closing) return;
    // A channel-level error (e.g. a publish to a missing exchange) closes only the channel; when
    // the connection itself is going down, reconnecting reopens it instead.
    this.logger.debug('publish channel closed; reopening it');
    this.scheduleReopen(target.model, 0);
  }

  private scheduleReopen(model: ChannelModel, attempt: number): void {
    clearTimeout(this.reopenTimer);
    this.reopenTimer = setTimeout(
      () => {
        if (this.closing || this.current || this.connection.current !== model) return;
        this.openChannel(model).then(
          () => this.logger.info('publish channel reopened'),
          (err: unknown) => {
            this.logger.warn({ err }, 'reopening the publish channel failed');
            this.scheduleReopen(model, attempt + 1);
          },
        );
      },
      backoffDelay(attempt, { initialDelayMs: 100 }),
    );
  }

  private failAll(target: PublishChannel | undefined, error: PublishError): void {
    if (target) {
      const unconfirmed = [...target.unconfirmed.values()];
      target.unconfirmed.clear();
      for (const pending of unconfirmed) this.settle(pending, error);
    }
    const waiting = this.waiting.slice(this.waitingHead);
    this.waiting = [];
    this.waitingHead = 0;
    for (const pending of waiting) this.settle(pending, error);
  }

  private settle(pending: Pending, error?: Error): void {
    if (pending.settled) return;
    pending.settled = true;
    clearTimeout(pending.timer);
    this.inFlightCount--;
    if (error) pending.reject(error);
    else pending.resolve();
    if (this.inFlightCount === 0 && this.onIdle) {
      const idle = this.onIdle;
      this.onIdle = undefined;
      idle();
    }
  }

  private waitingCount(): number {
    return this.waiting.length - this.waitingHead;
  }

  private timeoutError(): PublishError {
    return new PublishError(
      'timeout',
      `RabbitMQ did not confirm the message within ${this.publishTimeoutMs} ms`,
    );
  }
}
