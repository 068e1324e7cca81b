import { createHash } from 'node:crypto';
import { AppError } from '@micromesh/kit';
import { LRUCache } from 'lru-cache';
import type { ApiKeyVerification } from '../domain/ports';
import type { Principal } from '../domain/principal';
import type { KeyIntrospection } from './auth-client';

export interface ApiKeyVerifierOptions {
  introspect: (key: string) => Promise<KeyIntrospection>;
  /**
   * How long an answer (active or not) is reused, and never past the key's expiry. A revoked key is
   * refused once the revocation list knows it (a notice, or auth's catch-up within a second).
   */
  ttlMs: number;
  maxEntries: number;
}

/**
 * API keys are opaque, so auth decides; its answers are cached briefly (keyed by the key's SHA-256,
 * so the raw key is not kept in memory), negative answers included, so a flood of bad keys does
 * not become a flood of introspection calls.
 */
export class ApiKeyVerifier implements ApiKeyVerification {
  /** Key digest → its principal, or `false` for a key auth called inactive (least recently used go first). */
  private readonly answers: LRUCache<string, Principal | false>;

  constructor(private readonly options: ApiKeyVerifierOptions) {
    this.answers = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
  }

  async verify(key: string): Promise<Principal> {
    const digest = createHash('sha256').update(key).digest('hex');
    let principal = this.answers.get(digest);
    if (principal === undefined) {
      const answer = await this.options.introspect(key);
      const expiresAt = answer.expires_at ? Date.parse(answer.expires_at) : undefined;
      principal =
        answer.active && answer.sub && answer.role
          ? {
              kind: 'api-key',
              subject: answer.sub,
              role: answer.role,
              scopes: new Set(answer.scopes ?? []),
              clientKey: `key:${answer.key_id ?? digest.slice(0, 16)}`,
              owner: `user:${answer.sub}`,
              ...(answer.key_id !== undefined ? { keyId: answer.key_id } : {}),
              ...(expiresAt !== undefined ? { expiresAt } : {}),
            }
          : false;
      // Never cached past the key's own expiry. A TTL of 0 turns the cache off (lru-cache would
      // read it as "never expires").
      const ttl = Math.min(this.options.ttlMs, (expiresAt ?? Infinity) - Date.now());
      if (ttl > 0) this.answers.set(digest, principal, { ttl });
    }
    if (!principal) throw AppError.unauthorized('invalid API key');
    return principal;
  }

  /**
   * Drops cached answers for a revoked key or for every key of a user whose rights changed, so the
   * next use asks auth again instead of waiting out the cache TTL.
   */
  forget(match: { keyId?: string; userId?: string }): void {
    const stale: string[] = [];
    for (const [digest, p] of this.answers.entries()) {
      if (
        p !== false &&
        ((match.keyId !== undefined && p.clientKey === `key:${match.keyId}`) ||
          (match.userId !== undefined && p.subject === match.userId))
      ) {
        stale.push(digest);
      }
    }
    for (const digest of stale) this.answers.delete(digest);
  }
}
