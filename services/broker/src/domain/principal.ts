import type { Role, Scope } from '@micromesh/contracts';

export type { Role, Scope } from '@micromesh/contracts';

/** Who is calling, as established at the edge from a verified JWT or an introspected API key. */
export interface Principal {
  kind: 'user' | 'api-key';
  subject: string;
  role: Role;
  /** What the caller may do: the token's `scope` claim, or the key's scopes as auth reports them. */
  scopes: ReadonlySet<Scope>;
  /**
   * The credential: `user:<sub>` (a token session) or `key:<key id>`. It scopes what belongs to
   * the credential: its Idempotency-Keys, the mail it may read, the revocation of a key.
   */
  clientKey: string;
  /**
   * Whose budgets the call spends: `user:<sub>` for a token and for every API key of that user
   * alike (rate limit, concurrent streams, mail quota), so minting keys never multiplies them.
   */
  owner: string;
  /** A token's `ver` claim (revoked when below the user's current version); keys have none. */
  version?: number;
  /** When the credential stops being valid (epoch ms): a token's exp, or an API key's expires_at. */
  expiresAt?: number;
  /** An API key's id (revoked keys are refused even while an answer about them is cached). */
  keyId?: string;
}
