import type { Logger } from '@micromesh/kit';
import type { OutboxStore, RetryScheduler } from './ports';

export interface SweepDeps {
  repository: OutboxStore;
  scheduler: RetryScheduler;
  logger: Logger;
  /** A queued message overdue by this long although marked enqueued: its queue message was lost. */
  lostAfterMs: number;
  batchSize: number;
  /**
   * False while deliveries are paused (SMTP unreachable): messages then wait in the outbox on
   * purpose, and being overdue does not mean their queue message was lost.
   */
  deliveriesRunning?: () => boolean;
}

/**
 * Hands RabbitMQ what PostgreSQL says is due but RabbitMQ does not hold: messages whose publish
 * failed (RabbitMQ was down), queue messages that were lost, attempts whose worker died (their
 * lease ran out). Returns how many messages it enqueued.
 */
export async function sweepOutbox(deps: SweepDeps): Promise<number> {
  const released = await deps.repository.releaseExpiredLeases();
  if (released.length > 0) {
    deps.logger.warn({ messageIds: released }, 'interrupted deliveries queued again');
  }
  const includeLost = deps.deliveriesRunning?.() ?? true;
  const due = await deps.repository.findDue(deps.lostAfterMs, deps.batchSize, includeLost);
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
  await deps.repository.pruneQuotaUsage();
  return enqueued;
}
