import { z } from 'zod';
import { MAX_ADDRESS_LENGTH, plainAddress } from './mail-address';
import { textProblem } from './store-safety';

/** No unpaired UTF-16 surrogate: it has no UTF-8 form, so PostgreSQL would store U+FFFD instead. */
const storable = (v: string) => textProblem(v) === undefined;

/**
 * The size bounds of a mail request, one set for the broker's `mail` action and the mail
 * service's `POST /send`. Lengths are UTF-16 code units (what JavaScript's `length` counts).
 *
 * The subject bound is the mail service's 200, not RFC 5322's 998-character line: the subject
 * goes out as one header (nodemailer folds and encodes it), is stored as it came and is shown in
 * every inbox's list, and 200 is what the mail service has always stored and sent. The broker's
 * former 998 (and its 100 000-character message) were never reachable: mail refused anything
 * longer than 200 (and 20 000) with a 400 the broker relayed.
 */
export const MAIL_LIMITS = {
  subjectLength: 200,
  messageLength: 20_000,
  /** RFC 5321's forward-path is 256 octets with the angle brackets. */
  addressLength: MAX_ADDRESS_LENGTH,
} as const;

// Header fields: no CR/LF (header injection) and no other control characters.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const HEADER_UNSAFE = /[\u0000-\u001f\u007f]/;
// The body may have line breaks and tabs, nothing else from the control range.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const BODY_UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const subject = z
  .string()
  .max(MAIL_LIMITS.subjectLength, `must be at most ${MAIL_LIMITS.subjectLength} characters`)
  .refine((v) => !/[\r\n]/.test(v), 'must not contain line breaks')
  .refine((v) => !HEADER_UNSAFE.test(v), 'must not contain control characters')
  .refine(storable, 'must not contain unpaired UTF-16 surrogates')
  .refine((v) => v.trim().length > 0, 'must not be empty');

const message = z
  .string()
  .max(MAIL_LIMITS.messageLength, `must be at most ${MAIL_LIMITS.messageLength} characters`)
  .refine((v) => !BODY_UNSAFE.test(v), 'must not contain control characters')
  .refine(storable, 'must not contain unpaired UTF-16 surrogates')
  .refine((v) => v.trim().length > 0, 'must not be empty');

/**
 * A mail as a client asks for it: the broker's `{"mail": {...}}` and the mail service's
 * `POST /send` body, validated by this one schema object at both. `from` left out, empty or null
 * means the configured sender; which senders are allowed is each service's sender policy
 * (`senderPolicy` in @micromesh/kit), checked after this schema. Unknown fields are dropped:
 * nothing else (attachments, headers, bcc) reaches a message.
 */
export const mailRequestSchema = z.object({
  from: z
    .union([z.literal(''), plainAddress])
    .optional()
    .nullable(),
  to: plainAddress,
  subject,
  message,
});

export type MailRequest = z.infer<typeof mailRequestSchema>;
