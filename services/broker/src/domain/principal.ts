import type { Role, Scope } from '@micromesh/contracts';

export type { Role, Scope } from '@micromesh/contracts';

/** Who is calling, as established at the edge from a verified JWT or an introspected API key. */
export interface Principal {
  kind: 'user' | 'api-key';
  subject: string;
  role: Role;
  /** What the caller may do: the token's `scope` claim, or the key's scopes as auth reports them. */
  scopes: ReadonlySet<Scope>;
  /** Rate-limit identity: `user:<sub>` or `key:<key id>`. */
  clientKey: string;
  /** A token's `ver` claim (revoked when below the user's current version); keys have none. */
  version?: number;
  /** When the credential stops being valid (epoch ms): a token's exp, or an API key's expires_at. */
  expiresAt?: number;
  /** An API key's id (revoked keys are refused even while an answer about them is cached). */
  keyId?: string;
}
