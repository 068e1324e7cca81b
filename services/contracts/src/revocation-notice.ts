import { z } from 'zod';

/**
 * Auth announces every revocation on this fanout exchange; each broker replica binds its own
 * exclusive queue, so every replica hears every notice.
 */
export const REVOCATIONS_EXCHANGE = 'auth.revocations';
export const REVOCATIONS_EXCHANGE_TYPE = 'fanout';

const userRevocation = z.object({
  type: z.literal('user'),
  user_id: z.string().min(1).max(64),
  /** Tokens of the user whose `ver` claim is below this are revoked. */
  min_version: z.number().int(),
});

const keyRevocation = z.object({
  type: z.literal('key'),
  key_id: z.string().min(1).max(64),
});

export const revocationNoticeSchema = z.discriminatedUnion('type', [userRevocation, keyRevocation]);

export type UserRevocation = z.infer<typeof userRevocation>;
export type KeyRevocation = z.infer<typeof keyRevocation>;
export type RevocationNotice = z.infer<typeof revocationNoticeSchema>;
