import type { DeadLetterReason, LogEvent } from '@micromesh/contracts';
import type { RejectReason } from './batch-forwarder';
import { decodeEvent } from './decode-event';
import type { ForwardReport, LogWriter } from './ports';

/**
 * A delivery (`M`: the queue's message, whose settling belongs to the entry point) and the valid
 * event it brought, or why it is not one. Invalid messages travel through the forwarder too, so
 * that they are settled in delivery order like the rest (a later ack of several deliveries at once
 * must never overtake their dead-lettering).
 */
export type PendingEvent<M> =
  | { message: M; event: LogEvent; invalid?: undefined }
  | { message: M; event?: undefined; invalid: { reason: 'malformed' | 'invalid'; detail: string } };

/** Why a message leaves for the dead-letter queue, as its headers say it. */
export interface DeadLetterWhy {
  reason: DeadLetterReason;
  /** The refusing party's own words. */
  detail: string;
  attempts: number;
}

/** A delivered body → the event to store, or the reason it never can be. */
export function pendingEvent<M>(message: M, body: Buffer): PendingEvent<M> {
  const decoded = decodeEvent(body);
  return decoded.ok
    ? { message, event: decoded.event }
    : { message, invalid: { reason: decoded.reason, detail: decoded.detail } };
}

/**
 * Stores the valid events of a batch in one write; the invalid ones, and the events the store
 * refused one by one, come back as refused (at their index in `items`).
 */
export async function storeValidEvents<M>(
  writer: LogWriter,
  items: readonly PendingEvent<M>[],
): Promise<ForwardReport> {
  const refused = new Map<number, unknown>();
  const events: LogEvent[] = [];
  const positions: number[] = [];
  for (const [index, item] of items.entries()) {
    if (item.event) {
      events.push(item.event);
      positions.push(index);
    } else refused.set(index, item.invalid);
  }
  if (events.length > 0) {
    const report = await writer.write(events);
    for (const [index, error] of report.refused ?? []) {
      const position = positions[index];
      if (position !== undefined) refused.set(position, error);
    }
  }
  return { refused };
}

/**
 * What a given-up item's dead letter says: an invalid message its decoding verdict (one delivery
 * was enough), a refused event the store's words (one attempt), an event that kept failing
 * oddly the attempts it had.
 */
export function deadLetterWhy<M>(
  item: PendingEvent<M>,
  error: unknown,
  reason: RejectReason,
  attempts: number,
  describe: (error: unknown) => string,
): DeadLetterWhy {
  if (item.invalid)
    return { reason: item.invalid.reason, detail: item.invalid.detail, attempts: 1 };
  return {
    reason,
    detail: describe(error),
    attempts: reason === 'refused' ? 1 : attempts,
  };
}
