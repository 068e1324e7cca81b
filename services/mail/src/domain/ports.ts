import type { StoredMessage } from './message';
import type { MailContent } from './mail-content';

/** A message ready for the wire. */
export interface OutgoingMail {
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Thrown by a Mailer; `publicMessage` is safe to store and show to clients. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  /** The server could not be reached at all (as opposed to answering "not now" or "no"). */
  readonly serverDown: boolean;
  /**
   * The server refused us, not this message (no login, sender not allowed, our address blocked,
   * TLS failing): every mail would fail the same way until our set-up is fixed.
   */
  readonly setup: boolean;
  constructor(
    readonly permanent: boolean,
    readonly publicMessage: string,
    options?: { cause?: unknown; serverDown?: boolean; setup?: boolean },
  ) {
    super(publicMessage, options);
    this.serverDown = options?.serverDown ?? false;
    this.setup = options?.setup ?? false;
  }
}

export interface Mailer {
  /** Resolves once the SMTP server accepted the message; throws a DeliveryError otherwise. */
  send(mail: OutgoingMail): Promise<void>;
}

/** Whether the SMTP server is worth an attempt; deliveries wait while it is not. */
export interface SmtpGate {
  /** Resolves at once while the server answers; otherwise once a probe reaches it again. */
  whenOpen(signal?: AbortSignal): Promise<void>;
  /** An attempt could not reach the server: pause deliveries and probe until it answers. */
  reportDown(): void;
  /**
   * The server refused our set-up (`reason`, public): pause deliveries with a growing hold, then
   * let attempts try again, until one is delivered.
   */
  reportSetupFailure(reason: string): void;
  /** A mail was accepted by the server: the set-up works (the hold starts small again). */
  reportDelivered(): void;
  readonly isOpen: boolean;
  /** Why deliveries are paused, or undefined while they run. */
  readonly pausedBecause: string | undefined;
}

export interface RetryScheduler {
  /** Resolves once the broker holds a retry of `id` due after `delayMs`; throws if it cannot. */
  schedule(id: string, delayMs: number): Promise<void>;
}

/** A message to store, as `POST /send` accepted it. */
export interface NewMessage {
  id: string;
  /** The calling credential: the scope of its idempotency key; who may read the message. */
  principal: string;
  /** Whose quota it is charged to: the credential's owner, shared by all its credentials. */
  quotaOwner: string;
  idempotencyKey: string | null;
  /** How long the key is remembered. */
  idempotencyTtlHours: number;
  payloadHash: string;
  content: MailContent;
}

export type AcceptOutcome =
  | { kind: 'created'; message: StoredMessage }
  /** The principal's idempotency key already names this message. */
  | { kind: 'existing'; message: StoredMessage }
  /** Nothing was stored: the quota owner used up a window; it resets in `retryAfterSeconds`. */
  | { kind: 'over-quota'; period: 'minute' | 'day'; limit: number; retryAfterSeconds: number };

/** Where accepted mail is kept: within its owner's quota, or found by its principal's idempotency key. */
export interface MessageIntake {
  /**
   * `signal`: the request's interest in the answer; when it aborts before the message's turn to be
   * stored comes, nothing is stored (the caller has gone) and the call rejects.
   */
  accept(message: NewMessage, signal?: AbortSignal): Promise<AcceptOutcome>;
  /** The first publish of a new message failed: the sweeper hands it to RabbitMQ once it can. */
  markNotEnqueued(id: string): Promise<void>;
}

/**
 * Every message and its delivery state. An attempt owns a message through a lease (token +
 * expiry); every outcome write is fenced by the token and lands only while the lease is held.
 */
export interface MessageStore {
  findById(id: string): Promise<StoredMessage | undefined>;
  /** Takes a queued message for one attempt under a fresh lease; undefined when not queued. */
  claim(id: string, token: string, leaseMs: number): Promise<StoredMessage | undefined>;
  /** False when the attempt no longer owns the lease. */
  renewLease(id: string, token: string, leaseMs: number): Promise<boolean>;
  markSent(id: string, token: string): Promise<boolean>;
  markFailed(id: string, token: string, error: string): Promise<boolean>;
  /** Records a failed attempt and when to try again; returns the attempt count. */
  markQueued(
    id: string,
    token: string,
    error: string,
    delayMs: number,
  ): Promise<number | undefined>;
  /** RabbitMQ confirmed a retry message for attempt number `attempts`. */
  markEnqueued(id: string, attempts: number): Promise<void>;
  markNotEnqueued(id: string): Promise<void>;
}

/** What the outbox sweeper asks of the store. */
export interface OutboxStore {
  /** Messages whose attempt's lease ran out go back to the queue; returns their ids. */
  releaseExpiredLeases(): Promise<string[]>;
  /** Queued messages due but not on RabbitMQ, or (with `includeLost`) long overdue although they are. */
  findDue(
    lostAfterMs: number,
    limit: number,
    includeLost?: boolean,
  ): Promise<{ id: string; attempts: number }[]>;
  /** The sweeper put a due message on the outbox. */
  markSwept(id: string, attempts: number): Promise<void>;
  /** Drops quota windows that ended long ago. */
  pruneQuotaUsage(): Promise<void>;
}
