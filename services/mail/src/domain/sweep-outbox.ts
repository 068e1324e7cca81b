import type { Logger } from '@micromesh/kit';
import type { MessageRepository } from '../data-access/message-repository';
import type { RetryScheduler } from './ports';

export interface SweepDeps {
  repository: Pick<MessageRepository, 'releaseStale' | 'findDue' | 'markSwept'>;
  scheduler: RetryScheduler;
  logger: Logger;
  /** An attempt "sending" for longer than this was interrupted by a crash. */
  staleSendingMs: number;
  batchSize: number;
}

/**
 * Hands RabbitMQ what PostgreSQL says is due but RabbitMQ does not hold: retries whose publish
 * failed (RabbitMQ was down), queue messages that were lost, attempts cut short by a crash.
 * Returns how many messages it enqueued.
 */
export async function sweepOutbox(deps: SweepDeps): Promise<number> {
  const released = await deps.repository.releaseStale(deps.staleSendingMs);
  if (released.length > 0) {
    deps.logger.warn({ messageIds: released }, 'interrupted deliveries queued again');
  }
  const due = await deps.repository.findDue(deps.staleSendingMs, deps.batchSize);
  let enqueued = 0;
  for (const { id, attempts } of due) {
    try {
      await deps.scheduler.schedule(id, 0);
    } catch (err) {
      deps.logger.warn({ err, pending: due.length - enqueued }, 'sweep stopped: RabbitMQ refused');
      break;
    }
    await deps.repository.markSwept(id, attempts);
    enqueued++;
  }
  if (enqueued > 0) deps.logger.info({ enqueued }, 'stored messages handed to the retry queue');
  return enqueued;
}
