import { parseInput } from '@micromesh/kit';
import { revocationsQuerySchema } from './input-schemas';
import type { Revocation, RevocationAnnouncer, RevocationLog } from './ports';

/** Written over a deleted user's revocation: no token of theirs is valid any more. */
export const ALL_VERSIONS_REVOKED = 2_147_483_647;

/** Used when no RabbitMQ is configured: the brokers learn revocations by polling. */
export const noRevocationAnnouncer: RevocationAnnouncer = { announce: () => undefined };

export interface RecentRevocations {
  window_seconds: number;
  revocations: Revocation[];
  /** API keys revoked in the same span: a broker drops them from its cache. */
  key_ids: string[];
  /** Pass back as `?after=` to get only what is newer. */
  cursor: string;
}

/**
 * The brokers' catch-up: every revocation young enough to concern a token that has not expired yet
 * (`windowSeconds`: the longest a token lives, plus clock skew), or, with `after` (an earlier
 * answer's cursor), only what is newer — the brokers ask every second or so, so each answer stays
 * small however many revocations the window holds.
 */
export async function recentRevocations(
  log: RevocationLog,
  windowSeconds: number,
  query: unknown,
): Promise<RecentRevocations> {
  const { after } = parseInput(revocationsQuerySchema, query);
  const { revocations, key_ids, as_of } = await log.recent(windowSeconds, after);
  return { window_seconds: windowSeconds, revocations, key_ids, cursor: as_of.toISOString() };
}
