import { randomBytes } from 'node:crypto';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import {
  AMQP_SERVICES,
  DEAD_LETTER_EXCHANGE,
  DEAD_LETTER_QUEUE,
  LISTENER_QUEUE,
  LOGS_EXCHANGE,
  provisionServiceUsers,
  removeServiceUsers,
  type AmqpService,
} from '@micromesh/kit';
import { createTestVhost, infraEnv, type TestVhost } from '@micromesh/kit/testing';

// The per-service RabbitMQ users against the real RabbitMQ: each can do what its service does
// (the same declares, binds, publishes and consumes), and is refused what belongs to another.

describe('RabbitMQ users per service', () => {
  let vhost: TestVhost;
  let admin: Parameters<typeof removeServiceUsers>[0];
  const connections: ChannelModel[] = [];

  beforeAll(async () => {
    vhost = await createTestVhost('kit_users');
    const { rabbit } = infraEnv();
    const users = Object.fromEntries(
      AMQP_SERVICES.map((s) => [
        s,
        { user: `${vhost.name}-${s}`, password: randomBytes(12).toString('hex') },
      ]),
    ) as Record<AmqpService, { user: string; password: string }>;
    admin = {
      managementUrl: vhost.managementUrl,
      admin: { user: rabbit.user, password: rabbit.password },
      users,
    };
    await provisionServiceUsers({ ...admin, vhost: vhost.name });
  });
  afterAll(async () => {
    await Promise.allSettled(connections.map((c) => c.close()));
    await removeServiceUsers(admin);
    await vhost.drop();
  });

  async function channelAs(service: AmqpService): Promise<Channel> {
    const url = new URL(vhost.url);
    url.username = encodeURIComponent(admin.users[service].user);
    url.password = encodeURIComponent(admin.users[service].password);
    const connection = await amqp.connect(url.toString());
    connection.on('error', () => undefined);
    connections.push(connection);
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    return channel;
  }

  /** The AMQP reply code RabbitMQ closes the channel with (403 = ACCESS_REFUSED). */
  async function refusal(channel: Channel, act: (c: Channel) => unknown): Promise<number> {
    const closed = new Promise<number>((resolve) => {
      channel.once('error', (err: { code?: number }) => resolve(err.code ?? 0));
    });
    await Promise.resolve(act(channel)).catch(() => undefined);
    return closed;
  }

  const publishConfirmed = (channel: Channel, exchange: string, key: string) =>
    new Promise<void>((resolve, reject) => {
      (channel as amqp.ConfirmChannel).publish(exchange, key, Buffer.from('{}'), {}, (err) =>
        err ? reject(err) : resolve(),
      );
    });

  describe('what each service does', () => {
    it('When the listener declares its topology and consumes, then RabbitMQ allows it', async () => {
      const c = await channelAs('listener');
      await c.assertExchange(LOGS_EXCHANGE, 'topic', { durable: true });
      await c.assertExchange(DEAD_LETTER_EXCHANGE, 'fanout', { durable: true });
      await c.assertQueue(DEAD_LETTER_QUEUE, { durable: true });
      await c.bindQueue(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, '');
      await c.assertQueue(LISTENER_QUEUE, {
        durable: true,
        arguments: { 'x-queue-type': 'quorum', 'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE },
      });
      await c.bindQueue(LISTENER_QUEUE, LOGS_EXCHANGE, 'log.ERROR');
      const { consumerTag } = await c.consume(LISTENER_QUEUE, () => undefined);
      await c.cancel(consumerTag);
    });

    it.each(['broker', 'auth'] as const)(
      'When %s declares logs_topic and publishes an event, then RabbitMQ confirms it',
      async (service) => {
        const c = await channelAs(service);
        await c.assertExchange(LOGS_EXCHANGE, 'topic', { durable: true });
        await publishConfirmed(c, LOGS_EXCHANGE, 'log.INFO');
      },
    );

    it('When auth announces a revocation and the broker follows it on its own queue, then RabbitMQ allows both', async () => {
      const auth = await channelAs('auth');
      await auth.assertExchange('auth.revocations', 'fanout', { durable: true });
      const broker = await channelAs('broker');
      await broker.assertExchange('auth.revocations', 'fanout', { durable: true });
      const queue = 'auth.revocations.kit-test';
      await broker.assertQueue(queue, { exclusive: true, autoDelete: true });
      await broker.bindQueue(queue, 'auth.revocations', '');
      await publishConfirmed(auth, 'auth.revocations', '');
      const { consumerTag } = await broker.consume(queue, () => undefined);
      await broker.cancel(consumerTag);
    });

    it('When the broker reads the dead-letter queue (the dead-letter admin), then RabbitMQ allows it', async () => {
      const c = await channelAs('broker');
      await expect(c.get(DEAD_LETTER_QUEUE)).resolves.toBe(false);
    });

    it('When mail declares its exchange, outbox and a retry queue and uses them, then RabbitMQ allows it', async () => {
      const c = await channelAs('mail');
      await c.assertExchange('mail', 'direct', { durable: true });
      await c.assertQueue('mail.outbox', { durable: true });
      await c.bindQueue('mail.outbox', 'mail', 'outbox');
      await c.assertQueue('mail.retry.1000ms', {
        durable: true,
        arguments: {
          'x-message-ttl': 1000,
          'x-dead-letter-exchange': 'mail',
          'x-dead-letter-routing-key': 'outbox',
        },
      });
      await c.bindQueue('mail.retry.1000ms', 'mail', 'retry.1000ms');
      await publishConfirmed(c, 'mail', 'outbox');
      const { consumerTag } = await c.consume('mail.outbox', () => undefined);
      await c.cancel(consumerTag);
    });
  });

  describe('what belongs to another service', () => {
    it("When the broker's user consumes the listener's queue, then RabbitMQ refuses (403)", async () => {
      const c = await channelAs('broker');
      expect(await refusal(c, (ch) => ch.consume(LISTENER_QUEUE, () => undefined))).toBe(403);
    });

    it("When the listener's user publishes to logs_topic, then RabbitMQ refuses (403)", async () => {
      const c = await channelAs('listener');
      expect(await refusal(c, (ch) => publishConfirmed(ch, LOGS_EXCHANGE, 'log.ERROR'))).toBe(403);
    });

    it("When auth's user declares a queue, then RabbitMQ refuses (403)", async () => {
      const c = await channelAs('auth');
      expect(await refusal(c, (ch) => ch.assertQueue('auth.sneaky'))).toBe(403);
    });

    it("When mail's user binds to logs_topic or reads the dead letters, then RabbitMQ refuses (403)", async () => {
      const bind = await channelAs('mail');
      expect(await refusal(bind, (ch) => ch.bindQueue('mail.outbox', LOGS_EXCHANGE, '#'))).toBe(
        403,
      );
      const read = await channelAs('mail');
      expect(await refusal(read, (ch) => ch.get(DEAD_LETTER_QUEUE))).toBe(403);
    });

    it("When a service's user opens the management API, then it is refused (no tags)", async () => {
      const { user, password } = admin.users.broker;
      const res = await fetch(`${vhost.managementUrl}/overview`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
        },
      });
      expect(res.status).toBe(401);
    });
  });
});
