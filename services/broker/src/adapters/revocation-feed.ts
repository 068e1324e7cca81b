import { randomUUID } from 'node:crypto';
import type { AmqpConnection, Logger } from '@micromesh/kit';
import {
  REVOCATIONS_EXCHANGE,
  REVOCATIONS_EXCHANGE_TYPE,
  revocationNoticeSchema,
} from '@micromesh/contracts';
import type { RevocationList } from '../domain/revocation-list';
import type { RevocationCatchUp } from './auth-client';

export interface RevocationFeedOptions {
  connection: AmqpConnection;
  list: RevocationList;
  /** Auth's recent revocations: all of them, or (with a cursor) only what is newer. */
  catchUp: (after?: string) => Promise<RevocationCatchUp>;
  logger: Logger;
  /** How often the whole list is read again instead of what is new (belt and braces). */
  syncIntervalMs: number;
  /** How often auth is asked what is new, whatever the state of the live feed. */
  pollIntervalMs: number;
}

/**
 * Keeps the revocation list current: a private queue on auth's `auth.revocations` fanout delivers
 * each notice as it happens; at every (re)connect, after the queue is consuming, the whole recent
 * list is fetched from auth, so nothing announced while this broker was away or disconnected is
 * missed. And auth is asked what is new every `pollIntervalMs` whether or not the feed is up: the
 * feed cannot tell this broker that auth failed to publish (auth's own RabbitMQ link down, or a
 * notice lost with its connection), and the answer is small (only what is newer than the last).
 */
export class RevocationFeed {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The last answer's cursor; undefined until a whole list has been read. */
  private cursor: string | undefined;
  private lastFullSyncAt = 0;

  constructor(private readonly options: RevocationFeedOptions) {
    const { connection, logger } = options;
    connection.onConnect(async (model) => {
      const channel = await model.createChannel();
      await channel.assertExchange(REVOCATIONS_EXCHANGE, REVOCATIONS_EXCHANGE_TYPE, {
        durable: true,
      });
      // Named under the exchange's name (not amq.gen-…), so a least-privilege RabbitMQ user needs
      // one pattern for both: ^auth\.revocations(\..+)?$.
      const { queue } = await channel.assertQueue(`${REVOCATIONS_EXCHANGE}.${randomUUID()}`, {
        exclusive: true,
        autoDelete: true,
      });
      await channel.bindQueue(queue, REVOCATIONS_EXCHANGE, '');
      channel.on('error', () => undefined);
      await channel.consume(queue, (message) => message && this.receive(message.content), {
        noAck: true,
      });
      // Consuming first, then the list: a revocation between the two is in one or the other.
      void this.syncNow().catch((err: unknown) => {
        logger.warn({ err }, 'revocation catch-up after connect failed; polling auth');
      });
    });
  }

  /** Fetches auth's whole list of recent revocations into the list. */
  async syncNow(): Promise<void> {
    const startedAt = Date.now();
    this.take(await this.options.catchUp());
    this.lastFullSyncAt = startedAt;
  }

  /** Fetches what auth revoked since the last answer (the whole list when due or unknown). */
  async pollNow(): Promise<void> {
    const due = Date.now() - this.lastFullSyncAt >= this.options.syncIntervalMs;
    if (this.cursor === undefined || due) return this.syncNow();
    this.take(await this.options.catchUp(this.cursor));
  }

  /** Starts the catch-up timer (the first catch-up is the caller's, at start-up). */
  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.pollNow()
          .catch((err: unknown) => {
            this.options.logger.warn({ err }, 'revocation catch-up failed; retrying');
          })
          .finally(tick);
      }, this.options.pollIntervalMs);
      this.timer.unref();
    };
    tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private take(answer: RevocationCatchUp): void {
    this.options.list.merge(answer);
    // An auth without cursors answers the whole list each time: keep asking for the whole list.
    this.cursor = answer.cursor;
  }

  private receive(content: Buffer): void {
    let notice;
    try {
      notice = revocationNoticeSchema.parse(JSON.parse(content.toString('utf8')));
    } catch (err) {
      this.options.logger.warn({ err }, 'unreadable revocation notice ignored');
      return;
    }
    this.options.list.apply(notice);
  }
}
