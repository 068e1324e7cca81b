import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  jwtVerify,
  SignJWT,
  type JWK,
} from 'jose';
import { formatScopes, parseScopes } from '@micromesh/contracts';
import type { AccessToken, TokenClaims, Tokens, TokenSubject } from '../domain/ports';

export const TOKEN_ALG = 'EdDSA';

export interface SigningKey {
  kid: string;
  /** The file it came from, for logs. */
  source: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** Parses an Ed25519 PKCS#8 PEM; kid is its RFC 7638 JWK thumbprint (stable, content-derived). */
export async function signingKeyFromPem(pem: string, source: string): Promise<SigningKey> {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${source}: expected an Ed25519 key, got ${privateKey.asymmetricKeyType}`);
  }
  const jwk = await exportJWK(createPublicKey(privateKey));
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  return { kid, source, privateKey, publicJwk: { ...jwk, kid, alg: TOKEN_ALG, use: 'sig' } };
}

/**
 * Issues and verifies access tokens. The last key signs; every key verifies and is published, so
 * a new key can take over signing while tokens signed by the old one stay valid until they expire.
 */
export class JwtTokenService implements Tokens {
  private signer!: SigningKey;
  private jwks!: { keys: JWK[] };
  private verifySet!: ReturnType<typeof createLocalJWKSet>;

  constructor(
    keys: readonly SigningKey[],
    private readonly settings: TokenSettings,
  ) {
    this.replaceKeys(keys);
  }

  /** Swaps the key set at run time (the keys directory changed); the last key signs from now on. */
  replaceKeys(keys: readonly SigningKey[]): void {
    const signer = keys.at(-1);
    if (!signer) throw new Error('at least one signing key is required');
    this.signer = signer;
    // Newest first: clients that pick the first key get the one that signs now.
    this.jwks = { keys: [...keys].reverse().map((k) => k.publicJwk) };
    this.verifySet = createLocalJWKSet(this.jwks);
  }

  /** The kids published now, newest first. */
  get kids(): string[] {
    return this.jwks.keys.map((k) => String(k.kid));
  }

  get signingKid(): string {
    return this.signer.kid;
  }

  publicJwks(): { keys: JWK[] } {
    return this.jwks;
  }

  async issue(user: TokenSubject): Promise<AccessToken> {
    const token = await new SignJWT({
      role: user.role,
      email: user.email,
      scope: formatScopes(user.scopes),
      ver: user.token_version,
    })
      .setProtectedHeader({ alg: TOKEN_ALG, kid: this.signer.kid, typ: 'JWT' })
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setSubject(user.id)
      .setIssuedAt()
      .setExpirationTime(`${this.settings.ttlSeconds}s`)
      .setJti(randomUUID())
      .sign(this.signer.privateKey);
    return { access_token: token, token_type: 'Bearer', expires_in: this.settings.ttlSeconds };
  }

  /** Verifies signature, issuer, audience and expiry; throws on anything wrong. */
  async verify(token: string): Promise<TokenClaims> {
    const { payload, protectedHeader } = await jwtVerify(token, this.verifySet, {
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      algorithms: [TOKEN_ALG],
      requiredClaims: ['sub', 'exp', 'iat', 'jti', 'ver'],
    });
    const role = payload.role;
    if (role !== 'user' && role !== 'admin') throw new Error('token has no valid role claim');
    const { ver, scope } = payload;
    if (typeof ver !== 'number' || !Number.isInteger(ver))
      throw new Error('token has no valid ver');
    if (typeof scope !== 'string') throw new Error('token has no scope claim');
    return {
      sub: String(payload.sub),
      role,
      email: typeof payload.email === 'string' ? payload.email : '',
      jti: String(payload.jti),
      kid: String(protectedHeader.kid),
      scopes: parseScopes(scope),
      version: ver,
      exp: Number(payload.exp),
    };
  }
}
