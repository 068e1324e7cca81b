import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createJwtKeysDir } from '@micromesh/kit/testing';
import { SignJWT, type JWTPayload } from 'jose';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The kid auth publishes for this key (looked up in its JWKS once auth runs). */
  kid: string;
}

export interface KeyDir {
  dir: string;
  key: SigningKey;
  /** Writes a further key as `<stem>.pem` (a later stem is the one auth signs with). */
  add(stem: string): Promise<SigningKey>;
  remove(): Promise<void>;
}

export function newEd25519Key(kid = 'unset'): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, kid };
}

/** A fresh keys directory for the real auth process, so tests hold the private key it signs with. */
export async function createKeyDir(): Promise<KeyDir> {
  const keys = await createJwtKeysDir();
  const add = async (stem: string): Promise<SigningKey> => ({
    ...(await keys.add(stem)),
    kid: 'unset',
  });
  return { dir: keys.dir, key: await add('2026-01-01'), add, remove: () => keys.remove() };
}

/** Finds the kid auth's JWKS gives our key, by matching the public key bytes. */
export async function kidFromJwks(authUrl: string, key: SigningKey): Promise<string> {
  const res = await fetch(`${authUrl}/.well-known/jwks.json`);
  const jwks = (await res.json()) as { keys: { kid: string; x: string }[] };
  const x = key.publicKey.export({ format: 'jwk' }).x;
  const match = jwks.keys.find((k) => k.x === x);
  if (!match) throw new Error('auth does not publish the test signing key');
  return match.kid;
}

export interface ClaimsOptions {
  issuer?: string;
  audience?: string;
  role?: 'user' | 'admin';
  sub?: string;
  /** Seconds from now; null = no exp claim at all. */
  expiresIn?: number | null;
  /** The `scope` claim; default: the role's scopes. */
  scope?: string;
  /** The `ver` claim; default 1 (a fresh user's version). */
  ver?: number;
}

const ROLE_SCOPE = {
  user: 'logs:write events:publish mail:send',
  admin:
    'logs:read logs:write events:publish mail:send traces:read users:admin keys:admin dlq:admin',
};

export const ISSUER = 'micromesh-auth';
export const AUDIENCE = 'micromesh';

function claims(options: ClaimsOptions): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = options.expiresIn === undefined ? 600 : options.expiresIn;
  return {
    iss: options.issuer ?? ISSUER,
    aud: options.audience ?? AUDIENCE,
    sub: options.sub ?? '00000000-0000-4000-8000-000000000001',
    role: options.role ?? 'user',
    scope: options.scope ?? ROLE_SCOPE[options.role ?? 'user'],
    ver: options.ver ?? 1,
    iat: now,
    jti: `test-${now}-${Math.random()}`,
    ...(expiresIn === null ? {} : { exp: now + expiresIn }),
  };
}

/** A token signed like auth signs (EdDSA, kid), with claims the test chooses. */
export function mintToken(key: SigningKey, options: ClaimsOptions = {}): Promise<string> {
  return new SignJWT(claims(options))
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: key.kid })
    .sign(key.privateKey);
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** `alg: none`: a token with no signature at all. */
export function unsignedToken(key: SigningKey, options: ClaimsOptions = {}): string {
  return `${b64({ alg: 'none', typ: 'JWT', kid: key.kid })}.${b64(claims(options))}.`;
}

/** The classic key-confusion forgery: HS256 with the server's *public* key as the HMAC secret. */
export function hs256WithPublicKey(key: SigningKey, options: ClaimsOptions = {}): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${b64(claims(options))}`;
  const secret = key.publicKey.export({ type: 'spki', format: 'pem' });
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** A valid token whose payload was swapped after signing (role raised to admin). */
export function tamperedToken(validToken: string): string {
  const [header, payload, signature] = validToken.split('.') as [string, string, string];
  const claimsOfToken = JSON.parse(Buffer.from(payload, 'base64url').toString()) as JWTPayload;
  return `${header}.${b64({ ...claimsOfToken, role: 'admin' })}.${signature}`;
}
