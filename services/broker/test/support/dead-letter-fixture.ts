import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { DEAD_LETTER_HEADERS, type DeadLetterReason } from '@micromesh/contracts';
import { DEAD_LETTER_EXCHANGE, DEAD_LETTER_QUEUE } from '@micromesh/kit';
import type { TestVhost } from '@micromesh/kit/testing';

export const REJECTING_QUEUE = 'broker-test.rejecting';

export interface PutDeadLetter {
  body: string;
  routingKey?: string;
  messageId?: string;
  reason: DeadLetterReason;
  detail: string;
  attempts?: number;
  headers?: Record<string, string>;
}

/**
 * The dead-letter pair as the listener declares it (fanout exchange → classic durable queue), in
 * the suite's vhost, and dead letters put into it the two ways they arrive: republished by the
 * listener with its reason headers, or dead-lettered by RabbitMQ itself (a reject, with x-death).
 */
export async function openDeadLetterFixture(vhost: TestVhost) {
  const connection: ChannelModel = await amqp.connect(vhost.url);
  const channel: Channel = await connection.createConfirmChannel();
  await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'fanout', { durable: true });
  await channel.assertQueue(DEAD_LETTER_QUEUE, { durable: true });
  await channel.bindQueue(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, '');
  const confirmed = () => (channel as amqp.ConfirmChannel).waitForConfirms();

  return {
    /** As the listener does it: the message with its reason headers, through the DLX. */
    async put(letter: PutDeadLetter): Promise<void> {
      channel.publish(
        DEAD_LETTER_EXCHANGE,
        letter.routingKey ?? 'log.INFO',
        Buffer.from(letter.body),
        {
          persistent: true,
          contentType: 'application/json',
          messageId: letter.messageId,
          headers: {
            ...letter.headers,
            [DEAD_LETTER_HEADERS.reason]: letter.reason,
            [DEAD_LETTER_HEADERS.detail]: letter.detail,
            [DEAD_LETTER_HEADERS.at]: new Date().toISOString(),
            [DEAD_LETTER_HEADERS.attempts]: letter.attempts ?? 1,
          },
        },
      );
      await confirmed();
    },
    /**
     * As RabbitMQ does it: a queue with the DLX, a message in it (through the default exchange, so
     * its routing key is the queue's name), rejected without requeue.
     */
    async putRejected(body: string): Promise<void> {
      const source = REJECTING_QUEUE;
      await channel.assertQueue(source, {
        durable: true,
        arguments: { 'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE },
      });
      channel.publish('', source, Buffer.from(body), { persistent: true });
      await confirmed();
      const message = await channel.get(source, { noAck: false });
      if (!message) throw new Error('the message to reject did not arrive');
      channel.nack(message, false, false);
      await channel.checkQueue(DEAD_LETTER_QUEUE);
    },
    async depth(): Promise<number> {
      return (await channel.checkQueue(DEAD_LETTER_QUEUE)).messageCount;
    },
    async close(): Promise<void> {
      await connection.close().catch(() => undefined);
    },
  };
}
