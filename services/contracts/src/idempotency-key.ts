import { z } from 'zod';

/**
 * `Idempotency-Key` (the IETF httpapi draft's header), as the broker takes it for `log`, `event`
 * and `mail` and passes it on to mail: 1–200 printable ASCII characters, no spaces — long enough
 * for a UUID or a hash.
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

export const idempotencyKeySchema = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/**
 * The header of a request: absent, or a valid key. Parse `{ 'Idempotency-Key': <header value> }`,
 * so a refusal's details name the header.
 */
export const idempotencyKeyHeaderSchema = z.object({
  [IDEMPOTENCY_KEY_HEADER]: idempotencyKeySchema.optional(),
});

/** The message of the 400 answered for a malformed key. */
export const INVALID_IDEMPOTENCY_KEY = 'invalid Idempotency-Key header';
