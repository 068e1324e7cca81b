import { DEAD_LETTER_QUEUE, LISTENER_QUEUE } from '@micromesh/kit';
import { waitFor } from '@micromesh/kit/testing';
import { readDeadLetters } from './support/dead-letters';
import { anEvent, manyEvents } from './support/events';
import {
  loggerWritten,
  metricValue,
  startListenerMesh,
  type ListenerMesh,
} from './support/listener-mesh';

jest.setTimeout(120_000);

describe('listener: logs_topic → logger', () => {
  let mesh: ListenerMesh;

  beforeAll(async () => {
    mesh = await startListenerMesh('listener-forwarding');
  });
  afterAll(() => mesh?.close());

  it('When 5,000 events are published, then exactly 5,000 are stored, none twice, and all are acked', async () => {
    // Arrange
    const events = manyEvents(5_000);
    const writtenBefore = await loggerWritten(mesh);

    // Act
    await mesh.publisher.publishAll(events);

    // Assert
    await waitFor(async () => (await mesh.logs.countsOf(events)).rows === 5_000, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: '5,000 events stored',
    });
    await waitFor(async () => (await mesh.vhost!.queueDepth(LISTENER_QUEUE)) === 0, {
      timeoutMs: 15_000,
      what: 'the listener queue fully acked',
    });
    // Copies as the logger counts them: a second copy under any event_id would be a write (a
    // retried batch on a busy machine comes back as duplicates, which is idempotency working).
    expect((await loggerWritten(mesh)) - writtenBefore).toBe(5_000);
    expect(await mesh.vhost!.queueDepth(DEAD_LETTER_QUEUE)).toBe(0);
    expect(await metricValue(mesh.listener, 'listener_events_acked_total')).toBeGreaterThanOrEqual(
      5_000,
    );
    expect(await metricValue(mesh.listener, 'listener_batch_size_count')).toBeGreaterThan(0);
    expect(
      await metricValue(mesh.listener, 'listener_forward_duration_seconds_count'),
    ).toBeGreaterThan(0);
  });

  it('When a malformed message and an invalid event arrive among valid ones, then each is dead-lettered after one delivery with its reason and the others are stored', async () => {
    // Arrange
    const before = anEvent();
    const after = manyEvents(100);
    const notAnEvent = JSON.stringify({ ...anEvent(), event_id: 'not-a-uuid' });
    const deadLetteredBefore = await metricValue(mesh.listener, 'micromesh_dead_letters_total');

    // Act
    await mesh.publisher.publishAll([before]);
    await mesh.publisher.publishRaw('this is not JSON');
    await mesh.publisher.publishRaw(notAnEvent);
    await mesh.publisher.publishAll(after);

    // Assert
    const valid = [before, ...after];
    await waitFor(async () => (await mesh.logs.countsOf(valid)).rows === valid.length, {
      timeoutMs: 30_000,
      what: 'the valid events stored',
    });
    await waitFor(async () => (await mesh.vhost!.queueDepth(DEAD_LETTER_QUEUE)) === 2, {
      timeoutMs: 15_000,
      what: 'two dead letters',
    });
    const letters = await readDeadLetters(mesh.amqpUrl);
    expect(
      letters.map(({ body, reason, detail, attempts, deaths }) => ({
        body,
        reason,
        detail,
        attempts,
        deaths,
      })),
    ).toEqual([
      {
        body: 'this is not JSON',
        reason: 'malformed',
        detail: 'body is not JSON',
        attempts: 1,
        // Republished with our headers rather than rejected: RabbitMQ adds no x-death.
        deaths: [],
      },
      {
        body: notAnEvent,
        reason: 'invalid',
        detail: expect.stringMatching(/^event_id: /) as unknown,
        attempts: 1,
        deaths: [],
      },
    ]);
    expect(await metricValue(mesh.listener, 'listener_events_redelivered_total')).toBe(0);
    expect(
      await metricValue(mesh.listener, 'micromesh_dead_letters_total', { reason: 'malformed' }),
    ).toBe(1);
    expect(await metricValue(mesh.listener, 'micromesh_dead_letters_total')).toBe(
      deadLetteredBefore + 2,
    );
    expect(await mesh.logs.countsOf(valid)).toEqual({ rows: valid.length, distinct: valid.length });
  });
});

describe('listener: logs_topic → logger, when the logger refuses an entry', () => {
  let mesh: ListenerMesh;

  beforeAll(async () => {
    mesh = await startListenerMesh('listener-forwarding-refused', { loggerFront: {} });
  });
  afterAll(() => mesh?.close());

  it('When the logger refuses one event that passes the contract (its store cannot hold it), then only it is dead-lettered (reason refused) and the events around it are stored', async () => {
    // Arrange: the logger refuses this one data value, as it refuses what its store cannot hold.
    const refusedData = `refused-by-the-store-${Date.now()}`;
    mesh.front!.refuseData(refusedData);
    const bad = anEvent({ data: refusedData });
    const good = manyEvents(60);
    const refusedBefore = await metricValue(mesh.listener, 'micromesh_dead_letters_total', {
      reason: 'refused',
    });

    // Act
    await mesh.publisher.publishAll([...good.slice(0, 30), bad, ...good.slice(30)]);

    // Assert
    await waitFor(async () => (await mesh.logs.countsOf(good)).rows === good.length, {
      timeoutMs: 30_000,
      what: 'the valid events stored',
    });
    await waitFor(
      async () =>
        (await metricValue(mesh.listener, 'micromesh_dead_letters_total', {
          reason: 'refused',
        })) ===
        refusedBefore + 1,
      { timeoutMs: 30_000, what: 'the refused event dead-lettered' },
    );
    const letters = await readDeadLetters(mesh.amqpUrl);
    expect(letters.filter((letter) => letter.body.includes(refusedData))).toHaveLength(1);
    expect((await mesh.logs.countsOf([bad])).rows).toBe(0);
    await waitFor(async () => (await mesh.vhost!.queueDepth(LISTENER_QUEUE)) === 0, {
      timeoutMs: 15_000,
      what: 'the listener queue fully acked',
    });
    expect((await fetch(`${mesh.listener.url}/readyz`)).status).toBe(200);
  });
});
