import { randomUUID } from 'node:crypto';
import type { StartedHttpService } from '@micromesh/kit';
import { waitFor } from '@micromesh/kit/testing';
import { Client } from 'pg';
import request from 'supertest';
import { bindTestQueue } from './support/event-queue';
import { aLog, anEventPayload } from './support/factories';
import { loggerEntries } from './support/logger-metrics';
import { specViolations } from './support/openapi-check';
import { TestMesh, type MeshUser } from './support/test-mesh';

const QUEUE = 'broker-idempotency-events';

/**
 * Idempotency-Key on `log` and `event`: the checks count copies as the downstream reports them
 * (messages RabbitMQ holds per event_id, entries the logger says it wrote or found duplicate), so
 * a second copy fails them even though the logger's unique event_id would hide it in its rows.
 */
describe('broker: Idempotency-Key', () => {
  let mesh: TestMesh;
  let broker: StartedHttpService;
  let other: StartedHttpService;
  let alice: MeshUser;
  let bob: MeshUser;
  let queue: Awaited<ReturnType<typeof bindTestQueue>>;

  beforeAll(async () => {
    mesh = await TestMesh.start();
    queue = await bindTestQueue(mesh.vhost, QUEUE, ['log.*']);
    // Two replicas on one broker database: a retry may land on either.
    broker = await mesh.startBroker();
    other = await mesh.startBroker();
    [alice, bob] = await Promise.all([mesh.createUser(), mesh.createUser()]);
  }, 120_000);
  afterAll(async () => {
    await mesh?.close();
  });

  const post = (via: StartedHttpService, user: MeshUser, key: string, body: object) =>
    request(via.address.url)
      .post('/handle')
      .set('authorization', `Bearer ${user.token}`)
      .set('idempotency-key', key)
      .send(body);

  const loggerCount = (outcome: 'stored' | 'duplicate') => loggerEntries(mesh.logger!.url, outcome);

  /** Everything waiting in the test queue, grouped: event_id → copies. */
  const copiesInQueue = async () => {
    const copies = new Map<string, number>();
    for (const message of await queue.take(1_000)) {
      const id = message.properties.message_id ?? '';
      copies.set(id, (copies.get(id) ?? 0) + 1);
    }
    return copies;
  };

  it('When an event is posted twice with one key (to two replicas), then one message is published and both answers carry the same event_id', async () => {
    const key = `order-${randomUUID()}`;
    const event = anEventPayload();

    const first = await post(broker, alice, key, { action: 'event', event });
    const second = await post(other, alice, key, { action: 'event', event });

    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(specViolations('/handle', 'post', second)).toEqual([]);
    expect(await copiesInQueue()).toEqual(new Map([[first.body.data.event_id, 1]]));
  });

  it('When the key comes back with another body, then 422 and nothing is published', async () => {
    const key = `order-${randomUUID()}`;
    await post(broker, alice, key, { action: 'event', event: anEventPayload() });
    await copiesInQueue();

    const reused = await post(broker, alice, key, { action: 'event', event: anEventPayload() });
    const asLog = await post(broker, alice, key, { action: 'log', log: aLog() });

    for (const res of [reused, asLog]) {
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        error: true,
        message: 'idempotency key reused with a different request',
      });
      expect(specViolations('/handle', 'post', res)).toEqual([]);
    }
    expect(await copiesInQueue()).toEqual(new Map());
  });

  it('When two callers use the same key, then each gets its own event: two messages, two event_ids', async () => {
    const key = `shared-${randomUUID()}`;
    const event = anEventPayload();

    const fromAlice = await post(broker, alice, key, { action: 'event', event });
    const fromBob = await post(broker, bob, key, { action: 'event', event });

    expect([fromAlice.status, fromBob.status]).toEqual([202, 202]);
    expect(fromBob.headers['idempotent-replayed']).toBeUndefined();
    expect(fromAlice.body.data.event_id).not.toBe(fromBob.body.data.event_id);
    expect(await copiesInQueue()).toEqual(
      new Map([
        [fromAlice.body.data.event_id, 1],
        [fromBob.body.data.event_id, 1],
      ]),
    );
  });

  it('When a log is posted twice with one key, then the logger writes it once and never sees it again', async () => {
    const key = `log-${randomUUID()}`;
    const log = aLog({ metadata: { b: 2, a: 1 } });
    const before = { stored: await loggerCount('stored'), dup: await loggerCount('duplicate') };

    const first = await post(broker, alice, key, { action: 'log', log });
    // The same body with its metadata keys in another order is the same request.
    const second = await post(other, alice, key, {
      action: 'log',
      log: { ...log, metadata: { a: 1, b: 2 } },
    });

    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.data.event_id).toBe(first.body.data.event_id);
    await waitFor(async () => (await loggerCount('stored')) === before.stored + 1, {
      what: 'the logger writing the entry',
    });
    expect(await loggerCount('duplicate')).toBe(before.dup);
  });

  it('When two callers log with the same key, then the logger writes two entries', async () => {
    const key = `log-shared-${randomUUID()}`;
    const log = aLog();
    const before = await loggerCount('stored');

    const answers = await Promise.all([
      post(broker, alice, key, { action: 'log', log }),
      post(broker, bob, key, { action: 'log', log }),
    ]);

    expect(answers.map((r) => r.status)).toEqual([202, 202]);
    expect(new Set(answers.map((r) => r.body.data.event_id)).size).toBe(2);
    expect(await loggerCount('stored')).toBe(before + 2);
  });

  it('When the key is not printable ASCII or too long, then 400 names the header', async () => {
    for (const key of ['x'.repeat(201), 'tab\there']) {
      const res = await post(broker, alice, key, { action: 'log', log: aLog() });

      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'Idempotency-Key' })]);
    }
  });

  it('When a key has expired, then it is free again: the same key with another body is a new request', async () => {
    const key = `expiring-${randomUUID()}`;
    const first = await post(broker, alice, key, { action: 'event', event: anEventPayload() });
    await expireKeys(mesh.brokerDb.url, key);

    const again = await post(broker, alice, key, { action: 'event', event: anEventPayload() });

    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    // A new event_id: the logger, which keeps records far longer than a key lives, stores it.
    expect(again.body.data.event_id).not.toBe(first.body.data.event_id);
    expect(await copiesInQueue()).toEqual(
      new Map([
        [first.body.data.event_id, 1],
        [again.body.data.event_id, 1],
      ]),
    );
  });
});

/** Ages a key past its expiry in the broker's database (as 24 h passing would). */
async function expireKeys(databaseUrl: string, key: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `UPDATE broker_idempotency_keys SET expires_at = now() - interval '1 second'
        WHERE idempotency_key = $1`,
      [key],
    );
  } finally {
    await client.end();
  }
}
