import { randomUUID } from 'node:crypto';
import type { StartedHttpService } from '@micromesh/kit';
import { startServiceProcess, waitFor, type ServiceProcess } from '@micromesh/kit/testing';
import { Client } from 'pg';
import request from 'supertest';
import { idempotentEventId, requestHash } from '../src/domain/idempotency';
import { aLog, anEventPayload } from './support/factories';
import { loggerEntries } from './support/logger-metrics';
import { TestMesh, type MeshUser } from './support/test-mesh';

/**
 * An Idempotency-Key is remembered IDEMPOTENCY_TTL_HOURS; after that it is free again and names a
 * new request, stored as a new record (the logger keeps records far longer than the key lives, so
 * an event_id that outlived its key would make the logger drop the new request as a duplicate).
 * Within the TTL a repeat, even one that runs the action again, stores nothing new. Checked in the
 * logger's real PostgreSQL, for `log` (gRPC) and `event` (RabbitMQ → the real listener → logger).
 */
describe('broker: Idempotency-Key expiry', () => {
  let mesh: TestMesh;
  let broker: StartedHttpService;
  let listener: ServiceProcess;
  let alice: MeshUser;

  beforeAll(async () => {
    mesh = await TestMesh.start();
    listener = await startServiceProcess({
      service: 'listener',
      env: { LOG_LEVEL: 'warn', AMQP_URL: mesh.vhost.url, LOGGER_GRPC_ADDRESS: mesh.loggerGrpc },
    });
    broker = await mesh.startBroker();
    alice = await mesh.createUser();
  }, 120_000);
  afterAll(async () => {
    await listener?.stop();
    await mesh?.close();
  });

  const post = (key: string, body: object) =>
    request(broker.address.url)
      .post('/handle')
      .set('authorization', `Bearer ${alice.token}`)
      .set('idempotency-key', key)
      .send(body);

  /** What the logger stored under `name`: event_id and data, oldest first. */
  const stored = async (name: string) =>
    sql<{ event_id: string; data: string }>(
      mesh.logsDb.url,
      'SELECT event_id, data FROM logs WHERE name = $1 ORDER BY timestamp, data',
      [name],
    );

  /** Ages a key past its expiry in the broker's database (as 24 h passing would). */
  const expire = (key: string) =>
    sql(
      mesh.brokerDb.url,
      `UPDATE broker_idempotency_keys SET expires_at = now() - interval '1 second'
        WHERE idempotency_key = $1`,
      [key],
    );

  /** As if the broker died after the action and before its answer was kept. */
  const forgetAnswer = (key: string) =>
    sql(
      mesh.brokerDb.url,
      `UPDATE broker_idempotency_keys SET status = NULL, answer = NULL WHERE idempotency_key = $1`,
      [key],
    );

  const loggerCount = (outcome: 'stored' | 'duplicate') => loggerEntries(mesh.logger!.url, outcome);

  describe('log', () => {
    it('When an expired key comes back with another body, then a second record is stored under a new event_id', async () => {
      const key = `nightly-report-${randomUUID()}`;
      const log = aLog({ data: 'A' });
      const first = await post(key, { action: 'log', log });
      await expire(key);

      const again = await post(key, { action: 'log', log: { ...log, data: 'B' } });

      expect([first.status, again.status]).toEqual([202, 202]);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
      expect(again.body.data.event_id).not.toBe(first.body.data.event_id);
      expect(await stored(log.name)).toEqual([
        { event_id: first.body.data.event_id, data: 'A' },
        { event_id: again.body.data.event_id, data: 'B' },
      ]);
    });

    it('When an expired key comes back with the same body, then it is a new request too: a second record, a new event_id', async () => {
      const key = `heartbeat-${randomUUID()}`;
      const log = aLog({ data: 'all good' });
      const first = await post(key, { action: 'log', log });
      await expire(key);

      const again = await post(key, { action: 'log', log });
      const repeat = await post(key, { action: 'log', log });

      expect([first.status, again.status, repeat.status]).toEqual([202, 202, 202]);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
      expect(again.body.data.event_id).not.toBe(first.body.data.event_id);
      // Within the new key's TTL, a repeat is a repeat again.
      expect(repeat.headers['idempotent-replayed']).toBe('true');
      expect(repeat.body).toEqual(again.body);
      expect(await stored(log.name)).toEqual([
        { event_id: first.body.data.event_id, data: 'all good' },
        { event_id: again.body.data.event_id, data: 'all good' },
      ]);
    });

    it('When a repeat finds the first request stored but never completed, then it runs again under the same event_id and one record is stored', async () => {
      const key = `crashed-${randomUUID()}`;
      const log = aLog();
      const first = await post(key, { action: 'log', log });
      await forgetAnswer(key);

      const again = await post(key, { action: 'log', log });

      expect([first.status, again.status]).toEqual([202, 202]);
      expect(again.body.data.event_id).toBe(first.body.data.event_id);
      expect(await stored(log.name)).toEqual([
        { event_id: first.body.data.event_id, data: log.data },
      ]);
    });

    it('When one key and body are sent ten times at once, then all answer one event_id and one record is stored', async () => {
      const key = `burst-${randomUUID()}`;
      const log = aLog();

      const answers = await Promise.all(
        Array.from({ length: 10 }, () => post(key, { action: 'log', log })),
      );

      expect(answers.map((r) => r.status)).toEqual(Array(10).fill(202));
      const ids = new Set(answers.map((r) => r.body.data.event_id as string));
      expect(ids.size).toBe(1);
      expect(await stored(log.name)).toEqual([{ event_id: [...ids][0], data: log.data }]);
    });

    it('When a body leaves the level out and its repeat names the default INFO, then it is the same request', async () => {
      const key = `level-${randomUUID()}`;
      const log = aLog();

      const first = await post(key, { action: 'log', log });
      const named = await post(key, { action: 'log', log: { ...log, level: 'info' } });

      expect([first.status, named.status]).toEqual([202, 202]);
      expect(named.headers['idempotent-replayed']).toBe('true');
      expect(named.body).toEqual(first.body);
      expect(await stored(log.name)).toHaveLength(1);
    });

    it('When a key was claimed before event ids were kept with it and never completed, then its repeat uses the id derived from the key', async () => {
      const key = `legacy-${randomUUID()}`;
      const log = aLog();
      const principal = `user:${alice.id}`;
      await sql(
        mesh.brokerDb.url,
        `INSERT INTO broker_idempotency_keys (principal, idempotency_key, request_hash, expires_at)
         VALUES ($1, $2, $3, now() + interval '1 hour')`,
        [principal, key, requestHash('log', log)],
      );

      const res = await post(key, { action: 'log', log });

      expect(res.status).toBe(202);
      expect(res.body.data.event_id).toBe(idempotentEventId({ principal, key }, 'log'));
    });
  });

  describe('event', () => {
    it('When a repeat finds the first event published but never completed, then it publishes the same event_id and the listener stores one record', async () => {
      const key = `crashed-event-${randomUUID()}`;
      const event = anEventPayload();
      const first = await post(key, { action: 'event', event });
      await waitFor(async () => (await stored(event.name)).length === 1, {
        what: 'the listener storing the event',
      });
      await forgetAnswer(key);
      const duplicates = await loggerCount('duplicate');

      const again = await post(key, { action: 'event', event });

      expect([first.status, again.status]).toEqual([202, 202]);
      expect(again.body.data.event_id).toBe(first.body.data.event_id);
      // The second copy reached the logger through the listener and was found a duplicate.
      await waitFor(async () => (await loggerCount('duplicate')) === duplicates + 1, {
        what: 'the logger seeing the second copy',
      });
      expect(await stored(event.name)).toEqual([
        { event_id: first.body.data.event_id, data: event.data },
      ]);
    });

    it('When an expired key comes back with another body, then the listener stores a second record', async () => {
      const key = `nightly-event-${randomUUID()}`;
      const event = anEventPayload({ data: 'A' });
      const first = await post(key, { action: 'event', event });
      await waitFor(async () => (await stored(event.name)).length === 1, {
        what: 'the listener storing the first event',
      });
      await expire(key);

      const again = await post(key, { action: 'event', event: { ...event, data: 'B' } });

      expect([first.status, again.status]).toEqual([202, 202]);
      expect(again.body.data.event_id).not.toBe(first.body.data.event_id);
      await waitFor(async () => (await stored(event.name)).length === 2, {
        what: 'the listener storing the second event',
      });
      expect(await stored(event.name)).toEqual([
        { event_id: first.body.data.event_id, data: 'A' },
        { event_id: again.body.data.event_id, data: 'B' },
      ]);
    });
  });
});

async function sql<Row extends object = Record<string, unknown>>(
  databaseUrl: string,
  text: string,
  values: unknown[],
): Promise<Row[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end();
  }
}
