import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { jwtVerify } from 'jose';

export interface PeerUser {
  sub: string;
  role: string;
}

const MAX_CACHED = 10_000;

/**
 * What the broker's token check does, written the way a Moleculer user would: jose verifies the
 * EdDSA token (issuer, audience, exp) against the auth service's key, and the claims are cached
 * under the whole token until its expiry, so the signature is checked once per token.
 */
export class TokenCheck {
  private readonly key: KeyObject;
  private readonly cache = new Map<string, { user: PeerUser; expiresAt: number }>();

  constructor(
    keyFile: string,
    private readonly issuer: string,
    private readonly audience: string,
  ) {
    // The auth service's signing key file; its public half is what the JWKS publishes.
    this.key = createPublicKey(readFileSync(keyFile));
  }

  /** The caller's claims, or undefined when the token is not valid now. */
  async verify(token: string): Promise<PeerUser | undefined> {
    const hit = this.cache.get(token);
    if (hit && hit.expiresAt > Date.now()) return hit.user;
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['EdDSA'],
        issuer: this.issuer,
        audience: this.audience,
        requiredClaims: ['exp', 'sub'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.role !== 'string') return undefined;
      const user = { sub: payload.sub, role: payload.role };
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(token, { user, expiresAt: (payload.exp ?? 0) * 1000 });
      return user;
    } catch {
      return undefined;
    }
  }
}
