import type { DeadLetterPage } from '@micromesh/contracts';
import { AppError } from '@micromesh/kit';

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
