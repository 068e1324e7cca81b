import { createHash } from 'node:crypto';
import { DEAD_LETTER_HEADERS, type DeadLetter, type DeadLetterPage } from '@micromesh/contracts';
import {
  copyPublishOptions,
  AppError,
  DEAD_LETTER_QUEUE,
  LOGS_EXCHANGE,
  isPublishError,
  type AmqpConnection,
  type EventPublisher,
} from '@micromesh/kit';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { DeadLetterQueue } from '../domain/dead-letters';

export interface AmqpDeadLetterQueueOptions {
  connection: AmqpConnection;
  /** Confirmed publishes to logs_topic (the broker's event publisher). */
  publisher: EventPublisher;
  /** Most messages looked through to find one by id (replay, discard). */
  searchLimit: number;
  /** A browse ends when no further message arrives for this long. */
  idleMs?: number;
}

/** Characters of the body shown in a listing. */
export const PREVIEW_CHARS = 200;

/** Headers a dead letter gained on its way to the dead-letter queue; a replay drops them. */
const DEATH_HEADERS = new Set<string>([
  ...Object.values(DEAD_LETTER_HEADERS),
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
  'x-delivery-count',
]);

/**
 * The dead-letter queue (a classic queue) browsed over AMQP without consuming: a private channel
 * takes up to N messages unacknowledged, the chosen one is acked (discard) or republished and then
 * acked (replay), and closing the channel returns every other message to its place — classic
 * queues requeue at the original position, so the order stays. One browse at a time per broker
 * (a second admin waits for the first); with several broker replicas, a listing taken while
 * another replica browses can miss the messages that replica holds for that moment.
 */
export class AmqpDeadLetterQueue implements DeadLetterQueue {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: AmqpDeadLetterQueueOptions) {}

  list(limit: number): Promise<DeadLetterPage> {
    return this.exclusive(async (channel) => {
      // Each message is described as it arrives and its body let go: a listing of 500 dead
      // letters of 100 KB each holds 500 short descriptions, not 50 MB (the bodies stay unacked
      // in RabbitMQ until the channel closes).
      const items: DeadLetter[] = [];
      const count = await this.browse(channel, limit, (message) => {
        items.push(describe(message));
        return false;
      });
      return { count, items };
    });
  }

  replay(id: string): Promise<boolean> {
    return this.exclusive(async (channel) => {
      const found = await this.find(channel, id);
      if (!found) return false;
      await this.republish(found);
      channel.ack(found);
      return true;
    });
  }

  discard(id: string): Promise<boolean> {
    return this.exclusive(async (channel) => {
      const found = await this.find(channel, id);
      if (!found) return false;
      channel.ack(found);
      return true;
    });
  }

  /** The message with this id among the first `searchLimit`; only that one is kept. */
  private async find(channel: Channel, id: string): Promise<ConsumeMessage | undefined> {
    let found: ConsumeMessage | undefined;
    await this.browse(channel, this.options.searchLimit, (message) => {
      if (idOf(message) !== id) return false;
      found = message;
      return true;
    });
    return found;
  }

  /** Runs `work` on a fresh channel, one at a time; the channel's close requeues what it holds. */
  private exclusive<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      const model = this.options.connection.current;
      if (!model) throw AppError.unavailable('RabbitMQ unavailable');
      const channel = await model.createChannel();
      channel.on('error', () => undefined); // surfaces as the failed operation below
      try {
        return await work(channel);
      } finally {
        await channel.close().catch(() => undefined);
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Takes up to `max` messages from the head of the queue without acking them, handing each to
   * `visit` and keeping none, stopping early at the first one `visit` says is the last (or when
   * none arrives for `idleMs`). Returns the queue's depth. The unacked messages stay with RabbitMQ
   * (their place in the queue is kept until the channel closes); what this process holds is what
   * `visit` keeps.
   */
  private async browse(
    channel: Channel,
    max: number,
    visit: (message: ConsumeMessage) => boolean,
  ): Promise<number> {
    const messageCount = await depthOf(channel);
    const want = Math.min(messageCount, max);
    let seen = 0;
    if (want === 0) return messageCount;
    await channel.prefetch(want);
    const idleMs = this.options.idleMs ?? 500;
    let consumerTag: string | undefined;
    await new Promise<void>((resolve, reject) => {
      let idle = setTimeout(resolve, idleMs);
      const done = () => {
        clearTimeout(idle);
        resolve();
      };
      channel
        .consume(
          DEAD_LETTER_QUEUE,
          (message) => {
            if (!message) return done();
            seen++;
            if (visit(message) || seen >= want) return done();
            clearTimeout(idle);
            idle = setTimeout(resolve, idleMs);
          },
          { noAck: false },
        )
        .then(({ consumerTag: tag }) => (consumerTag = tag), reject);
    });
    if (consumerTag) await channel.cancel(consumerTag);
    return messageCount;
  }

  private async republish(message: ConsumeMessage): Promise<void> {
    const { properties, fields } = message;
    const headers = Object.fromEntries(
      Object.entries(properties.headers ?? {}).filter(([name]) => !DEATH_HEADERS.has(name)),
    );
    const options = copyPublishOptions(message, headers);
    try {
      await this.options.publisher.publishRaw(
        LOGS_EXCHANGE,
        fields.routingKey,
        message.content,
        options,
      );
    } catch (err) {
      if (!isPublishError(err)) throw err;
      if (err.reason === 'unroutable') {
        throw AppError.conflict(
          `no queue is bound to ${LOGS_EXCHANGE} for routing key "${fields.routingKey}"; the dead letter stays`,
        );
      }
      throw AppError.unavailable(`RabbitMQ did not take the replay (${err.reason})`, err);
    }
  }
}

