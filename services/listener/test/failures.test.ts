import { setTimeout as sleep } from 'node:timers/promises';
import type { LogEvent } from '@micromesh/contracts';
import { DEAD_LETTER_QUEUE, LISTENER_QUEUE } from '@micromesh/kit';
import { processCpuSeconds, waitFor } from '@micromesh/kit/testing';
import { manyEvents } from './support/events';
import {
  loggerWritten,
  metricValue,
  startListenerMesh,
  type ListenerMesh,
} from './support/listener-mesh';

jest.setTimeout(180_000);

/** Events trickle in (about 2,000/s), so failures happen while the listener is mid-stream. */
const PACE = { perTick: 100, tickMs: 50 };
const OUTAGE_MS = 20_000;

describe('listener: failures mid-stream', () => {
  let mesh: ListenerMesh;

  beforeAll(async () => {
    mesh = await startListenerMesh('listener-failures');
  });
  afterAll(() => mesh?.close());

  const storedOf = (events: readonly LogEvent[]) => mesh.logs.countsOf(events);
  /** Polls of a stored count page through the logger's QueryLogs: not every 50 ms. */
  const POLL_MS = 250;

  it('When the listener is killed with SIGKILL mid-stream and restarted, then nothing is lost and nothing is stored twice', async () => {
    // Arrange
    const events = manyEvents(4_000);
    const writtenBefore = await loggerWritten(mesh);
    const stream = mesh.publisher.stream(events, PACE);
    await waitFor(async () => (await storedOf(events)).rows >= 400, {
      timeoutMs: 30_000,
      intervalMs: POLL_MS,
      what: 'the listener forwarding the stream',
    });

    // Act
    await mesh.listener.kill('SIGKILL');
    const storedWhileDead = (await storedOf(events)).rows;
    await mesh.listener.restart();
    await stream.done;

    // Assert
    expect(storedWhileDead).toBeLessThan(4_000);
    await waitFor(async () => (await storedOf(events)).rows === 4_000, {
      timeoutMs: 60_000,
      intervalMs: POLL_MS,
      what: 'all 4,000 events stored',
    });
    await waitFor(async () => (await mesh.vhost!.queueDepth(LISTENER_QUEUE)) === 0, {
      timeoutMs: 15_000,
      what: 'the listener queue fully acked',
    });
    // Redelivered events come back as the logger's duplicates; a second copy would be a write.
    expect((await loggerWritten(mesh)) - writtenBefore).toBe(4_000);
    expect(await mesh.vhost!.queueDepth(DEAD_LETTER_QUEUE)).toBe(0);
  });

  it('When the listener gets SIGTERM mid-stream, then it exits cleanly and a restarted one stores everything once', async () => {
    // Arrange
    const events = manyEvents(2_000);
    const writtenBefore = await loggerWritten(mesh);
    const stream = mesh.publisher.stream(events, PACE);
    await waitFor(async () => (await storedOf(events)).rows >= 200, {
      timeoutMs: 30_000,
      intervalMs: POLL_MS,
      what: 'the listener forwarding the stream',
    });

    // Act
    await mesh.listener.stop();
    const exitCode = mesh.listener.process.exitCode;
    await mesh.listener.restart();
    await stream.done;

    // Assert
    expect(exitCode).toBe(0);
    await waitFor(async () => (await storedOf(events)).rows === 2_000, {
      timeoutMs: 60_000,
      intervalMs: POLL_MS,
      what: 'all 2,000 events stored',
    });
    expect((await loggerWritten(mesh)) - writtenBefore).toBe(2_000);
    expect(await mesh.vhost!.queueDepth(DEAD_LETTER_QUEUE)).toBe(0);
  });

  it('When the logger is stopped for 20 s mid-stream, then the listener holds the events without spinning, reports not ready, and drains everything once it is back', async () => {
    // Arrange
    const events = manyEvents(4_000);
    const rowsBefore = (await mesh.logs.counts()).rows;
    const stream = mesh.publisher.stream(events, PACE);
    await waitFor(async () => (await storedOf(events)).rows >= 400, {
      timeoutMs: 30_000,
      intervalMs: POLL_MS,
      what: 'the listener forwarding the stream',
    });
    const retriesBefore = await metricValue(mesh.listener, 'listener_forward_retries_total');

    // Act
    await mesh.logger.stop();
    const cpuAtOutage = await processCpuSeconds(mesh.listener.process.pid!);
    await stream.done;
    // The outage itself: its length is the scenario, not a wait for a condition.
    await sleep(OUTAGE_MS);
    const listenerCpu = (await processCpuSeconds(mesh.listener.process.pid!)) - cpuAtOutage;
    const readyDuringOutage = (await fetch(`${mesh.listener.url}/readyz`)).status;
    const retriesDuringOutage =
      (await metricValue(mesh.listener, 'listener_forward_retries_total')) - retriesBefore;
    const queuedDuringOutage = await mesh.vhost!.queueDepth(LISTENER_QUEUE);
    const deadDuringOutage = await mesh.vhost!.queueDepth(DEAD_LETTER_QUEUE);
    await mesh.logger.restart();

    // Assert
    expect(readyDuringOutage).toBe(503);
    expect(deadDuringOutage).toBe(0);
    // Capped exponential backoff (ceiling 1 s here, with jitter): each of the 2 batches in flight
    // retries at most ~2×/s, so well under 150 attempts in 20 s; a hot loop would make thousands…
    expect(retriesDuringOutage).toBeGreaterThan(0);
    expect(retriesDuringOutage).toBeLessThan(150);
    // …and an idle process (a spinning one would burn ~20 CPU seconds here).
    expect(listenerCpu).toBeLessThan(5);
    await waitFor(async () => (await storedOf(events)).rows === 4_000, {
      timeoutMs: 60_000,
      intervalMs: POLL_MS,
      what: 'all 4,000 events stored after the outage',
    });
    await mesh.listener.waitUntilReady(15_000);
    // Every entry the logger holds, not only those under these event_ids (the logger restarted, so
    // its counters did too): a copy under another id would be an entry more.
    expect((await mesh.logs.counts()).rows - rowsBefore).toBe(4_000);
    // The restarted logger's counter began at its restart: what it stored is what was not stored
    // when it stopped (redeliveries of stored events are its duplicates, not writes). The outage
    // came mid-stream, and every event not yet stored was still in RabbitMQ (stored-but-unacked
    // ones count twice there).
    const notStoredAtOutage = await loggerWritten(mesh);
    expect(notStoredAtOutage).toBeGreaterThan(0);
    expect(queuedDuringOutage).toBeGreaterThanOrEqual(notStoredAtOutage);
    await waitFor(async () => (await mesh.vhost!.queueDepth(LISTENER_QUEUE)) === 0, {
      timeoutMs: 15_000,
      what: 'the listener queue fully acked',
    });
    expect(await mesh.vhost!.queueDepth(DEAD_LETTER_QUEUE)).toBe(0);
  });
});
