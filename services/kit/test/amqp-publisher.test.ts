import type { Writable } from 'node:stream';
import { runWithRequestContext } from '@micromesh/kit';
import {
  createTestVhost,
  infraEnv,
  startFreezableProxy,
  waitFor,
  type TestVhost,
} from '@micromesh/kit/testing';
import {
  anEvent,
  bindQueue,
  outcomeOf,
  startPublishing,
  type Publishing,
  type QueueReader,
} from './amqp-fixtures';

describe('EventPublisher', () => {
  let vhost: TestVhost;
  const started: Publishing[] = [];
  const readers: QueueReader[] = [];

  beforeAll(async () => {
    vhost = await createTestVhost('kit-amqp-pub');
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.stop()));
    await Promise.all(readers.splice(0).map((r) => r.close()));
  });

  afterAll(async () => {
    await vhost.drop();
  });

  async function publishing(options: Parameters<typeof startPublishing>[1] = {}) {
    const p = await startPublishing(vhost.url, options);
    started.push(p);
    return p;
  }

  async function reader(bindingKey?: string, queueArguments?: Record<string, unknown>) {
    const r = await bindQueue(vhost.url, bindingKey, queueArguments);
    readers.push(r);
    return r;
  }

  describe('publish', () => {
    it('When many events are published in one turn, then they leave in a few socket writes, not one each', async () => {
      const queue = await reader('log.INFO');
      const { publisher, connection } = await publishing();
      const socket = (connection.current as unknown as { connection: { stream: Writable } })
        .connection.stream;
      let writes = 0;
      const counted = socket as unknown as Record<'_write' | '_writev', (...args: never[]) => void>;
      for (const method of ['_write', '_writev'] as const) {
        const original = counted[method].bind(socket);
        counted[method] = (...args: never[]) => {
          writes++;
          original(...args);
        };
      }

      const events = Array.from({ length: 50 }, () => anEvent({ level: 'INFO' }));
      await Promise.all(events.map((event) => publisher.publish(event)));

      // amqplib alone writes each message to the socket by itself: 50 writes.
      expect(writes).toBeLessThanOrEqual(3);
      const ids = (await queue.drain()).map((m) => m.properties.messageId as string);
      expect(ids.sort()).toEqual(events.map((e) => e.event_id).sort());
    });

    it('When an event is published, then it arrives on logs_topic with the contract properties, headers and body', async () => {
      const queue = await reader('log.WARNING');
      const { publisher } = await publishing();
      const event = anEvent({
        level: 'WARNING',
        trace_id: '0af7651916cd43dd8448eb211c80319c',
        span_id: 'b7ad6b7169203331',
      });

      await runWithRequestContext({ requestId: 'req-42' }, () => publisher.publish(event));

      const [message, ...rest] = await queue.drain();
      expect(rest).toHaveLength(0);
      expect(message?.fields).toMatchObject({ exchange: 'logs_topic', routingKey: 'log.WARNING' });
      expect(message?.properties).toMatchObject({
        contentType: 'application/json',
        deliveryMode: 2,
        messageId: event.event_id,
        appId: 'kit-test',
        timestamp: Math.floor(Date.parse(event.timestamp) / 1000),
      });
      expect(message?.properties.headers).toMatchObject({
        traceparent: `00-${event.trace_id}-${event.span_id}-01`,
        'x-request-id': 'req-42',
      });
      expect(JSON.parse(message!.content.toString('utf8'))).toEqual(event);
    });

    it('When the event has no trace ids and no request is active, then neither header is sent', async () => {
      const queue = await reader();
      const { publisher } = await publishing();

      await publisher.publish(anEvent());

      const [message] = await queue.drain();
      expect(message?.properties.headers).not.toHaveProperty('traceparent');
      expect(message?.properties.headers).not.toHaveProperty('x-request-id');
    });

    it('When no queue is bound for the routing key, then it rejects unroutable and never resolves', async () => {
      await reader('log.ERROR');
      const { publisher } = await publishing();

      const outcome = await outcomeOf(publisher.publish(anEvent({ level: 'INFO' })));

      expect(outcome).toBe('unroutable');
      expect(publisher.inFlight).toBe(0);
    });

    it('When routable and unroutable publishes are interleaved, then each gets its own outcome', async () => {
      const queue = await reader('log.INFO');
      const { publisher } = await publishing();
      const events = Array.from({ length: 60 }, (_, i) =>
        anEvent({ level: i % 3 === 0 ? 'ERROR' : 'INFO' }),
      );

      const outcomes = await Promise.all(events.map((e) => outcomeOf(publisher.publish(e))));

      expect(outcomes).toEqual(
        events.map((e) => (e.level === 'ERROR' ? 'unroutable' : 'confirmed')),
      );
      const received = (await queue.drain()).map((m) => m.properties.messageId as string);
      expect(received.sort()).toEqual(
        events
          .filter((e) => e.level === 'INFO')
          .map((e) => e.event_id)
          .sort(),
      );
    });

    it('When more than maxInFlight publishes wait for confirms, then the extra ones reject overloaded at once', async () => {
      await reader();
      const { publisher } = await publishing({ maxInFlight: 5 });

      const first = Array.from({ length: 5 }, () => outcomeOf(publisher.publish(anEvent())));
      const extra = await outcomeOf(publisher.publish(anEvent()));

      expect(extra).toBe('overloaded');
      expect(await Promise.all(first)).toEqual(Array(5).fill('confirmed'));
    });

    it('When 1,000 publishes run concurrently, then all are confirmed and each is in the queue exactly once', async () => {
      const queue = await reader();
      const { publisher } = await publishing();
      const events = Array.from({ length: 1_000 }, () => anEvent());

      const outcomes = await Promise.all(events.map((e) => outcomeOf(publisher.publish(e))));

      expect(outcomes.filter((o) => o !== 'confirmed')).toEqual([]);
      const received = (await queue.drain()).map((m) => m.properties.messageId as string);
      expect(received).toHaveLength(1_000);
      expect(new Set(received)).toEqual(new Set(events.map((e) => e.event_id)));
    });
  });

  describe('failures', () => {
    it('When the queue refuses the message (reject-publish overflow), then it rejects nacked', async () => {
      const full = await reader('log.ERROR', { 'x-max-length': 1, 'x-overflow': 'reject-publish' });
      const { publisher } = await publishing();

      const first = await outcomeOf(publisher.publish(anEvent({ level: 'ERROR' })));
      const second = await outcomeOf(publisher.publish(anEvent({ level: 'ERROR' })));

      expect([first, second]).toEqual(['confirmed', 'nacked']);
      expect(await full.drain()).toHaveLength(1);
    });

    it('When the confirm does not come within publishTimeoutMs, then it rejects timeout and frees its slot', async () => {
      await reader();
      const { publisher } = await publishing({ publishTimeoutMs: 1 });
      const large = anEvent({ data: 'x'.repeat(60_000) });

      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => outcomeOf(publisher.publish(large))),
      );

      expect(outcomes).toContain('timeout');
      expect(publisher.inFlight).toBe(0);
    });

    it('When a publish to a missing exchange kills the channel, then in-flight publishes reject unavailable and the channel comes back', async () => {
      const queue = await reader();
      const { publisher, logs } = await publishing();

      const doomed = outcomeOf(publisher.publishRaw('no-such-exchange', 'x', Buffer.from('x')));

      expect(await doomed).toBe('unavailable');
      const after = anEvent();
      await waitFor(async () => (await outcomeOf(publisher.publish(after))) === 'confirmed', {
        what: 'a confirmed publish on the reopened channel',
      });
      expect((await queue.drain()).map((m) => m.properties.messageId)).toContain(after.event_id);
      expect(logs.lines.some((l) => l.msg === 'publish channel reopened')).toBe(true);
    });

    it('When a burst overfills the channel write buffer, then later publishes wait for drain and all are confirmed in order', async () => {
      const queue = await reader();
      const { publisher, logs } = await publishing({ publishTimeoutMs: 30_000 });
      // amqplib buffers 1,024 frames per channel before publish() reports "full".
      const events = Array.from({ length: 2_500 }, (_, i) => anEvent({ name: `burst-${i}` }));

      const outcomes = await Promise.all(events.map((e) => outcomeOf(publisher.publish(e))));

      expect(outcomes.filter((o) => o !== 'confirmed')).toEqual([]);
      expect(logs.lines.some((l) => String(l.msg).startsWith('publish write buffer full'))).toBe(
        true,
      );
      const received = (await queue.drain()).map((m) => m.properties.messageId);
      expect(received).toEqual(events.map((e) => e.event_id));
    });
  });

  describe('publishRaw', () => {
    it('When the default exchange routes to an existing queue, then it is confirmed with the given properties', async () => {
      const queue = await reader();
      const { publisher } = await publishing();

      await publisher.publishRaw('', queue.queue, Buffer.from('retry me'), {
        persistent: true,
        headers: { 'x-attempt': 2 },
      });

      const [message] = await queue.drain();
      expect(message?.content.toString()).toBe('retry me');
      expect(message?.properties.headers).toMatchObject({ 'x-attempt': 2 });
    });

    it('When the target queue does not exist, then it rejects unroutable', async () => {
      const { publisher } = await publishing();

      const outcome = await outcomeOf(publisher.publishRaw('', 'no-such-queue', Buffer.from('x')));

      expect(outcome).toBe('unroutable');
    });
  });

  describe('close', () => {
    it('When closed with publishes in flight, then it waits for their confirms and refuses new ones', async () => {
      const queue = await reader();
      const p = await startPublishing(vhost.url);
      const events = Array.from({ length: 200 }, () => anEvent());
      const inFlight = events.map((e) => outcomeOf(p.publisher.publish(e)));

      await p.publisher.close();

      expect(p.publisher.inFlight).toBe(0);
      expect(await Promise.all(inFlight)).toEqual(Array(200).fill('confirmed'));
      await expect(p.publisher.publish(anEvent())).rejects.toMatchObject({ reason: 'unavailable' });
      await p.connection.close();
      expect(await queue.drain()).toHaveLength(200);
    });

    it('When the broker hangs (socket open, no answers), then close() still returns in bounded time', async () => {
      await reader();
      const proxy = await startFreezableProxy(infraEnv().rabbit);
      const url = new URL(vhost.url);
      url.port = String(proxy.port);
      const p = await startPublishing(url.toString(), { publishTimeoutMs: 300 });
      try {
        await p.publisher.publish(anEvent());
        proxy.freeze();
        const lost = outcomeOf(p.publisher.publish(anEvent()));

        const outcome = await Promise.race([
          p.publisher.close().then(() => 'closed'),
          new Promise((resolve) => setTimeout(() => resolve('hung'), 5_000)),
        ]);

        expect(outcome).toBe('closed');
        expect(await lost).toBe('timeout');
      } finally {
        await p.connection.close();
        await proxy.close();
      }
    });
  });
});
