import { SCOPES } from '@micromesh/contracts';
import { z } from 'zod';
import { ROLES } from './user';

// PostgreSQL text cannot hold NUL, and a NUL in a password would be cut by bcrypt: refuse it early.
const noNul = (s: string) => !s.includes('\u0000');
const NUL_MESSAGE = 'must not contain NUL characters';

const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** A new password: 8–72 bytes of UTF-8 (bcrypt ignores everything after byte 72). */
export const newPasswordSchema = z
  .string()
  .refine(noNul, NUL_MESSAGE)
  .refine((s) => utf8Bytes(s) >= 8, 'must be at least 8 bytes')
  .refine((s) => utf8Bytes(s) <= 72, 'must be at most 72 bytes of UTF-8');

/** A password offered at login: any non-empty string bcrypt can compare. */
export const loginPasswordSchema = z
  .string()
  .min(1, 'is required')
  .refine(noNul, NUL_MESSAGE)
  .refine((s) => utf8Bytes(s) <= 72, 'must be at most 72 bytes of UTF-8');

/** An email for a new or changed account. */
export const emailSchema = z.string().trim().max(254).refine(noNul, NUL_MESSAGE).pipe(z.email());

/** The email offered at login is only looked up (parameterised), so any plain string will do. */
export const loginEmailSchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(254)
  .refine(noNul, NUL_MESSAGE);

export const nameSchema = z.string().trim().max(100).refine(noNul, NUL_MESSAGE);
export const roleSchema = z.enum(ROLES);
export const idSchema = z.guid('must be a UUID');

export const loginSchema = z.object({ email: loginEmailSchema, password: loginPasswordSchema });

export const pageSchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const createUserSchema = z.strictObject({
  email: emailSchema,
  password: newPasswordSchema,
  first_name: nameSchema.default(''),
  last_name: nameSchema.default(''),
  role: roleSchema.default('user'),
  active: z.boolean().default(true),
});

export const updateUserSchema = z
  .strictObject({
    email: emailSchema.optional(),
    password: newPasswordSchema.optional(),
    /** Required when users change their own password. */
    current_password: loginPasswordSchema.optional(),
    first_name: nameSchema.optional(),
    last_name: nameSchema.optional(),
    role: roleSchema.optional(),
    active: z.boolean().optional(),
  })
  .refine(
    ({ current_password: _, ...o }) => Object.values(o).some((v) => v !== undefined),
    'at least one field to change',
  );

export const scopeSchema = z.enum(SCOPES);

export const createApiKeySchema = z.strictObject({
  name: nameSchema.pipe(z.string().min(1, 'is required')),
  role: roleSchema.optional(),
  /** A subset of the owner's scopes; default: all of them (or the role's, when role is given). */
  scopes: z.array(scopeSchema).min(1).max(SCOPES.length).optional(),
  expires_at: z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s))
    .refine((d) => d.getTime() > Date.now(), 'must be in the future')
    .optional(),
});

export const listApiKeysSchema = pageSchema.extend({ user_id: idSchema.optional() });

export const introspectSchema = z.strictObject({
  key: z.string().min(1, 'is required').max(256).refine(noNul, NUL_MESSAGE),
});

/** `GET /internal/revocations?after=<cursor>`: the cursor is an earlier answer's (an ISO time). */
export const revocationsQuerySchema = z.object({
  after: z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s))
    .optional(),
});
