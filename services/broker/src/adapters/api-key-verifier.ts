import { createHash } from 'node:crypto';
import { AppError } from '@micromesh/kit';
import type { Principal } from '../domain/principal';
import type { KeyIntrospection } from '../downstream/auth-client';
import { BoundedCache } from './bounded-cache';

export interface ApiKeyVerifierOptions {
  introspect: (key: string) => Promise<KeyIntrospection>;
  /** How long an answer (active or not) is reused; a revoked key keeps working at most this long. */
  ttlMs: number;
  maxEntries: number;
}

/**
 * API keys are opaque, so auth decides; its answers are cached briefly (keyed by the key's SHA-256,
 * so the raw key is not kept in memory), negative answers included, so a flood of bad keys does
 * not become a flood of introspection calls.
 */
export class ApiKeyVerifier {
  private readonly answers: BoundedCache<Principal | null>;

  constructor(private readonly options: ApiKeyVerifierOptions) {
    this.answers = new BoundedCache(options.maxEntries);
  }

  async verify(key: string): Promise<Principal> {
    const digest = createHash('sha256').update(key).digest('hex');
    let principal = this.answers.get(digest);
    if (principal === undefined) {
      const answer = await this.options.introspect(key);
      principal =
        answer.active && answer.sub && answer.role
          ? {
              kind: 'api-key',
              subject: answer.sub,
              role: answer.role,
              scopes: new Set(answer.scopes ?? []),
              clientKey: `key:${answer.key_id ?? digest.slice(0, 16)}`,
            }
          : null;
      this.answers.set(digest, principal, Date.now() + this.options.ttlMs);
    }
    if (!principal) throw AppError.unauthorized('invalid API key');
    return principal;
  }

  /**
   * Drops cached answers for a revoked key or for every key of a user whose rights changed, so the
   * next use asks auth again instead of waiting out the cache TTL.
   */
  forget(match: { keyId?: string; userId?: string }): void {
    this.answers.deleteWhere(
      (p) =>
        p !== null &&
        ((match.keyId !== undefined && p.clientKey === `key:${match.keyId}`) ||
          (match.userId !== undefined && p.subject === match.userId)),
    );
  }
}
