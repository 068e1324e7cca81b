import { z } from 'zod';

/** The header the broker sets to the caller's identity (its `clientKey`, e.g. `user:<id>`). */
export const PRINCIPAL_HEADER = 'x-principal';

/** Idempotency keys stored before keys were scoped per principal live in this scope. */
export const LEGACY_SCOPE = 'legacy:';

export const principalSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
  .refine((v) => v !== LEGACY_SCOPE, 'is reserved');
