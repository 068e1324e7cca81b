import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';

export const PEER_EXCHANGE = 'peer_events';
export const PEER_QUEUE = 'peer_events';

/**
 * Publishes persistent messages on a confirm channel and resolves once RabbitMQ confirms each one.
 * Its own exchange and quorum queue (the type our listener's queue has), so the peer's events do
 * not feed the mesh's listener.
 */
export class PeerEventPublisher {
  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
  ) {}

  static async connect(url: string): Promise<PeerEventPublisher> {
    const connection = await amqp.connect(url);
    const channel = await connection.createConfirmChannel();
    await channel.assertExchange(PEER_EXCHANGE, 'topic', { durable: true });
    await channel.assertQueue(PEER_QUEUE, {
      durable: true,
      arguments: { 'x-queue-type': 'quorum' },
    });
    await channel.bindQueue(PEER_QUEUE, PEER_EXCHANGE, 'log.*');
    return new PeerEventPublisher(connection, channel);
  }

  publish(routingKey: string, messageId: string, body: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      this.channel.publish(
        PEER_EXCHANGE,
        routingKey,
        Buffer.from(JSON.stringify(body)),
        { persistent: true, contentType: 'application/json', messageId },
        (err: unknown) => (err ? reject(new Error('publish not confirmed')) : resolve()),
      );
    });
  }

  async close(): Promise<void> {
    await this.channel.close();
    await this.connection.close();
  }
}
