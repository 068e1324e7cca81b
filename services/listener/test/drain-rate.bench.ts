import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { LISTENER_QUEUE } from '@micromesh/kit';
import { processCpuSeconds, waitFor } from '@micromesh/kit/testing';
import { manyEvents } from './support/events';
import {
  loggerWritten,
  metricValue,
  startListenerMesh,
  type ListenerMesh,
} from './support/listener-mesh';

const EVENTS = Number(process.env.DRAIN_EVENTS ?? 50_000);

/**
 * Drain rate: events pre-loaded into the listener's queue while the listener is stopped, then the
 * time until the logger has stored all of them (its own count, then its QueryLogs). Prints one JSON
 * line with the figures.
 */
describe('listener drain rate', () => {
  let mesh: ListenerMesh;

  beforeAll(async () => {
    mesh = await startListenerMesh('listener-bench', {
      listenerEnv: { LOG_LEVEL: 'warn', ...pickEnv('LISTENER_') },
    });
  });
  afterAll(() => mesh?.close());

  it(`When ${EVENTS} events wait in the queue, then the listener drains them into PostgreSQL`, async () => {
    const events = manyEvents(EVENTS);
    await mesh.listener.stop();
    const publishStarted = performance.now();
    await mesh.publisher.publishAll(events);
    const publishSeconds = (performance.now() - publishStarted) / 1000;
    await waitFor(async () => (await mesh.vhost!.queueDepth(LISTENER_QUEUE)) >= EVENTS, {
      timeoutMs: 30_000,
      what: 'the queue pre-loaded',
    });
    const loggerCpuBefore = await processCpuSeconds(mesh.logger.process.pid!);
    // The logger's pooled connections: their backends do the inserts (more may open meanwhile).
    const postgresCpuBefore = await cpuByPid(await backendPids(mesh.database));
    const writtenBefore = await loggerWritten(mesh);

    // From the listener's start (process spawn included) to the last event stored.
    const started = performance.now();
    await mesh.listener.restart();
    const listenerPid = mesh.listener.process.pid!;
    let listenerCpu = 0;
    // The logger's own count of stored entries, polled: cheap enough to ask every 100 ms.
    let firstStoredAt: number | undefined;
    await waitFor(
      async () => {
        listenerCpu = await processCpuSeconds(listenerPid);
        const written = (await loggerWritten(mesh)) - writtenBefore;
        if (written > 0) firstStoredAt ??= performance.now();
        return written >= EVENTS;
      },
      { timeoutMs: 300_000, intervalMs: 100, what: 'every event stored' },
    );
    const finished = performance.now();
    const seconds = (finished - started) / 1000;
    const loggerCpu = (await processCpuSeconds(mesh.logger.process.pid!)) - loggerCpuBefore;
    const postgresCpuAfter = await cpuByPid(await backendPids(mesh.database));
    let postgresCpu = 0;
    for (const [pid, cpu] of postgresCpuAfter)
      postgresCpu += cpu - (postgresCpuBefore.get(pid) ?? 0);

    const counts = await mesh.logs.countsOf(events);
    // Time spent waiting for WriteLogs (logger + PostgreSQL); the rest is RabbitMQ and the listener.
    const forwardSeconds = await metricValue(
      mesh.listener,
      'listener_forward_duration_seconds_sum',
    );
    const batches = await metricValue(mesh.listener, 'listener_batch_size_count');
    // From the first insert seen to the last (to the 100 ms of the polls): the drain without the
    // listener's start-up.
    const insertSeconds = (finished - (firstStoredAt ?? started)) / 1000;
    console.log(
      JSON.stringify({
        events: EVENTS,
        publishSeconds: round(publishSeconds),
        drainSeconds: round(seconds),
        eventsPerSecond: Math.round(EVENTS / seconds),
        insertWindowSeconds: round(insertSeconds),
        eventsPerSecondWhileInserting: Math.round(EVENTS / insertSeconds),
        forwardSeconds: round(forwardSeconds),
        batches,
        listenerCpuSeconds: round(listenerCpu),
        loggerCpuSeconds: round(loggerCpu),
        postgresBackendCpuSeconds: round(postgresCpu),
        loadAverage: os.loadavg().map(round),
        stored: counts,
      }),
    );
    expect(counts).toEqual({ rows: EVENTS, distinct: EVENTS });
  });
});

/** CPU seconds by pid (a backend that closed meanwhile counts 0). */
async function cpuByPid(pids: number[]): Promise<Map<number, number>> {
  const each = await Promise.all(pids.map((pid) => processCpuSeconds(pid).catch(() => 0)));
  return new Map(pids.map((pid, i) => [pid, each[i] ?? 0]));
}

/**
 * OS pids of the PostgreSQL backends serving `database`, from their process titles ("postgres:
 * user database host(port) state"): read from /proc, not asked of the logger's database.
 */
async function backendPids(database: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const title = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (title.startsWith('postgres: ') && title.split(' ').includes(database)) {
      pids.push(Number(name));
    }
  }
  return pids;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function pickEnv(prefix: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[0].startsWith(prefix) && entry[1] !== undefined,
    ),
  );
}
