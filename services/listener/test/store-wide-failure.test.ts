import { setTimeout as sleep } from 'node:timers/promises';
import { DEAD_LETTER_QUEUE, LISTENER_QUEUE } from '@micromesh/kit';
import { setTestDatabaseReadOnly, waitFor } from '@micromesh/kit/testing';
import { manyEvents } from './support/events';
import {
  loggerWritten,
  metricValue,
  startListenerMesh,
  type ListenerMesh,
} from './support/listener-mesh';

jest.setTimeout(180_000);

/** How long the incident lasts once forwarding is blocked (on main: ~3 s per event to its DLQ). */
const INCIDENT_MS = 10_000;

describe('listener → logger: the store refuses every write (not any one entry)', () => {
  let mesh: ListenerMesh;

  beforeAll(async () => {
    mesh = await startListenerMesh('listener-store-wide');
  });
  afterAll(async () => {
    // The mesh's own test database (dropped with it); never one another suite uses.
    await mesh?.close();
  });

  it('When the logs database turns read-only (25006) while events arrive, then none is dead-lettered, forwarding reports blocked, and once writable every event is stored once', async () => {
    // Arrange: the pipeline works, then the store goes read-only under it.
    const warmUp = manyEvents(10);
    await mesh.publisher.publishAll(warmUp);
    await waitFor(async () => (await mesh.logs.countsOf(warmUp)).rows === 10, {
      timeoutMs: 30_000,
      what: 'the warm-up events stored',
    });
    const writtenBefore = await loggerWritten(mesh);
    // Like a primary demoted by a failover: every session of the logs database is read-only.
    await setTestDatabaseReadOnly(mesh.database, true);

    // Act
    const events = manyEvents(100);
    await mesh.publisher.publishAll(events);
    await waitFor(
      async () => (await metricValue(mesh.listener, 'listener_forwarding_blocked')) === 1,
      { timeoutMs: 30_000, what: 'the listener reporting forwarding blocked' },
    );
    // The incident's length is the scenario, not a wait for a condition.
    await sleep(INCIDENT_MS);
    const readyDuringIncident = await fetch(`${mesh.listener.url}/readyz`);
    const readyBody = await readyDuringIncident.text();
    const blockedDuringIncident = await metricValue(mesh.listener, 'listener_forwarding_blocked');
    const deadDuringIncident = await mesh.vhost!.queueDepth(DEAD_LETTER_QUEUE);
    const storedDuringIncident = (await mesh.logs.countsOf(events)).rows;
    await setTestDatabaseReadOnly(mesh.database, false);

    // Assert
    expect(deadDuringIncident).toBe(0);
    expect(blockedDuringIncident).toBe(1);
    expect(readyDuringIncident.status).toBe(503);
    expect(readyBody).toMatch(/logger has not stored the current batch/);
    expect(storedDuringIncident).toBe(0);
    // The logger dropped its read-only connections as broken: new ones are writable.
    await waitFor(async () => (await mesh.logs.countsOf(events)).rows === 100, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'all 100 events stored after the store is writable again',
    });
    await waitFor(async () => (await mesh.vhost!.queueDepth(LISTENER_QUEUE)) === 0, {
      timeoutMs: 15_000,
      what: 'the listener queue fully acked',
    });
    expect((await loggerWritten(mesh)) - writtenBefore).toBe(100);
    expect(await mesh.vhost!.queueDepth(DEAD_LETTER_QUEUE)).toBe(0);
    await mesh.listener.waitUntilReady(15_000);
  });
});
