import {
  dataSchema,
  IDEMPOTENCY_KEY_HEADER,
  idempotencyKeyHeaderSchema,
  LEVELS,
  levelSchema,
  LIMITS,
  MAIL_LIMITS,
  metadataSchema,
  nameSchema,
} from '@micromesh/contracts';
import { senderPolicy } from '@micromesh/kit';
import { z } from 'zod';
import { mailActionSchema } from '../../../domain/mail-action-schema';
import { idSchema as deadLetterIdSchema, listQuerySchema } from '../dead-letter-routes';
import { payloadSchemas } from '../handle-routes';
import { documentNotes } from './json-schema';

/**
 * The mail action as the handler builds it. The sender policy only refines `from` at run time
 * (JSON Schema cannot say "the configured sender"), so any policy gives the same shape.
 */
const mailAction = mailActionSchema(senderPolicy('sender@example.invalid', []));

/**
 * The request bodies of POST /handle: the very zod objects the handler parses each action with,
 * under the `action` that selects them. A bound changed in a schema changes the document.
 */
export const requestBodies = {
  AuthAction: z.object({ action: z.literal('auth'), ...payloadSchemas.auth.shape }),
  LogAction: z.object({ action: z.literal('log'), ...payloadSchemas.log.shape }),
  EventAction: z.object({ action: z.literal('event'), ...payloadSchemas.event.shape }),
  MailAction: z.object({ action: z.literal('mail'), ...mailAction.shape }),
};

/** Headers, query strings and path parameters, as the handlers parse them. */
export const requestParameters = {
  handleHeaders: idempotencyKeyHeaderSchema,
  deadLetterList: listQuerySchema,
  deadLetterId: deadLetterIdSchema,
};

const storeSafe = 'No NUL characters (\\u0000) and no unpaired UTF-16 surrogates';

// What JSON Schema cannot read off these schemas (checks written in code), from the same
// constants the checks use; and the names of the shared ones.
documentNotes.add(levelSchema, {
  id: 'Level',
  description: `${LEVELS.join(', ')} (WARN means WARNING), in any case`,
});
documentNotes.add(metadataSchema, {
  id: 'Metadata',
  maxProperties: LIMITS.metadataKeys,
  description:
    `JSON object; keys not empty, not starting with "$", without "." and at most ` +
    `${LIMITS.metadataKeyLength} characters; nesting at most ${LIMITS.metadataDepth} levels; at ` +
    `most ${LIMITS.metadataMembers} keys and array elements in all and ${LIMITS.metadataBytes} ` +
    'bytes of JSON; strings store-safe',
});
documentNotes.add(nameSchema, { description: storeSafe });
documentNotes.add(dataSchema, { description: storeSafe });
documentNotes.add(mailAction.shape.mail.shape.from, {
  description:
    'Only the configured sender (MAIL_FROM) or one on MAIL_FROM_ALLOWLIST; anything else is 400. ' +
    'Left out: MAIL_FROM.',
});
const mail = mailAction.shape.mail.shape;
documentNotes.add(mail.to, {
  description: 'One plain address (local@domain)',
  maxLength: MAIL_LIMITS.addressLength,
});
// Not empty (nor only spaces): a refinement, so stated here.
documentNotes.add(mail.subject, { minLength: 1 });
documentNotes.add(mail.message, { minLength: 1 });
documentNotes.add(idempotencyKeyHeaderSchema.shape[IDEMPOTENCY_KEY_HEADER], {
  description:
    'log, event and mail: 1-200 printable ASCII characters without spaces, scoped to the ' +
    "caller. The same key and body answer the first request's answer (the same event_id or " +
    'mail id) and store one record; another body is 422; kept 24 h (IDEMPOTENCY_TTL_HOURS), ' +
    "then free again: the key's next request is a new one (a new event_id or mail, stored)",
});
