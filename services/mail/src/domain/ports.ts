import type { MessageRepository } from '../data-access/message-repository';

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
  constructor(
    readonly permanent: boolean,
    readonly publicMessage: string,
    options?: { cause?: unknown; serverDown?: boolean },
  ) {
    super(publicMessage, options);
    this.serverDown = options?.serverDown ?? false;
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
  readonly isOpen: boolean;
}

export interface RetryScheduler {
  /** Resolves once the broker holds a retry of `id` due after `delayMs`; throws if it cannot. */
  schedule(id: string, delayMs: number): Promise<void>;
}

export type MessageStore = Pick<
  MessageRepository,
  | 'findById'
  | 'claim'
  | 'renewLease'
  | 'markSent'
  | 'markFailed'
  | 'markQueued'
  | 'markEnqueued'
  | 'markNotEnqueued'
>;
