import type { MailRequest } from '@micromesh/contracts';
import { AppError, senderRefusal, type SenderPolicy } from '@micromesh/kit';

/** What is stored and sent: `from` resolved to the configured sender when missing. */
export interface MailContent {
  from: string;
  to: string;
  subject: string;
  message: string;
}

/** `from` resolved by the sender policy; a sender it does not allow is a 400 naming the field. */
export function resolveContent(request: MailRequest, senders: SenderPolicy): MailContent {
  const from = senders.resolve(request.from);
  if (from === undefined) {
    throw AppError.badRequest('invalid mail request', [
      { path: 'from', message: senderRefusal(senders) },
    ]);
  }
  return { from, to: request.to, subject: request.subject, message: request.message };
}
