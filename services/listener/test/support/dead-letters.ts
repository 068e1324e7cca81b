import amqp from 'amqplib';
import { DEAD_LETTER_HEADERS } from '@micromesh/contracts';
import { DEAD_LETTER_QUEUE } from '@micromesh/kit';

export interface DeadLetter {
  body: string;
  messageId?: string;
  routingKey: string;
  /** The listener's own headers (absent when RabbitMQ dead-lettered the message by itself). */
  reason?: string;
  detail?: string;
  attempts?: number;
  /** How many times RabbitMQ dead-lettered it, and why (from the x-death header). */
  deaths: { count: number; reason: string; queue: string }[];
}

/** Reads (and leaves in place) every message of the dead-letter queue. */
export async function readDeadLetters(amqpUrl: string): Promise<DeadLetter[]> {
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    const letters: DeadLetter[] = [];
    for (;;) {
      const message = await channel.get(DEAD_LETTER_QUEUE, { noAck: false });
      if (!message) break;
      const xDeath = (message.properties.headers?.['x-death'] ?? []) as {
        count: number;
        reason: string;
        queue: string;
      }[];
      const headers = message.properties.headers ?? {};
      letters.push({
        body: message.content.toString('utf8'),
        messageId: message.properties.messageId as string | undefined,
        routingKey: message.fields.routingKey,
        reason: headers[DEAD_LETTER_HEADERS.reason] as string | undefined,
        detail: headers[DEAD_LETTER_HEADERS.detail] as string | undefined,
        attempts: headers[DEAD_LETTER_HEADERS.attempts] as number | undefined,
        deaths: xDeath.map(({ count, reason, queue }) => ({ count, reason, queue })),
      });
    }
    // Closing the channel returns the unacked messages to the queue.
    await channel.close();
    return letters;
  } finally {
    await connection.close();
  }
}

/** Ready messages in a queue, over AMQP (works on brokers without the management plugin). */
export async function readyMessages(amqpUrl: string, queue: string): Promise<number> {
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    const { messageCount } = await channel.checkQueue(queue);
    return messageCount;
  } finally {
    await connection.close();
  }
}
