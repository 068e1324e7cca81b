import { randomUUID } from 'node:crypto';
import { DEAD_LETTER_HEADERS } from '@micromesh/contracts';
import {
  AmqpConnection,
  DEAD_LETTER_EXCHANGE,
  EventPublisher,
  LOGS_EXCHANGE,
} from '@micromesh/kit';
import { captureLogs } from '@micromesh/kit/testing';

export interface PutEvents {
  /** Published to logs_topic: the listener dead-letters it (its data holds a NUL character). */
  poisonId: string;
  /** Put straight into the dead-letter queue, as if the logger had failed it: valid, replayable. */
  replayableId: string;
}

function eventBody(eventId: string, data: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      event_id: eventId,
      name: 'dead-letter-e2e',
      data,
      level: 'ERROR',
      service: 'e2e',
      timestamp: new Date().toISOString(),
    }),
  );
}

/**
 * Over AMQP, past the broker (which refuses such input at the edge): one poison event onto
 * logs_topic for the real listener to dead-letter, and one valid event into the dead-letter queue
 * carrying the listener's headers, to be replayed. `word` goes into the valid event's data.
 */
export async function putDeadLetters(amqpUrl: string, word: string): Promise<PutEvents> {
  const { logger } = captureLogs('e2e-dead-letters', 'silent');
  const connection = new AmqpConnection({ url: amqpUrl, logger, name: 'e2e-dead-letters' });
  const publisher = new EventPublisher({ connection });
  connection.start();
  try {
    await connection.waitUntilConnected(15_000);
    const poisonId = randomUUID();
    const replayableId = randomUUID();
    const json = { persistent: true, contentType: 'application/json' };
    await publisher.publishRaw(LOGS_EXCHANGE, 'log.ERROR', eventBody(poisonId, 'a\u0000b'), {
      ...json,
      messageId: poisonId,
    });
    await publisher.publishRaw(
      DEAD_LETTER_EXCHANGE,
      'log.ERROR',
      eventBody(replayableId, `${word} failed once, fine now`),
      {
        ...json,
        messageId: replayableId,
        headers: {
          [DEAD_LETTER_HEADERS.reason]: 'retries_exhausted',
          [DEAD_LETTER_HEADERS.detail]: 'logger: INTERNAL: the store was misbehaving',
          [DEAD_LETTER_HEADERS.at]: new Date().toISOString(),
          [DEAD_LETTER_HEADERS.attempts]: 5,
        },
      },
    );
    return { poisonId, replayableId };
  } finally {
    await publisher.close();
    await connection.close();
  }
}
