import type { RevocationNotice } from '@micromesh/contracts';

export type { RevocationNotice } from '@micromesh/contracts';

/**
 * Where revocations are announced to every broker replica. Fire and forget: the change is already
 * stored, and a broker that misses a notice catches up from `GET /internal/revocations`.
 */
export interface RevocationAnnouncer {
  announce(notice: RevocationNotice): void;
}

export const noRevocationAnnouncer: RevocationAnnouncer = { announce: () => undefined };
