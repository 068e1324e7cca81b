import type { Logger } from '@micromesh/kit';
import type { StoredMessage } from './message';
import { DeliveryError, type Mailer, type MessageStore, type RetryScheduler } from './ports';
import { nextDelay, type RetryPolicy } from './retry-policy';
import { renderMessage } from './templates/message-template';

export interface DeliveryDeps {
  store: MessageStore;
  mailer: Mailer;
  scheduler: RetryScheduler;
  policy: RetryPolicy;
  senderName: string;
  logger: Logger;
  /** Counts attempt outcomes (sent, retry, failed). */
  onOutcome?: (outcome: DeliveryOutcome) => void;
}

export type DeliveryOutcome = 'sent' | 'queued' | 'failed';

function composeMail(message: StoredMessage, senderName: string) {
  const { from, to, subject, message: body } = message.content;
  const rendered = renderMessage({ subject, message: body, senderName });
  const domain = from.slice(from.lastIndexOf('@') + 1);
  return {
    messageId: `<${message.id}@${domain}>`,
    from,
    to,
    subject,
    text: rendered.text,
    html: rendered.html,
  };
}

/**
 * One delivery attempt of a message its caller has claimed ("sending"). Records the outcome in
 * PostgreSQL before anything else happens, so a crash after this returns never resends.
 */
export async function deliverMessage(
  deps: DeliveryDeps,
  message: StoredMessage,
): Promise<DeliveryOutcome> {
  const outcome = await attempt(deps, message);
  deps.onOutcome?.(outcome);
  return outcome;
}

async function attempt(deps: DeliveryDeps, message: StoredMessage): Promise<DeliveryOutcome> {
  const { store, logger } = deps;
  try {
    await deps.mailer.send(composeMail(message, deps.senderName));
  } catch (err) {
    const failure =
      err instanceof DeliveryError
        ? err
        : new DeliveryError(false, 'delivery failed unexpectedly', { cause: err });
    const attempts = message.attempts + 1;
    const delayMs = failure.permanent ? undefined : nextDelay(deps.policy, attempts);
    if (delayMs === undefined) {
      const reason = failure.permanent
        ? failure.publicMessage
        : `${failure.publicMessage}; gave up after ${attempts} attempts`;
      await store.markFailed(message.id, reason);
      logger.warn({ err, messageId: message.id, attempts }, 'mail failed permanently');
      return 'failed';
    }
    const recorded = await store.markQueued(message.id, failure.publicMessage, delayMs);
    logger.info({ err, messageId: message.id, attempts, delayMs }, 'mail queued for a retry');
    if (recorded !== undefined) await scheduleRetry(deps, message.id, recorded, delayMs);
    return 'queued';
  }
  await store.markSent(message.id);
  logger.info({ messageId: message.id, attempts: message.attempts + 1 }, 'mail sent');
  return 'sent';
}

/** A failed publish is not fatal: the message is stored as queued and the sweeper retries it. */
async function scheduleRetry(deps: DeliveryDeps, id: string, attempts: number, delayMs: number) {
  try {
    await deps.scheduler.schedule(id, delayMs);
    await deps.store.markEnqueued(id, attempts);
  } catch (err) {
    deps.logger.warn(
      { err, messageId: id },
      'retry not on RabbitMQ yet; the sweeper will enqueue it',
    );
  }
}
