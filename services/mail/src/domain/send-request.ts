import { AppError, senderRefusal, type SenderPolicy } from '@micromesh/kit';
import { z } from 'zod';
import { plainAddress } from './address';

export const MAX_SUBJECT_LENGTH = 200;
export const MAX_MESSAGE_LENGTH = 20_000;

// Header fields: no CR/LF (header injection) and no other control characters.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const HEADER_UNSAFE = /[\u0000-\u001f\u007f]/;
// The body may have line breaks and tabs, nothing else from the control range.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const BODY_UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const subject = z
  .string()
  .max(MAX_SUBJECT_LENGTH, `must be at most ${MAX_SUBJECT_LENGTH} characters`)
  .refine((v) => !/[\r\n]/.test(v), 'must not contain line breaks')
  .refine((v) => !HEADER_UNSAFE.test(v), 'must not contain control characters')
  .refine((v) => v.trim().length > 0, 'must not be empty');

const message = z
  .string()
  .max(MAX_MESSAGE_LENGTH, `must be at most ${MAX_MESSAGE_LENGTH} characters`)
  .refine((v) => !BODY_UNSAFE.test(v), 'must not contain control characters')
  .refine((v) => v.trim().length > 0, 'must not be empty');

/** The body of `POST /send`. Unknown fields are ignored: nothing else reaches the message. */
export const sendRequestSchema = z.object({
  from: z
    .union([z.literal(''), plainAddress])
    .optional()
    .nullable(),
  to: plainAddress,
  subject,
  message,
});

export type SendRequest = z.infer<typeof sendRequestSchema>;

/** What is stored and sent: `from` resolved to the configured sender when missing. */
export interface MailContent {
  from: string;
  to: string;
  subject: string;
  message: string;
}

/** `from` resolved by the sender policy; a sender it does not allow is a 400 naming the field. */
export function resolveContent(request: SendRequest, senders: SenderPolicy): MailContent {
  const from = senders.resolve(request.from);
  if (from === undefined) {
    throw AppError.badRequest('invalid mail request', [
      { path: 'from', message: senderRefusal(senders) },
    ]);
  }
  return { from, to: request.to, subject: request.subject, message: request.message };
}
