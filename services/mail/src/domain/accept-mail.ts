import { randomUUID } from 'node:crypto';
import { AppError, BatcherOverloadedError, type Logger } from '@micromesh/kit';
import { payloadHash } from './idempotency';
import type { StoredMessage } from './message';
import type { MessageIntake, RetryScheduler } from './ports';
import type { MailContent } from './mail-content';

export interface AcceptResult {
  message: StoredMessage;
  /** True when an earlier request with the same idempotency key already stored the message. */
  replayed: boolean;
}

export interface AcceptDeps {
  store: MessageIntake;
  scheduler: RetryScheduler;
  logger: Logger;
  idempotencyTtlHours: number;
  /** Told about every background hand-off to RabbitMQ, so shutdown can wait for them. */
  track?: (work: Promise<unknown>) => void;
}

export interface AcceptRequest {
  /** The calling credential: the scope of its idempotency key and of the message's ownership. */
  principal: string;
  /** Whose quota the mail is charged to (the credential's owner; the principal if none given). */
  quotaOwner: string;
  idempotencyKey: string | undefined;
  content: MailContent;
  /** Aborts when the request closes before its answer: mail not yet stored is then dropped. */
  signal?: AbortSignal;
}

/**
 * The `POST /send` story: store the message as queued (or find the one the principal's
 * idempotency key already names), within its owner's quota, and answer. SMTP is never
 * waited for: the message is handed to the outbox queue in the background, and a delivery
 * worker sends it.
 */
export async function acceptMail(deps: AcceptDeps, request: AcceptRequest): Promise<AcceptResult> {
  const hash = payloadHash(request.content);
  let outcome;
  try {
    outcome = await deps.store.accept(
      {
        id: randomUUID(),
        principal: request.principal,
        quotaOwner: request.quotaOwner,
        idempotencyKey: request.idempotencyKey ?? null,
        idempotencyTtlHours: deps.idempotencyTtlHours,
        payloadHash: hash,
        content: request.content,
      },
      request.signal,
    );
  } catch (err) {
    if (err instanceof BatcherOverloadedError) {
      throw AppError.unavailable('mail intake overloaded; nothing was sent', err);
    }
    throw AppError.unavailable('mail storage is unavailable; nothing was sent', err);
  }
  switch (outcome.kind) {
    case 'over-quota':
      throw AppError.tooManyRequests(
        outcome.retryAfterSeconds,
        `mail quota exceeded: at most ${outcome.limit} mails per ${outcome.period}`,
      );
    case 'existing':
      if (outcome.message.payloadHash !== hash) {
        throw new AppError(422, 'idempotency key reused with a different request');
      }
      return { message: outcome.message, replayed: true };
    case 'created':
      deps.track?.(handToOutbox(deps, outcome.message.id));
      return { message: outcome.message, replayed: false };
  }
}

/**
 * The row says "on RabbitMQ" from the start; a publish that fails says otherwise, so the sweeper
 * publishes it. A crash before either leaves it to the sweeper's lost-message grace period.
 */
async function handToOutbox(deps: AcceptDeps, id: string): Promise<void> {
  try {
    await deps.scheduler.schedule(id, 0);
  } catch (err) {
    deps.logger.warn(
      { err, messageId: id },
      'mail not on RabbitMQ yet; the sweeper will enqueue it',
    );
    await deps.store.markNotEnqueued(id).catch((markErr: unknown) => {
      deps.logger.warn({ err: markErr, messageId: id }, 'could not mark the mail for the sweeper');
    });
  }
}
