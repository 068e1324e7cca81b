import { z } from 'zod';

/**
 * `X-Principal`: the calling credential (the broker's clientKey, `user:<id>` or `key:<id>`), the
 * scope of its idempotency keys and of the messages it may read. `X-Quota-Owner`: whom the mail is
 * charged to (the credential's owning user); the principal itself when absent.
 */
export { PRINCIPAL_HEADER, QUOTA_OWNER_HEADER } from '@micromesh/contracts';

/** Idempotency keys stored before keys were scoped per principal live in this scope. */
export const LEGACY_SCOPE = 'legacy:';

export const principalSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
  .refine((v) => v !== LEGACY_SCOPE, 'is reserved');
