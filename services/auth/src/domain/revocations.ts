import type { Revocation, RevocationAnnouncer, RevocationLog } from './ports';

/** Written over a deleted user's revocation: no token of theirs is valid any more. */
export const ALL_VERSIONS_REVOKED = 2_147_483_647;

/** Used when no RabbitMQ is configured: the brokers learn revocations by polling. */
export const noRevocationAnnouncer: RevocationAnnouncer = { announce: () => undefined };

export interface RecentRevocations {
  window_seconds: number;
  revocations: Revocation[];
}

/**
 * The brokers' catch-up at (re)connect: every revocation young enough to concern a token that has
 * not expired yet (`windowSeconds`: the longest a token lives, plus clock skew).
 */
export function recentRevocations(
  log: RevocationLog,
  windowSeconds: number,
): Promise<RecentRevocations> {
  return log
    .revocationsSince(windowSeconds)
    .then((revocations) => ({ window_seconds: windowSeconds, revocations }));
}
