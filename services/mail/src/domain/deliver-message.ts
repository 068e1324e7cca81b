import type { Logger } from '@micromesh/kit';
import { keepLease } from './delivery-lease';
import type { StoredMessage } from './message';
import {
  DeliveryError,
  type Mailer,
  type MessageStore,
  type RetryScheduler,
  type SmtpGate,
} from './ports';
import { nextDelay, type RetryPolicy } from './retry-policy';
import { renderMessage } from './templates/message-template';

export interface DeliveryDeps {
  store: MessageStore;
  mailer: Mailer;
  scheduler: RetryScheduler;
  policy: RetryPolicy;
  senderName: string;
  /** Length of an attempt's lease; renewed every third of it while the attempt runs. */
  leaseMs: number;
  logger: Logger;
  /** Told when SMTP cannot be reached, so further deliveries wait for it. */
  gate?: SmtpGate;
  /** Counts attempt outcomes (sent, retry, failed). */
  onOutcome?: (outcome: DeliveryOutcome) => void;
}

export type DeliveryOutcome = 'sent' | 'queued' | 'failed';

function composeMail(message: StoredMessage, senderName: string) {
  const { from, to, subject, message: body } = message.content;
  const rendered = renderMessage({ subject, message: body, senderName });
  const domain = from.slice(from.lastIndexOf('@') + 1);
  return {
    // The same on every attempt, so a receiving system can recognise a repeat.
    messageId: `<${message.id}@${domain}>`,
    from,
    to,
    subject,
    text: rendered.text,
    html: rendered.html,
  };
}

/**
 * One delivery attempt of a message its caller has claimed under lease `token`. The lease is
 * renewed while SMTP works; the outcome is recorded in PostgreSQL (fenced by the token) before
 * anything else happens, so a crash after this returns never resends.
 */
export async function deliverMessage(
  deps: DeliveryDeps,
  message: StoredMessage,
  token: string,
): Promise<DeliveryOutcome> {
  const lease = keepLease(
    () => deps.store.renewLease(message.id, token, deps.leaseMs),
    deps.leaseMs,
    deps.logger,
    message.id,
  );
  let failure: DeliveryError | undefined;
  try {
    await deps.mailer.send(composeMail(message, deps.senderName));
  } catch (err) {
    failure =
      err instanceof DeliveryError
        ? err
        : new DeliveryError(false, 'delivery failed unexpectedly', { cause: err });
  } finally {
    lease.stop();
  }
  const outcome = failure
    ? await recordFailure(deps, message, token, failure)
    : await recordSent(deps, message, token);
  deps.onOutcome?.(outcome);
  return outcome;
}

async function recordSent(
  deps: DeliveryDeps,
  message: StoredMessage,
  token: string,
): Promise<DeliveryOutcome> {
  const recorded = await deps.store.markSent(message.id, token);
  if (!recorded) {
    // Only possible when renewals failed for a whole lease (PostgreSQL away) and another
    // worker took the message over: the one case where a mail can leave twice.
    deps.logger.error({ messageId: message.id }, 'mail sent after its lease was lost');
  }
  deps.logger.info({ messageId: message.id, attempts: message.attempts + 1 }, 'mail sent');
  return 'sent';
}

async function recordFailure(
  deps: DeliveryDeps,
  message: StoredMessage,
  token: string,
  failure: DeliveryError,
): Promise<DeliveryOutcome> {
  const { store, logger } = deps;
  if (failure.serverDown) deps.gate?.reportDown();
  const attempts = message.attempts + 1;
  const delayMs = failure.permanent ? undefined : nextDelay(deps.policy, attempts);
  if (delayMs === undefined) {
    const reason = failure.permanent
      ? failure.publicMessage
      : `${failure.publicMessage}; gave up after ${attempts} attempts`;
    await store.markFailed(message.id, token, reason);
    logger.warn({ err: failure, messageId: message.id, attempts }, 'mail failed permanently');
    return 'failed';
  }
  const recorded = await store.markQueued(message.id, token, failure.publicMessage, delayMs);
  logger.info(
    { err: failure, messageId: message.id, attempts, delayMs },
    'mail queued for a retry',
  );
  if (recorded !== undefined) await scheduleRetry(deps, message.id, recorded, delayMs);
  return 'queued';
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
