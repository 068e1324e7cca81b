import { setTimeout as sleep } from 'node:timers/promises';
import { routingKeyFor, type LogEvent } from '@micromesh/contracts';
import { AmqpConnection, EventPublisher, LOGS_EXCHANGE } from '@micromesh/kit';
import { captureLogs } from '@micromesh/kit/testing';

export interface TestPublisher {
  /** Publishes every event until RabbitMQ confirmed it (retrying through outages). */
  publishAll(events: readonly LogEvent[]): Promise<void>;
  /**
   * Publishes in the background, `perTick` events every `tickMs`, so a test can break things
   * while events are still flowing. `published()` counts the confirmed ones.
   */
  stream(events: readonly LogEvent[], pace?: { perTick: number; tickMs: number }): Stream;
  /** A raw body on logs_topic (for malformed messages). */
  publishRaw(body: Buffer | string, routingKey?: string): Promise<void>;
  close(): Promise<void>;
}

export interface Stream {
  done: Promise<void>;
  published(): number;
}

const CONCURRENCY = 500;
const GIVE_UP_AFTER_MS = 90_000;

/** A producer built from the kit's AmqpConnection + EventPublisher (confirmed, persistent). */
export async function connectTestPublisher(amqpUrl: string): Promise<TestPublisher> {
  const { logger } = captureLogs('listener-test-publisher', 'silent');
  const connection = new AmqpConnection({
    url: amqpUrl,
    logger,
    name: 'listener-test-publisher',
    reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 },
  });
  const publisher = new EventPublisher({ connection, publishTimeoutMs: 10_000 });
  connection.start();
  await connection.waitUntilConnected(15_000);

  /** Same event again until confirmed: a duplicate is harmless (the logger keys on event_id). */
  const publishConfirmed = async (event: LogEvent) => {
    const deadline = Date.now() + GIVE_UP_AFTER_MS;
    for (;;) {
      try {
        await publisher.publish(event);
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(100);
      }
    }
  };

  const publishAll = async (events: readonly LogEvent[]) => {
    for (let i = 0; i < events.length; i += CONCURRENCY) {
      await Promise.all(events.slice(i, i + CONCURRENCY).map(publishConfirmed));
    }
  };

  return {
    publishAll,
    stream(events, pace = { perTick: 200, tickMs: 50 }) {
      let published = 0;
      const done = (async () => {
        for (let i = 0; i < events.length; i += pace.perTick) {
          const started = Date.now();
          await Promise.all(
            events.slice(i, i + pace.perTick).map(async (event) => {
              await publishConfirmed(event);
              published += 1;
            }),
          );
          await sleep(Math.max(0, pace.tickMs - (Date.now() - started)));
        }
      })();
      return { done, published: () => published };
    },
    async publishRaw(body, routingKey = routingKeyFor('INFO')) {
      await publisher.publishRaw(LOGS_EXCHANGE, routingKey, Buffer.from(body), {
        persistent: true,
        contentType: 'application/json',
      });
    },
    async close() {
      await publisher.close();
      await connection.close();
    },
  };
}
