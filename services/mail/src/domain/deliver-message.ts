import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, type Logger } from '@micromesh/kit';
import { keepLease, type LeaseKeeper } from './delivery-lease';
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
 * renewed while SMTP works and until the outcome is recorded in PostgreSQL (fenced by the token);
 * a write that fails (PostgreSQL restarting, failing over, a connection cut) is retried while the
 * lease is surely ours, so a blip after SMTP said yes does not send the mail again. Outcomes are
 * recorded before anything else happens, so a crash after this returns never resends.
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
  try {
    let failure: DeliveryError | undefined;
    try {
      await deps.mailer.send(composeMail(message, deps.senderName));
    } catch (err) {
      failure =
        err instanceof DeliveryError
          ? err
          : new DeliveryError(false, 'delivery failed unexpectedly', { cause: err });
    }
    const record = <T>(write: () => Promise<T>) => writeOutcome(deps, lease, message.id, write);
    const outcome = failure
      ? await recordFailure(deps, message, token, failure, record)
      : await recordSent(deps, message, token, record);
    deps.onOutcome?.(outcome);
    return outcome;
  } finally {
    lease.stop();
  }
}

type RecordOutcome = <T>(write: () => Promise<T>) => Promise<T>;

/**
 * Runs one outcome write; while it fails and the lease is surely ours, tries again after a short
 * jittered pause (100 ms doubling to 1 s). Past that it throws: the message stays `sending`, its
 * lease runs out and the sweeper queues it again (for a `sent`, the one window where the mail
 * then leaves twice).
 */
async function writeOutcome<T>(
  deps: DeliveryDeps,
  lease: LeaseKeeper,
  messageId: string,
  write: () => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const written = await write();
      // The outcome names the lease's end: renewing it from here on would only find it gone.
      lease.stop();
      return written;
    } catch (err) {
      const pauseMs = backoffDelay(attempt, { initialDelayMs: 100, maxDelayMs: 1_000 });
      if (!lease.held || Date.now() + pauseMs >= lease.safeUntil) throw err;
      deps.logger.warn(
        { err, messageId, attempt: attempt + 1, pauseMs },
        'recording the delivery outcome failed; retrying while the lease holds',
      );
      await sleep(pauseMs);
    }
  }
}

async function recordSent(
  deps: DeliveryDeps,
  message: StoredMessage,
  token: string,
  record: RecordOutcome,
): Promise<DeliveryOutcome> {
  deps.gate?.reportDelivered();
  const recorded = await record(() => deps.store.markSent(message.id, token));
  if (!recorded) {
    // Renewals failed for a whole lease (PostgreSQL away) and another worker took the message
    // over: the mail may leave twice. (Or a retried write's first try committed after all.)
    deps.logger.error(
      { messageId: message.id },
      'mail sent, but its lease was no longer ours when it was recorded',
    );
  }
  deps.logger.info({ messageId: message.id, attempts: message.attempts + 1 }, 'mail sent');
  return 'sent';
}

async function recordFailure(
  deps: DeliveryDeps,
  message: StoredMessage,
  token: string,
  failure: DeliveryError,
  record: RecordOutcome,
): Promise<DeliveryOutcome> {
  const { store, logger } = deps;
  if (failure.serverDown) deps.gate?.reportDown();
  if (failure.setup) deps.gate?.reportSetupFailure(failure.publicMessage);
  const attempts = message.attempts + 1;
  const delayMs = failure.permanent ? undefined : retryDelay(deps.policy, attempts, failure);
  if (delayMs === undefined) {
    const reason = failure.permanent
      ? failure.publicMessage
      : `${failure.publicMessage}; gave up after ${attempts} attempts`;
    await record(() => store.markFailed(message.id, token, reason));
    logger.warn({ err: failure, messageId: message.id, attempts }, 'mail failed permanently');
    return 'failed';
  }
  const recorded = await record(() =>
    store.markQueued(message.id, token, failure.publicMessage, delayMs),
  );
  logger.info(
    { err: failure, messageId: message.id, attempts, delayMs },
    'mail queued for a retry',
  );
  if (recorded !== undefined) await scheduleRetry(deps, message.id, recorded, delayMs);
  return 'queued';
}

/**
 * A refusal of our set-up is not the message's fault: it never uses up the attempt budget (the
 * mail waits for the fix, at the schedule's last delay once past it).
 */
function retryDelay(policy: RetryPolicy, attempts: number, failure: DeliveryError) {
  if (!failure.setup) return nextDelay(policy, attempts);
  return nextDelay(policy, Math.min(attempts, policy.maxAttempts - 1)) ?? policy.delaysMs.at(-1);
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
