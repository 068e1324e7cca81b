import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as edSign,
  type KeyObject,
} from 'node:crypto';

// Tokens are built by hand (node:crypto only), so each forgery is exactly what its name says.
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

type JWK = { kty: string; crv: string; x: string };
type JWTPayload = Record<string, unknown>;

function publicJwk(key: KeyObject): JWK {
  const { kty, crv, x } = key.export({ format: 'jwk' });
  return { kty: kty!, crv: crv!, x: x! };
}

/** RFC 7638 thumbprint of an OKP key: how auth names its keys. */
function thumbprint(jwk: JWK): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash('sha256').update(canonical).digest('base64url');
}

export interface MeshKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The kid auth publishes for it (RFC 7638 thumbprint, as auth computes it). */
  kid: string;
}

/** The mesh's real signing key, from the PEM auth reads. */
export async function meshKey(pem: string): Promise<MeshKey> {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, kid: thumbprint(publicJwk(publicKey)) };
}

export interface Claims extends JWTPayload {
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  sub: string;
  role: 'user' | 'admin';
  scope: string;
  ver: number;
}

/** Claims exactly as auth issues them, valid for 10 minutes. */
export function claimsFor(subject: { id: string; role: 'user' | 'admin'; scope: string }): Claims {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'micromesh-auth',
    aud: 'micromesh',
    sub: subject.id,
    role: subject.role,
    scope: subject.scope,
    ver: 1,
    iat: now,
    exp: now + 600,
    jti: `attack-${Math.random()}`,
  };
}

function sign(header: Record<string, unknown>, claims: JWTPayload, key: KeyObject) {
  const input = `${b64({ alg: 'EdDSA', typ: 'JWT', ...header })}.${b64(claims)}`;
  return Promise.resolve(`${input}.${edSign(null, Buffer.from(input), key).toString('base64url')}`);
}

/**
 * The classic JWT attack set, each a token that differs from a valid one only in the way named.
 * Every one must be refused with 401; `valid` must be accepted (the control).
 */
export async function attackTokens(key: MeshKey, claims: Claims, attackerJwksUrl: string) {
  const attacker = generateKeyPairSync('ed25519');
  const attackerJwk = publicJwk(attacker.publicKey);
  const attackerKid = thumbprint(attackerJwk);
  const now = Math.floor(Date.now() / 1000);
  const valid = await sign({ kid: key.kid }, claims, key.privateKey);
  const [validHeader, validPayload] = valid.split('.') as [string, string];
  const hsInput = `${b64({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${b64(claims)}`;
  const publicPem = key.publicKey.export({ type: 'spki', format: 'pem' });
  return {
    valid,
    attacks: {
      'alg none (no signature)': `${b64({ alg: 'none', typ: 'JWT', kid: key.kid })}.${b64(claims)}.`,
      'alg None, signature kept': `${b64({ alg: 'None', typ: 'JWT', kid: key.kid })}.${validPayload}.${valid.split('.')[2]}`,
      'HS256 signed with the public key': `${hsInput}.${createHmac('sha256', publicPem).update(hsInput).digest('base64url')}`,
      'kid path traversal': await sign(
        { kid: '../../../../../../dev/null' },
        claims,
        key.privateKey,
      ),
      'kid pointing at the keys directory': await sign(
        { kid: '../../.secrets/jwt/e2e.pem' },
        claims,
        key.privateKey,
      ),
      'jku to an attacker JWKS': await sign(
        { kid: attackerKid, jku: attackerJwksUrl },
        claims,
        attacker.privateKey,
      ),
      'x5u to an attacker URL': await sign(
        { kid: attackerKid, x5u: attackerJwksUrl },
        claims,
        attacker.privateKey,
      ),
      'embedded jwk of the attacker': await sign({ jwk: attackerJwk }, claims, attacker.privateKey),
      'signed by an unknown key under the real kid': await sign(
        { kid: key.kid },
        claims,
        attacker.privateKey,
      ),
      expired: await sign(
        { kid: key.kid },
        { ...claims, iat: now - 3600, exp: now - 600 },
        key.privateKey,
      ),
      'not yet valid (nbf in the future)': await sign(
        { kid: key.kid },
        { ...claims, nbf: now + 600 },
        key.privateKey,
      ),
      'wrong issuer': await sign({ kid: key.kid }, { ...claims, iss: 'evil-auth' }, key.privateKey),
      'wrong audience': await sign(
        { kid: key.kid },
        { ...claims, aud: 'other-api' },
        key.privateKey,
      ),
      'stripped signature': `${validHeader}.${validPayload}.`,
      'payload swapped after signing (role admin)': `${validHeader}.${b64({ ...claims, role: 'admin', scope: 'logs:read users:admin' })}.${valid.split('.')[2]}`,
      'no ver claim': await sign(
        { kid: key.kid },
        Object.fromEntries(Object.entries(claims).filter(([k]) => k !== 'ver')),
        key.privateKey,
      ),
    },
  };
}
