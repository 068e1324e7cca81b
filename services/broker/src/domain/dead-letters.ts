import { AppError } from '@micromesh/kit';

/** One message of the dead-letter queue as an admin sees it. */
export interface DeadLetter {
  /** Stable while the message sits in the queue (a digest of the message, not a position). */
  id: string;
  /** malformed | invalid | refused | retries_exhausted (the listener's), or RabbitMQ's own
   * x-death reason (delivery_limit, rejected, expired); `unknown` when neither says. */
  reason: string;
  /** The refusing party's own words, when the listener recorded them. */
  detail: string | null;
  routing_key: string;
  message_id: string | null;
  dead_lettered_at: string | null;
  attempts: number | null;
  /** The start of the body as text (at most PREVIEW_CHARS characters). */
  preview: string;
}

export interface DeadLetterPage {
  /** Messages in the dead-letter queue now (all of them, not only the listed ones). */
  count: number;
  /** The oldest `limit` dead letters, oldest first. */
  items: DeadLetter[];
}

/** The dead-letter queue, browsed without consuming; the adapter lives in adapters/. */
export interface DeadLetterQueue {
  list(limit: number): Promise<DeadLetterPage>;
  /** Republishes the message where it came from (confirmed), then removes it; false if unknown. */
  replay(id: string): Promise<boolean>;
  /** Removes the message; false if unknown. */
  discard(id: string): Promise<boolean>;
}

/** The admin's use cases over the dead-letter queue. */
export class DeadLetterAdmin {
  constructor(private readonly queue: DeadLetterQueue) {}

  list(limit: number): Promise<DeadLetterPage> {
    return this.queue.list(limit);
  }

  async replay(id: string): Promise<void> {
    if (!(await this.queue.replay(id))) throw notFound(id);
  }

  async discard(id: string): Promise<void> {
    if (!(await this.queue.discard(id))) throw notFound(id);
  }
}

function notFound(id: string): AppError {
  return AppError.notFound(`no dead letter ${id} (replayed or discarded already?)`);
}
