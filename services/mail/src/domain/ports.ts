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
  constructor(
    readonly permanent: boolean,
    readonly publicMessage: string,
    options?: { cause?: unknown },
  ) {
    super(publicMessage, options);
  }
}

export interface Mailer {
  /** Resolves once the SMTP server accepted the message; throws a DeliveryError otherwise. */
  send(mail: OutgoingMail): Promise<void>;
}

export interface RetryScheduler {
  /** Resolves once the broker holds a retry of `id` due after `delayMs`; throws if it cannot. */
  schedule(id: string, delayMs: number): Promise<void>;
}

export type MessageStore = Pick<
  MessageRepository,
  | 'accept'
  | 'findById'
  | 'claim'
  | 'renewLease'
  | 'markSent'
  | 'markFailed'
  | 'markQueued'
  | 'markEnqueued'
  | 'markNotEnqueued'
>;
