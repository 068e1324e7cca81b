import type { EventPublisher } from '@micromesh/kit';
import type { RetryScheduler } from '../../domain/ports';
import { delayRoutingKey, MAIL_EXCHANGE, OUTBOX_ROUTING_KEY } from './mail-topology';

export interface RetryMessage {
  id: string;
}

/** Publishes `{id}` (the content stays in PostgreSQL) to the delay queue for `delayMs`. */
export function createRetryScheduler(publisher: EventPublisher): RetryScheduler {
  return {
    async schedule(id, delayMs) {
      const body: RetryMessage = { id };
      await publisher.publishRaw(
        MAIL_EXCHANGE,
        delayMs > 0 ? delayRoutingKey(delayMs) : OUTBOX_ROUTING_KEY,
        Buffer.from(JSON.stringify(body)),
        { persistent: true, contentType: 'application/json', messageId: id },
      );
    },
  };
}
