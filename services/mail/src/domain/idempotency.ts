import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { MailContent } from './mail-content';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** Printable ASCII, as in the IETF Idempotency-Key draft; long enough for a UUID or a hash. */
export const idempotencyKeySchema = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** Fingerprint of what was asked, so a reused key with a different payload is recognised. */
export function payloadHash(content: MailContent): string {
  const canonical = JSON.stringify([content.from, content.to, content.subject, content.message]);
  return createHash('sha256').update(canonical).digest('hex');
}
