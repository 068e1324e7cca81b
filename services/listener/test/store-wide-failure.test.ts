import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { DEAD_LETTER_QUEUE, LISTENER_QUEUE } from '@micromesh/kit';
import { infraEnv, waitFor } from '@micromesh/kit/testing';
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

/** A session on the shared server's maintenance database, as the test database's owner. */
async function adminClient(): Promise<Client> {
  const { pg } = infraEnv();
  const client = new Client({
    host: pg.host,
    port: pg.port,
    user: pg.user,
    password: pg.password,
    database: 'postgres',
  });
  await client.connect();
  return client;
}

describe('listener → logger: the store refuses every write (not any one entry)', () => {
  let mesh: ListenerMesh;
  let admin: Client;

  beforeAll(async () => {
    mesh = await startListenerMesh('listener-store-wide');
    admin = await adminClient();
  });
  afterAll(async () => {
    // The mesh's own test database only; never one another suite uses.
    await admin
      ?.query(`ALTER DATABASE ${mesh.database} RESET default_transaction_read_only`)
      .catch(() => undefined);
    await admin?.end();
    await mesh?.close();
  });

  /** Like a primary demoted by a failover: every new session of the logs database is read-only. */
  async function makeLogsDatabaseReadOnly(): Promise<void> {
    await admin.query(`ALTER DATABASE ${mesh.database} SET default_transaction_read_only = on`);
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [mesh.database],
    );
  }

  it('When the logs database turns read-only (25006) while events arrive, then none is dead-lettered, forwarding reports blocked, and once writable every event is stored once', async () => {
    // Arrange: the pipeline works, then the store goes read-only under it.
    const warmUp = manyEvents(10);
    await mesh.publisher.publishAll(warmUp);
    await waitFor(async () => (await mesh.logs.countsOf(warmUp)).rows === 10, {
      timeoutMs: 30_000,
      what: 'the warm-up events stored',
    });
    const writtenBefore = await loggerWritten(mesh);
    await makeLogsDatabaseReadOnly();

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
    await admin.query(`ALTER DATABASE ${mesh.database} RESET default_transaction_read_only`);

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
