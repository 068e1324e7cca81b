import amqp, { type Channel, type ChannelModel } from 'amqplib';
import {
  DEAD_LETTER_EXCHANGE,
  DEAD_LETTER_QUEUE,
  LISTENER_QUEUE,
  LOGS_EXCHANGE,
  QUEUE_POLICIES,
  applyQueuePolicies,
} from '@micromesh/kit';
import { createTestVhost, infraEnv, waitFor, type TestVhost } from '@micromesh/kit/testing';
import { declareListenerTopology } from '../src/entry-points/amqp/topology';

jest.setTimeout(60_000);

/** The policies the provisioning job applies (scripts/up, scripts/test, compose, k8s). */
const listenerPolicy = QUEUE_POLICIES.find((policy) => policy.name === 'micromesh-listener');
const deliveryLimit = Number(listenerPolicy?.definition['delivery-limit']);

async function management(vhost: TestVhost, method: string, route: string, body?: unknown) {
  const res = await fetch(`${vhost.managementUrl}${route}`, {
    method,
    headers: { authorization: vhost.authHeader, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${route} → ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

describe('listener queue policy (kit QUEUE_POLICIES, applied by provision-users-cli)', () => {
  let vhost: TestVhost;
  let connection: ChannelModel;
  let channel: Channel;
  const vh = () => encodeURIComponent(vhost.name);

  beforeAll(async () => {
    vhost = await createTestVhost('listener-policy');
    // The deployed policies, applied by the provisioning code, on this test's vhost instead of "/".
    const { rabbit } = infraEnv();
    await applyQueuePolicies({
      managementUrl: vhost.managementUrl,
      admin: { user: rabbit.user, password: rabbit.password },
      vhost: vhost.name,
    });
    connection = await amqp.connect(vhost.url);
    channel = await connection.createChannel();
    await declareListenerTopology(channel);
  });
  afterAll(async () => {
    await connection?.close().catch(() => undefined);
    await vhost?.drop();
  });

  it('When the policy is in place, then the listener queue takes its delivery limit and dead-letter exchange, and redeclaring the queue still succeeds', async () => {
    await declareListenerTopology(channel); // the same declaration again: no PRECONDITION_FAILED

    type QueueInfo = { policy?: string; effective_policy_definition?: Record<string, unknown> };
    const info = async () =>
      (await management(vhost, 'GET', `/queues/${vh()}/${LISTENER_QUEUE}`)) as QueueInfo;
    // The management API reports a queue's policy with its next stats update (every few seconds).
    await waitFor(async () => (await info()).policy !== undefined, {
      timeoutMs: 15_000,
      what: 'the policy reported on the queue',
    });
    const queue = await info();

    expect(deliveryLimit).toBeGreaterThanOrEqual(20);
    expect(queue.policy).toBe('micromesh-listener');
    expect(queue.effective_policy_definition).toMatchObject({
      'delivery-limit': deliveryLimit,
      'dead-letter-exchange': DEAD_LETTER_EXCHANGE,
    });
  });

  it('When the dead-letter queue is inspected, then it is a durable classic queue under no policy (so no delivery limit of its own)', async () => {
    const queue = (await management(vhost, 'GET', `/queues/${vh()}/${DEAD_LETTER_QUEUE}`)) as {
      type: string;
      durable: boolean;
      policy?: string | null;
    };

    expect(queue).toMatchObject({ type: 'classic', durable: true });
    expect(queue.policy ?? null).toBeNull();
  });

  it('When a message is handed out and returned more often than the delivery limit, then RabbitMQ dead-letters it with reason delivery_limit', async () => {
    // Arrange
    channel.publish(LOGS_EXCHANGE, 'log.INFO', Buffer.from('{"crashes":"every consumer"}'), {
      persistent: true,
      messageId: 'crash-loop',
    });

    // Act: a consumer that never settles it (as a listener crashing on it would)
    let deliveries = 0;
    for (let i = 0; i < deliveryLimit + 5; i++) {
      const message = await channel.get(LISTENER_QUEUE, { noAck: false });
      if (!message) break;
      deliveries += 1;
      channel.nack(message, false, true);
    }
    await channel.checkQueue(LISTENER_QUEUE); // a round trip: the last nack is processed

    // Assert
    const dead = await channel.get(DEAD_LETTER_QUEUE, { noAck: false });
    expect(deliveries).toBe(deliveryLimit + 1);
    expect(dead && dead.properties.messageId).toBe('crash-loop');
    const deaths = (dead ? dead.properties.headers?.['x-death'] : []) as { reason: string }[];
    expect(deaths.map((death) => death.reason)).toEqual(['delivery_limit']);
    if (dead) channel.nack(dead, false, true);
  });

  it('When the dead-letter queue is browsed (get and requeue) more often than any delivery limit, then it still holds every message', async () => {
    // Arrange
    const { messageCount: before } = await channel.checkQueue(DEAD_LETTER_QUEUE);
    channel.publish(DEAD_LETTER_EXCHANGE, 'log.INFO', Buffer.from('browse me'), {
      persistent: true,
    });
    await channel.checkQueue(DEAD_LETTER_QUEUE);

    // Act
    for (let i = 0; i < deliveryLimit + 5; i++) {
      const message = await channel.get(DEAD_LETTER_QUEUE, { noAck: false });
      if (message) channel.nack(message, false, true);
    }

    // Assert
    const { messageCount: after } = await channel.checkQueue(DEAD_LETTER_QUEUE);
    expect(after).toBe(before + 1);
  });
});
