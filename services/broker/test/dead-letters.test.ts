import type { DeadLetterPage } from '@micromesh/contracts';
import { DEAD_LETTER_QUEUE, type StartedHttpService } from '@micromesh/kit';
import request from 'supertest';
import { openDeadLetterFixture, REJECTING_QUEUE } from './support/dead-letter-fixture';
import { bindTestQueue } from './support/event-queue';
import { specViolations } from './support/openapi-check';
import { TestMesh, type MeshUser } from './support/test-mesh';

const REPLAYED = 'broker-dead-letters-replayed';
const EVENT_ID = '7f1f4f5e-2d7c-4b8e-9a51-2b3c4d5e6f70';
const refusedEvent = JSON.stringify({
  event_id: EVENT_ID,
  name: 'refused-by-the-store',
  data: 'x'.repeat(300),
  level: 'WARNING',
  service: 'broker-test',
  timestamp: new Date().toISOString(),
});

describe('broker: dead letters (admin)', () => {
  let mesh: TestMesh;
  let broker: StartedHttpService;
  let admin: MeshUser;
  let user: MeshUser;
  let fixture: Awaited<ReturnType<typeof openDeadLetterFixture>>;
  let replayed: Awaited<ReturnType<typeof bindTestQueue>>;

  beforeAll(async () => {
    mesh = await TestMesh.start({ withLogger: false });
    replayed = await bindTestQueue(mesh.vhost, REPLAYED, ['log.INFO', 'log.WARNING', 'log.ERROR']);
    fixture = await openDeadLetterFixture(mesh.vhost);
    await fixture.put({
      body: refusedEvent,
      routingKey: 'log.WARNING',
      messageId: EVENT_ID,
      reason: 'refused',
      detail: 'logger: INVALID_ARGUMENT: data: NUL character',
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    await fixture.put({
      body: 'this is not JSON',
      reason: 'malformed',
      detail: 'body is not JSON',
    });
    await fixture.putRejected('{"rejected":"by a consumer"}');
    broker = await mesh.startBroker();
    [admin, user] = await Promise.all([mesh.createUser('admin'), mesh.createUser('user')]);
  }, 120_000);
  afterAll(async () => {
    await fixture?.close();
    await mesh?.close();
  });

  const http = () => request(broker.address.url);
  const asAdmin = <T extends request.Test>(req: T) =>
    req.set('authorization', `Bearer ${admin.token}`);
  const list = async (limit?: number) => {
    const res = await asAdmin(http().get(`/api/dead-letters${limit ? `?limit=${limit}` : ''}`));
    expect(res.status).toBe(200);
    expect(specViolations('/api/dead-letters', 'get', res)).toEqual([]);
    return (res.body as { data: DeadLetterPage }).data;
  };

  it('When an admin lists the dead letters, then each comes with its reason, detail, routing key and a preview, oldest first, and nothing is consumed', async () => {
    const page = await list();

    expect(page.count).toBe(3);
    expect(page.items.map(({ reason, routing_key }) => ({ reason, routing_key }))).toEqual([
      { reason: 'refused', routing_key: 'log.WARNING' },
      { reason: 'malformed', routing_key: 'log.INFO' },
      { reason: 'rejected', routing_key: REJECTING_QUEUE },
    ]);
    const [refused, malformed, rejected] = page.items;
    expect(refused).toMatchObject({
      detail: 'logger: INVALID_ARGUMENT: data: NUL character',
      message_id: EVENT_ID,
      attempts: 1,
    });
    expect(refused?.preview).toBe(`${refusedEvent.slice(0, 200)}…`);
    expect(malformed).toMatchObject({ preview: 'this is not JSON', message_id: null });
    expect(rejected).toMatchObject({ detail: null, preview: '{"rejected":"by a consumer"}' });
    expect(Date.parse(rejected?.dead_lettered_at ?? '')).not.toBeNaN();
    expect(await fixture.depth()).toBe(3);
  });

  it('When the list is read again, and by two admins at once, then every reader sees the same ids in the same order', async () => {
    const first = await list();

    const [second, third] = await Promise.all([list(), list()]);

    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect((await list(2)).items).toEqual(first.items.slice(0, 2));
  });

  it('When a user (no dlq:admin) or nobody asks, then 403 and 401', async () => {
    const anonymous = await http().get('/api/dead-letters');
    const asUser = await http()
      .get('/api/dead-letters')
      .set('authorization', `Bearer ${user.token}`);

    expect(anonymous.status).toBe(401);
    expect(asUser.status).toBe(403);
    expect(asUser.body).toEqual({ error: true, message: 'requires the dlq:admin scope' });
    expect(specViolations('/api/dead-letters', 'get', asUser)).toEqual([]);
  });

  it('When an admin replays a dead letter, then it is republished to logs_topic with its routing key, message id and body (without the dead-letter headers) and leaves the queue', async () => {
    const [refused] = (await list()).items;

    const res = await asAdmin(http().post(`/api/dead-letters/${refused!.id}/replay`));

    expect(res.status).toBe(200);
    expect(specViolations('/api/dead-letters/{id}/replay', 'post', res)).toEqual([]);
    const [message, ...more] = await replayed.take(10);
    expect(more).toEqual([]);
    expect(message).toMatchObject({
      routing_key: 'log.WARNING',
      payload: refusedEvent,
      properties: { message_id: EVENT_ID, delivery_mode: 2 },
    });
    const headers = (message as unknown as { properties: { headers: Record<string, unknown> } })
      .properties.headers;
    expect(headers.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(Object.keys(headers).filter((name) => name.includes('death'))).toEqual([]);
    expect((await list()).items.map((item) => item.reason)).toEqual(['malformed', 'rejected']);
  });

  it('When an unknown id is replayed, then 404 and nothing is published', async () => {
    const res = await asAdmin(http().post(`/api/dead-letters/${'0'.repeat(32)}/replay`));

    expect(res.status).toBe(404);
    expect(specViolations('/api/dead-letters/{id}/replay', 'post', res)).toEqual([]);
    expect(await replayed.take(10)).toEqual([]);
  });

  it('When a dead letter cannot be routed from logs_topic, then replay answers 409 and the dead letter stays', async () => {
    const rejected = (await list()).items.find((item) => item.reason === 'rejected');

    const res = await asAdmin(http().post(`/api/dead-letters/${rejected!.id}/replay`));

    expect(res.status).toBe(409);
    expect(specViolations('/api/dead-letters/{id}/replay', 'post', res)).toEqual([]);
    expect((await list()).items.map((item) => item.id)).toContain(rejected!.id);
  });

  it('When an admin discards a dead letter, then it is gone; an unknown id is 404 and a malformed one 400', async () => {
    const [malformed] = (await list()).items;

    const res = await asAdmin(http().delete(`/api/dead-letters/${malformed!.id}`));
    const again = await asAdmin(http().delete(`/api/dead-letters/${malformed!.id}`));
    const bad = await asAdmin(http().delete('/api/dead-letters/not-an-id'));

    expect(res.status).toBe(200);
    expect(specViolations('/api/dead-letters/{id}', 'delete', res)).toEqual([]);
    expect(again.status).toBe(404);
    expect(bad.status).toBe(400);
    expect(specViolations('/api/dead-letters/{id}', 'delete', bad)).toEqual([]);
    const page = await list();
    expect(page.count).toBe(1);
    expect(page.items.map((item) => item.reason)).toEqual(['rejected']);
  });

  it('When the dead-letter queue does not exist (no listener has declared it yet), then the list is empty and an id is 404', async () => {
    const vh = encodeURIComponent(mesh.vhost.name);
    const res = await fetch(`${mesh.vhost.managementUrl}/queues/${vh}/${DEAD_LETTER_QUEUE}`, {
      method: 'DELETE',
      headers: { authorization: mesh.vhost.authHeader },
    });
    expect(res.ok).toBe(true);

    const page = await list();
    const discard = await asAdmin(http().delete(`/api/dead-letters/${'0'.repeat(32)}`));

    expect(page).toEqual({ count: 0, items: [] });
    expect(discard.status).toBe(404);
  });

  it('When the limit is out of range, then 400 names it', async () => {
    const res = await asAdmin(http().get('/api/dead-letters?limit=0'));

    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('limit');
  });
});
