import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
} from 'jose';
import { ADMIN, startAuthHarness, tokenFor, type AuthHarness } from './support/auth-harness';

async function jwks(url: string): Promise<JSONWebKeySet> {
  const res = await request(url).get('/.well-known/jwks.json').expect(200);
  return res.body as JSONWebKeySet;
}

const verifyWith = (set: JSONWebKeySet, token: string) =>
  jwtVerify(token, createLocalJWKSet(set), { issuer: 'micromesh-auth', audience: 'micromesh' });

describe('GET /.well-known/jwks.json', () => {
  let h: AuthHarness;

  beforeAll(async () => {
    h = await startAuthHarness('auth_jwks');
  });
  afterAll(() => h.close());

  it('When fetched, then it lists public Ed25519 keys only, with a kid and cache headers', async () => {
    const res = await request(h.url).get('/.well-known/jwks.json');

    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.body.keys).toEqual([
      {
        kty: 'OKP',
        crv: 'Ed25519',
        x: expect.any(String),
        kid: expect.any(String),
        alg: 'EdDSA',
        use: 'sig',
      },
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(/"d"/);
  });

  it('When a newer key is added and auth restarts, then the new key signs and tokens of the old one still verify', async () => {
    const oldToken = await tokenFor(h.url, ADMIN);
    const oldKid = decodeProtectedHeader(oldToken).kid;
    await h.keys.add('2026-02-01');

    await h.restart();
    const newToken = await tokenFor(h.url, ADMIN);
    const set = await jwks(h.url);

    const newKid = decodeProtectedHeader(newToken).kid;
    expect(newKid).not.toBe(oldKid);
    expect(set.keys.map((k) => k.kid)).toEqual([newKid, oldKid]);
    await expect(verifyWith(set, oldToken)).resolves.toBeDefined();
    await expect(verifyWith(set, newToken)).resolves.toBeDefined();
    const withOld = await request(h.url)
      .get('/api/users')
      .set('authorization', `Bearer ${oldToken}`);
    expect(withOld.status).toBe(200);
  });

  it('When a token is expired, has another audience or a foreign signature, then the API answers 401', async () => {
    const pem = await readFile(path.join(h.keys.dir, '2026-01-01.pem'), 'utf8');
    const key = createPrivateKey(pem);
    const kid = (await jwks(h.url)).keys.at(-1)!.kid!;
    const admin = (await request(h.url).post('/authenticate').send(ADMIN)).body.data.user;
    const sign = (claims: { aud?: string; exp?: number }, signingKey = key) =>
      new SignJWT({ role: 'admin', email: ADMIN.email, scope: 'users:admin', ver: 1 })
        .setProtectedHeader({ alg: 'EdDSA', kid })
        .setIssuer('micromesh-auth')
        .setAudience(claims.aud ?? 'micromesh')
        .setSubject(admin.id)
        .setIssuedAt(Math.floor(Date.now() / 1000) - 1_000)
        .setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 600)
        .setJti('test')
        .sign(signingKey);
    const foreign = generateKeyPairSync('ed25519').privateKey;

    const tokens = {
      expired: await sign({ exp: Math.floor(Date.now() / 1000) - 10 }),
      otherAudience: await sign({ aud: 'someone-else' }),
      foreign: await sign({}, foreign),
      garbage: 'not.a.jwt',
    };

    for (const token of Object.values(tokens)) {
      const res = await request(h.url).get('/api/users').set('authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: true, message: 'invalid or expired token' });
    }
    const valid = await sign({});
    expect(
      (await request(h.url).get('/api/users').set('authorization', `Bearer ${valid}`)).status,
    ).toBe(200);
  });
});
