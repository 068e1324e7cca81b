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
  /** Auth's list of recent revocations. */
  catchUp: () => Promise<RevocationCatchUp>;
  logger: Logger;
  /** Catch-up period while the live feed is up (belt and braces). */
  syncIntervalMs: number;
  /** Catch-up period while it is down or before the first catch-up succeeded: notices may be lost. */
  pollIntervalMs: number;
}

/**
 * Keeps the revocation list current: a private queue on auth's `auth.revocations` fanout delivers
 * each notice as it happens; at every (re)connect, after the queue is consuming, the whole recent
 * list is fetched from auth, so nothing announced while this broker was away or disconnected is
 * missed. While the feed is down, auth is polled every `pollIntervalMs` instead.
 */
export class RevocationFeed {
  private subscribed = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

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
      channel.on('close', () => {
        this.subscribed = false;
      });
      channel.on('error', () => undefined);
      await channel.consume(queue, (message) => message && this.receive(message.content), {
        noAck: true,
      });
      this.subscribed = true;
      // Consuming first, then the list: a revocation between the two is in one or the other.
      void this.syncNow().catch((err: unknown) => {
        logger.warn({ err }, 'revocation catch-up after connect failed; polling auth');
      });
    });
    connection.onDisconnect(() => {
      this.subscribed = false;
    });
  }

  /** Fetches auth's recent revocations into the list. */
  async syncNow(): Promise<void> {
    const { revocations, window_seconds } = await this.options.catchUp();
    this.options.list.merge(revocations, window_seconds);
  }

  /** Starts the catch-up timer (the first catch-up is the caller's, at start-up). */
  start(): void {
    const tick = () => {
      if (this.stopped) return;
      const live = this.subscribed && this.options.list.ready;
      const delay = live ? this.options.syncIntervalMs : this.options.pollIntervalMs;
      this.timer = setTimeout(() => {
        this.syncNow()
          .catch((err: unknown) => {
            this.options.logger.warn({ err }, 'revocation catch-up failed; retrying');
          })
          .finally(tick);
      }, delay);
      this.timer.unref();
    };
    tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
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