/** Messages in the dead-letter queue; 0 when it does not exist (yet: the listener declares it). */
async function depthOf(channel: Channel): Promise<number> {
  try {
    return (await channel.checkQueue(DEAD_LETTER_QUEUE)).messageCount;
  } catch (err) {
    if ((err as { code?: unknown }).code === NOT_FOUND) return 0;
    throw err;
  }
}

const NOT_FOUND = 404;

/** A digest of what identifies this copy: body, message id and when it was dead-lettered. */
export function idOf(message: ConsumeMessage): string {
  const headers = message.properties.headers ?? {};
  const death = lastDeathOf(message);
  return createHash('sha256')
    .update(String(message.properties.messageId ?? ''))
    .update('\n')
    .update(String(headers[DEAD_LETTER_HEADERS.at] ?? death?.time?.value ?? ''))
    .update('\n')
    .update(message.content)
    .digest('hex')
    .slice(0, 32);
}

interface XDeath {
  reason?: string;
  count?: number;
  time?: { value?: number };
}

/** RabbitMQ's record of its most recent dead-lettering of the message (x-death is newest first). */
function lastDeathOf(message: ConsumeMessage): XDeath | undefined {
  const deaths = message.properties.headers?.['x-death'] as XDeath[] | undefined;
  return Array.isArray(deaths) ? deaths[0] : undefined;
}

function describe(message: ConsumeMessage): DeadLetter {
  const headers = message.properties.headers ?? {};
  const death = lastDeathOf(message);
  const text = (name: string) => (typeof headers[name] === 'string' ? headers[name] : null);
  const reason = text(DEAD_LETTER_HEADERS.reason) ?? death?.reason ?? 'unknown';
  const at =
    text(DEAD_LETTER_HEADERS.at) ??
    (typeof death?.time?.value === 'number'
      ? new Date(death.time.value * 1000).toISOString()
      : null);
  const attempts =
    typeof headers[DEAD_LETTER_HEADERS.attempts] === 'number'
      ? (headers[DEAD_LETTER_HEADERS.attempts] as number)
      : typeof headers['x-delivery-count'] === 'number'
        ? (headers['x-delivery-count'] as number) + 1
        : null;
  // Only the head of the body is decoded: a slice of the whole text would keep all of it alive.
  // (3 bytes or more per UTF-16 unit at most, so these bytes hold more than PREVIEW_CHARS.)
  const head = message.content.subarray(0, PREVIEW_CHARS * 3 + 3).toString('utf8');
  const cut = message.content.length > PREVIEW_CHARS * 3 + 3 || head.length > PREVIEW_CHARS;
  return {
    id: idOf(message),
    reason,
    detail: text(DEAD_LETTER_HEADERS.detail),
    routing_key: message.fields.routingKey,
    message_id:
      typeof message.properties.messageId === 'string' ? message.properties.messageId : null,
    dead_lettered_at: at,
    attempts,
    preview: cut ? `${head.slice(0, PREVIEW_CHARS)}…` : head,
  };
}
