import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { AmqpConnection, KeptConsumer } from '@micromesh/kit';
import { captureLogs, createTestVhost, waitFor, type TestVhost } from '@micromesh/kit/testing';

jest.setTimeout(60_000);

const QUEUE = 'kept-consumer.test';

describe('KeptConsumer', () => {
  let vhost: TestVhost;
  let publisherModel: ChannelModel;
  let publisher: Channel;
  let connection: AmqpConnection;
  let consumer: KeptConsumer;
  const received: string[] = [];
  const channels = new Set<Channel>();

  beforeAll(async () => {
    vhost = await createTestVhost('kit-kept-consumer');
    publisherModel = await amqp.connect(vhost.url);
    publisher = await publisherModel.createChannel();
    connection = new AmqpConnection({
      url: vhost.url,
      logger: captureLogs('kit-test', 'debug').logger,
      name: 'kept-consumer-test',
      reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    });
    consumer = new KeptConsumer({
      connection,
      queue: QUEUE,
      logger: connection.logger,
      // Long enough for the test to see the gap between losing the consumer and replacing it.
      reopen: { initialDelayMs: 400, maxDelayMs: 1_000 },
      async prepare(channel) {
        await channel.assertQueue(QUEUE, { durable: true });
        await channel.prefetch(10);
      },
      onMessage(channel, delivery) {
        channels.add(channel);
        const body = delivery.content.toString('utf8');
        received.push(body);
        channel.ack(delivery);
        // Acking twice is a channel error: RabbitMQ closes this channel, the connection lives on
        // (the same path as a consumer_timeout).
        if (body === 'close-my-channel') channel.ack(delivery);
      },
    });
    connection.start();
    await connection.waitUntilConnected(15_000);
  });
  afterAll(async () => {
    await consumer.close();
    await connection.close();
    await publisherModel.close();
    await vhost.drop();
  });

  const publish = (body: string) => publisher.sendToQueue(QUEUE, Buffer.from(body));

  it('When RabbitMQ closes the consumer channel while the connection lives, then a new channel consumes and later messages arrive', async () => {
    // Arrange
    await waitFor(() => consumer.consuming, { what: 'the consumer', timeoutMs: 10_000 });
    const model = connection.current;

    // Act
    publish('close-my-channel');
    await waitFor(() => received.includes('close-my-channel'), { what: 'the first message' });
    await waitFor(() => !consumer.consuming, {
      what: 'the channel closed by RabbitMQ',
      timeoutMs: 5_000,
      intervalMs: 5,
    });
    await waitFor(() => consumer.consuming, { what: 'a new consumer', timeoutMs: 15_000 });
    publish('after-the-close');

    // Assert
    await waitFor(() => received.includes('after-the-close'), {
      what: 'a message consumed on the replacement channel',
      timeoutMs: 15_000,
    });
    expect(channels.size).toBe(2);
    expect(connection.current).toBe(model); // replaced on the same connection
    await expect(consumer.healthCheck()()).resolves.toBeUndefined();
  });

  it('When the queue is deleted, then the consumer is not consuming until it declares the queue again, and then it consumes', async () => {
    // Arrange
    await waitFor(() => consumer.consuming, { what: 'the consumer', timeoutMs: 10_000 });

    // Act
    await publisher.deleteQueue(QUEUE);

    // Assert: readiness says so while it is gone (it comes back after the backoff)
    await waitFor(() => !consumer.consuming, {
      what: 'the consumer to be reported lost',
      timeoutMs: 5_000,
      intervalMs: 5,
    });
    await expect(consumer.healthCheck()()).rejects.toThrow(
      /not consuming kept-consumer\.test: consumer cancelled by RabbitMQ/,
    );
    await waitFor(() => consumer.consuming, { what: 'the consumer back', timeoutMs: 15_000 });
    publish('after-the-delete');
    await waitFor(() => received.includes('after-the-delete'), {
      what: 'a message on the re-declared queue',
      timeoutMs: 15_000,
    });
  });
});
