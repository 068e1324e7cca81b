import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@micromesh/kit/testing';
import { anEvent } from './support/events';
import {
  loggerWritten,
  metricValue,
  startListenerMesh,
  type ListenerMesh,
} from './support/listener-mesh';

jest.setTimeout(300_000);

/** The listener's memory limit in k8s/base/listener/deployment.yaml. */
const POD_LIMIT_BYTES = 256 * 1024 * 1024;
const EVENTS = 1_600;

/** Peak resident memory of a process so far (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match?.[1]) throw new Error(`no VmHWM for ${pid}`);
  return Number(match[1]) * 1024;
}

/**
 * About 95 KB of UTF-8 per event, as large as the contract lets an event through the broker:
 * 31,000 three-byte characters (data is bounded by 65,536 UTF-16 units, the broker's body by 100 kb).
 */
const largeData = (i: number) => `${i} ${'日'.repeat(31_000)}`;

describe('listener: memory with the largest legal events', () => {
  let mesh: ListenerMesh;

  beforeAll(async () => {
    // A heap limit like a small pod's, so the garbage collector works as it would there.
    mesh = await startListenerMesh('listener-memory', {
      listenerNodeArgs: ['--max-old-space-size=96'],
    });
  });
  afterAll(async () => {
    // Never leave the logger stopped, whatever failed.
    mesh?.logger.process.kill('SIGCONT');
    await mesh?.close();
  });

  it('When 1,600 events of ~95 KB wait for a paused logger, then the listener holds a window bounded in bytes (peak RSS under its 256 Mi pod limit) and stores them all once the logger resumes', async () => {
    // Arrange: the logger stops answering, so nothing the listener takes is settled.
    const events = Array.from({ length: EVENTS }, (_, i) => anEvent({ data: largeData(i) }));
    const pid = mesh.listener.process.pid!;
    const idlePeak = peakRss(pid);
    const writtenBefore = await loggerWritten(mesh);
    mesh.logger.process.kill('SIGSTOP');

    // Act: a backlog of large events; the listener takes what its window allows.
    await mesh.publisher.publishAll(events);
    let taken = -1;
    await waitFor(
      async () => {
        await sleep(2_000);
        const now = await metricValue(mesh.listener, 'listener_events_consumed_total');
        const settled = now === taken;
        taken = now;
        return settled;
      },
      { timeoutMs: 60_000, intervalMs: 0, what: 'the listener has taken its window' },
    );
    const heldPeak = peakRss(pid);
    mesh.logger.process.kill('SIGCONT');

    // Assert: every event stored, the listener alive throughout and within its pod limit.
    // (Counted by the logger's metrics while they flow: reading 150 MB back on every poll would not do.)
    await waitFor(async () => (await loggerWritten(mesh)) - writtenBefore >= EVENTS, {
      timeoutMs: 180_000,
      intervalMs: 1_000,
      what: `${EVENTS} large events stored`,
    });
    expect(await mesh.logs.countsOf(events)).toEqual({ rows: EVENTS, distinct: EVENTS });
    const peak = peakRss(pid);
    console.log(
      `listener peak RSS: ${(idlePeak / 2 ** 20).toFixed(0)} MiB idle, ${(heldPeak / 2 ** 20).toFixed(0)} MiB holding its window ` +
        `(${taken} of ${EVENTS} taken), ${(peak / 2 ** 20).toFixed(0)} MiB overall`,
    );
    expect(mesh.listener.process.exitCode).toBeNull();
    expect(mesh.listener.process.signalCode).toBeNull();
    expect(peak).toBeLessThan(POD_LIMIT_BYTES);
  });
  it('When events larger than the window was sized for arrive (~190 KB, from a publisher other than the broker), then deliveries over the byte bound go back to the queue, consuming pauses and resumes, and every event is stored, none dead-lettered', async () => {
    // Arrange: 65,000 three-byte characters, as long as the contract lets data be.
    const events = Array.from({ length: 300 }, (_, i) =>
      anEvent({ data: `${i} ${'日'.repeat(65_000)}` }),
    );
    const writtenBefore = await loggerWritten(mesh);
    const returnedBefore = await metricValue(mesh.listener, 'listener_deliveries_returned_total');

    // Act: while the logger is paused, so the window fills.
    mesh.logger.process.kill('SIGSTOP');
    await mesh.publisher.publishAll(events);
    await waitFor(
      async () =>
        (await metricValue(mesh.listener, 'listener_deliveries_returned_total')) > returnedBefore,
      { timeoutMs: 30_000, what: 'a delivery over the byte bound returned' },
    );
    expect(await metricValue(mesh.listener, 'listener_consuming_paused')).toBe(1);
    mesh.logger.process.kill('SIGCONT');

    // Assert
    await waitFor(async () => (await loggerWritten(mesh)) - writtenBefore >= events.length, {
      timeoutMs: 120_000,
      intervalMs: 1_000,
      what: 'the large events stored',
    });
    expect(await mesh.logs.countsOf(events)).toEqual({ rows: 300, distinct: 300 });
    expect(await metricValue(mesh.listener, 'micromesh_dead_letters_total')).toBe(0);
    expect(await metricValue(mesh.listener, 'listener_consuming_paused')).toBe(0);
    expect(peakRss(mesh.listener.process.pid!)).toBeLessThan(POD_LIMIT_BYTES);
  });
});
