import { DEAD_LETTER_QUEUE, LISTENER_QUEUE } from '@micromesh/kit';
import { waitFor } from '@micromesh/kit/testing';
import { readDeadLetters } from './support/dead-letters';
import { anEvent, manyEvents } from './support/events';
import { Client } from 'pg';
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
    const ids = events.map((event) => event.event_id);
    const writtenBefore = await loggerWritten(mesh);

    // Act
    await mesh.publisher.publishAll(events);

    // Assert
    await waitFor(async () => (await mesh.store.countsOf(ids)).rows === 5_000, {
      timeoutMs: 60_000,
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
    const ids = [before, ...after].map((event) => event.event_id);
    await waitFor(async () => (await mesh.store.countsOf(ids)).rows === ids.length, {
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
    expect(await mesh.store.countsOf(ids)).toEqual({ rows: ids.length, distinct: ids.length });
  });

  it('When the store refuses one event that passes the contract, then only it is dead-lettered (reason refused) and the events around it are stored', async () => {
    // Arrange: the logger's real PostgreSQL refuses this one data value (a CHECK constraint).
    const refusedData = `refused-by-the-store-${Date.now()}`;
    await refuseDataInStore(mesh.db.url, refusedData);
    const bad = anEvent({ data: refusedData });
    const good = manyEvents(60);
    const refusedBefore = await metricValue(mesh.listener, 'micromesh_dead_letters_total', {
      reason: 'refused',
    });

    // Act
    await mesh.publisher.publishAll([...good.slice(0, 30), bad, ...good.slice(30)]);

    // Assert
    const ids = good.map((event) => event.event_id);
    await waitFor(async () => (await mesh.store.countsOf(ids)).rows === ids.length, {
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
    expect((await mesh.store.countsOf([bad.event_id])).rows).toBe(0);
    await waitFor(async () => (await mesh.vhost!.queueDepth(LISTENER_QUEUE)) === 0, {
      timeoutMs: 15_000,
      what: 'the listener queue fully acked',
    });
    expect((await fetch(`${mesh.listener.url}/readyz`)).status).toBe(200);
  });
});

/** Makes the logger's real PostgreSQL refuse one exact `data` value (a CHECK constraint). */
async function refuseDataInStore(databaseUrl: string, data: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `ALTER TABLE logs ADD CONSTRAINT refuse_test CHECK (data <> '${data.replace(/'/g, "''")}') NOT VALID`,
    );
  } finally {
    await client.end();
  }
}
