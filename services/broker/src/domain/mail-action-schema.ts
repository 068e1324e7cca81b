import { senderRefusal, type SenderPolicy } from '@micromesh/kit';
import { z } from 'zod';
import { mailPayloadSchema } from './action-schemas';

/**
 * The `mail` action's body with the sender checked at the edge: a `from` that is not the
 * configured sender (or on the allowlist) is a 400 naming `mail.from`, before mail is called.
 */
export function mailActionSchema(senders: SenderPolicy) {
  return z.object({
    mail: mailPayloadSchema.superRefine((mail, ctx) => {
      if (senders.resolve(mail.from) === undefined) {
        ctx.addIssue({ code: 'custom', path: ['from'], message: senderRefusal(senders) });
      }
    }),
  });
}

export type MailActionSchema = ReturnType<typeof mailActionSchema>;
