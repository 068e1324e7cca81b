import { AppError } from '@micromesh/kit';
import { parseScopes, ROLES } from '@micromesh/contracts';
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { TokenVerification } from '../domain/ports';
import type { Principal } from '../domain/principal';

export interface TokenVerifierOptions {
  jwksUrl: URL;
  issuer: string;
  audience: string;
  /** How long fetched keys are used before a refetch. */
  cacheMaxAgeMs: number;
  /** Least time between two JWKS fetches triggered by an unknown kid (stops kid-spraying). */
  cooldownMs: number;
  timeoutMs: number;
  maxCachedTokens: number;
  /** The mesh fetch: auth's JWKS is served to the broker alone under mutual TLS. */
  fetch?: typeof fetch;
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  role: z.enum(ROLES),
  exp: z.number(),
  /** Space-separated scopes (RFC 9068); unknown words are dropped, never granted. */
  scope: z.string().max(1_000),
  /** The user's token version at login: the revocation list refuses older ones. */
  ver: z.number().int(),
});

/** Failures that mean "we could not check", not "the token is bad": answered 503, not 401. */
// (jose throws its generic JOSEError only when the JWKS response is not 200 / not JSON.)
const KEY_SOURCE_FAILURES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);

/**
 * Verifies access tokens locally against the auth service's JWKS (EdDSA only; issuer, audience and
 * exp required). A token's verified claims are cached until its own expiry, so the signature is
 * checked once per token rather than once per request; the cache key is the whole token, so a
 * tampered token never hits an entry.
 */
export class TokenVerifier implements TokenVerification {
  private readonly keys: JWTVerifyGetKey;
  /** Least recently used tokens go first when full; each entry expires with its token. */
  private readonly verified: LRUCache<string, Principal>;

  constructor(private readonly options: TokenVerifierOptions) {
    this.keys = createRemoteJWKSet(options.jwksUrl, {
      cacheMaxAge: options.cacheMaxAgeMs,
      cooldownDuration: options.cooldownMs,
      timeoutDuration: options.timeoutMs,
      ...(options.fetch ? { [customFetch]: options.fetch } : {}),
    });
    this.verified = new LRUCache({ max: options.maxCachedTokens });
  }

  async verify(token: string): Promise<Principal> {
    const cached = this.verified.get(token);
    if (cached) return cached;
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        algorithms: ['EdDSA'],
        issuer: this.options.issuer,
        audience: this.options.audience,
        requiredClaims: ['exp', 'sub', 'scope', 'ver'],
      }));
    } catch (err) {
      throw classify(err);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw AppError.unauthorized('invalid token');
    const principal: Principal = {
      kind: 'user',
      subject: claims.data.sub,
      role: claims.data.role,
      scopes: new Set(parseScopes(claims.data.scope)),
      clientKey: `user:${claims.data.sub}`,
      owner: `user:${claims.data.sub}`,
      version: claims.data.ver,
      expiresAt: claims.data.exp * 1000,
    };
    const ttl = principal.expiresAt! - Date.now();
    if (ttl > 0) this.verified.set(token, principal, { ttl });
    return principal;
  }
}

function classify(err: unknown): AppError {
  if (err instanceof errors.JWTExpired) return AppError.unauthorized('token expired');
  if (err instanceof errors.JOSEError) {
    if (KEY_SOURCE_FAILURES.has(err.code)) return AppError.unavailable('auth unavailable', err);
    return AppError.unauthorized('invalid token');
  }
  // The JWKS fetch itself failed (connection refused, bad JSON): auth is unreachable.
  return AppError.unavailable('auth unavailable', err);
}
