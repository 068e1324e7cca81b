import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import {
  AmqpConnection,
  LOGS_EXCHANGE,
  type ChannelModel,
  type PublishError,
} from '@micromesh/kit';
import { captureLogs, createTestVhost, waitFor, type TestVhost } from '@micromesh/kit/testing';
import {
  anEvent,
  bindQueue,
  deleteExchange,
  dropConnection,
  exchangeExists,
  connectionsNamed,
  findConnection,
  management,
  outcomeOf,
  startPublishing,
  type Publishing,
  type QueueReader,
} from './amqp-fixtures';

/** A 127.0.0.1 URL where nothing listens: the port was just free. */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `amqp://guest:guest@127.0.0.1:${port}/`;
}

describe('AmqpConnection', () => {
  let vhost: TestVhost;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    vhost = await createTestVhost('kit-amqp-conn');
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await vhost.drop();
  });

  async function publishing(url = vhost.url, connect = true): Promise<Publishing> {
    const p = await startPublishing(url, {}, connect);
    cleanups.push(() => p.stop());
    return p;
  }

  async function reader(): Promise<QueueReader> {
    const r = await bindQueue(vhost.url);
    cleanups.push(() => r.close());
    return r;
  }

  function connectionWith(url: string, logs = captureLogs('kit-test', 'debug')) {
    const connection = new AmqpConnection({
      url,
      logger: logs.logger,
      name: `kit-test-${randomUUID().slice(0, 8)}`,
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    cleanups.push(() => connection.close());
    return { connection, logs, name: connection.name };
  }

  describe('when RabbitMQ is unreachable', () => {
    it('When started against a closed port, then start does not throw, health fails and publish rejects unavailable well under a second', async () => {
      const { connection, publisher } = await publishing(await refusedUrl(), false);

      const started = performance.now();
      const outcome = await outcomeOf(publisher.publish(anEvent()));
      const elapsedMs = performance.now() - started;

      expect(outcome).toBe('unavailable');
      expect(elapsedMs).toBeLessThan(1_000);
      expect(connection.connected).toBe(false);
      await expect(connection.healthCheck()()).rejects.toThrow(/not connected/);
      await expect(connection.waitUntilConnected(200)).rejects.toThrow(
        /not connected after 200 ms/,
      );
    });

    it('When it keeps failing, then it warns once and retries quietly at debug level', async () => {
      const { connection, logs } = connectionWith(await refusedUrl());

      connection.start();
      await waitFor(
        () => logs.lines.filter((l) => l.msg === 'AMQP connect failed; retrying').length >= 3,
        {
          what: 'three quiet retries',
        },
      );

      const failures = logs.lines.filter((l) => String(l.msg).startsWith('AMQP connect failed'));
      expect(failures.filter((l) => l.level === 'warn')).toHaveLength(1);
    });

    it('When closed while retrying, then it stops trying', async () => {
      const { connection, logs } = connectionWith(await refusedUrl());
      connection.start();
      await waitFor(() => logs.lines.some((l) => l.msg === 'AMQP connect failed; retrying'));

      await connection.close();
      const attemptsAtClose = logs.lines.filter((l) => l.attempt !== undefined).length;
      await new Promise((resolve) => setTimeout(resolve, 300)); // several retry periods (≤ 100 ms)

      expect(logs.lines.filter((l) => l.attempt !== undefined)).toHaveLength(attemptsAtClose);
      await expect(connection.waitUntilConnected(1_000)).rejects.toThrow(/closed/);
    });
  });

  describe('setups', () => {
    it('When connected, then every setup runs in registration order, including one registered later', async () => {
      const { connection } = connectionWith(vhost.url);
      const ran: string[] = [];
      connection.onConnect(async () => {
        ran.push('first');
      });
      connection.onConnect(async () => {
        ran.push('second');
      });

      connection.start();
      await connection.waitUntilConnected(15_000);
      connection.onConnect(async () => {
        ran.push('late');
      });

      await waitFor(() => ran.length === 3, { what: 'the late setup' });
      expect(ran).toEqual(['first', 'second', 'late']);
      await expect(connection.healthCheck()()).resolves.toBeUndefined();
    });

    it('When a setup fails, then the connect counts as failed and is retried until the setup succeeds', async () => {
      const { connection, logs, name } = connectionWith(vhost.url);
      let calls = 0;
      connection.onConnect(async (model: ChannelModel) => {
        calls++;
        if (calls < 3) throw new Error(`setup failure ${calls}`);
        await (await model.createChannel()).close();
      });

      connection.start();
      await connection.waitUntilConnected(15_000);

      expect(calls).toBe(3);
      expect(logs.lines.some((l) => l.err === 'setup failure 1')).toBe(true);
      expect(logs.lines.some((l) => l.msg === 'AMQP reconnected')).toBe(true);
      // The failed attempts' connections were closed, not left open on the broker.
      await findConnection(vhost, name);
      expect((await connectionsNamed(vhost, name)).map((c) => c.name)).toHaveLength(1);
    });
  });

  describe('when the broker drops the connection', () => {
    it('When the connection is closed broker-side, then it reconnects, re-declares logs_topic and publishing works again', async () => {
      const queue = await reader();
      const { connection, publisher, logs, name } = await publishing();
      const disconnects: Error[] = [];
      connection.onDisconnect((reason) => disconnects.push(reason));
      await publisher.publish(anEvent());
      await deleteExchange(vhost, LOGS_EXCHANGE);

      await dropConnection(vhost, name);
      await waitFor(() => disconnects.length === 1, { what: 'the disconnect notification' });
      await connection.waitUntilConnected(15_000);

      expect(await exchangeExists(vhost, LOGS_EXCHANGE)).toBe(true);
      // The reader's binding went with the deleted exchange: bind again, then publish.
      await queue.channel.bindQueue(queue.queue, LOGS_EXCHANGE, 'log.#');
      const after = anEvent();
      await waitFor(async () => (await outcomeOf(publisher.publish(after))) === 'confirmed', {
        what: 'a confirmed publish after the reconnect',
      });
      const ids = (await queue.drain()).map((m) => m.properties.messageId);
      expect(ids).toContain(after.event_id);
      expect(logs.lines.find((l) => l.msg === 'AMQP connection lost; reconnecting')?.level).toBe(
        'warn',
      );
    });

    it('When the connection drops with publishes in flight, then those reject unavailable and every confirmed one is in the queue', async () => {
      const queue = await reader();
      const { connection, publisher, name } = await publishing();
      const brokerName = await findConnection(vhost, name);
      const results: { event_id: string; outcome: Promise<unknown> }[] = [];
      let lost = false;
      connection.onDisconnect(() => (lost = true));

      let confirmedSoFar = 0;
      let drop: Promise<unknown> | undefined;
      // Publish continuously (bounded in count); drop the connection once confirms flow, so
      // hundreds are in flight when it goes.
      while (!lost && results.length < 200_000) {
        for (let i = 0; i < 50; i++) {
          const event = anEvent();
          const outcome = publisher.publish(event);
          outcome.then(
            () => confirmedSoFar++,
            () => undefined,
          );
          results.push({ event_id: event.event_id, outcome });
        }
        if (!drop && confirmedSoFar >= 500) {
          drop = management(vhost, 'DELETE', `/connections/${encodeURIComponent(brokerName)}`);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      await drop;
      const settled = await Promise.allSettled(results.map((r) => r.outcome));

      const failures = settled.flatMap((s) =>
        s.status === 'rejected' ? [s.reason as PublishError] : [],
      );
      expect(lost).toBe(true);
      expect(failures.filter((f) => f.reason !== 'unavailable')).toEqual([]);
      // Rejected because the channel/connection died before their confirm, not refused up front.
      expect(failures.filter((f) => !/not connected/.test(f.message)).length).toBeGreaterThan(0);
      const stored = new Set((await queue.drain()).map((m) => m.properties.messageId as string));
      const confirmed = results.filter((_, i) => settled[i]?.status === 'fulfilled');
      expect(confirmed.length).toBeGreaterThan(0);
      expect(confirmed.filter((r) => !stored.has(r.event_id))).toEqual([]);
    });
  });
});
