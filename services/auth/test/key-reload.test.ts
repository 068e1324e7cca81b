import { rm } from 'node:fs/promises';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import request from 'supertest';
import { waitFor } from '@micromesh/kit/testing';
import { ADMIN, startAuthHarness, tokenFor, type AuthHarness } from './support/auth-harness';

const kidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

describe('JWT signing keys reload without a restart', () => {
  let h: AuthHarness;

  beforeAll(async () => {
    h = await startAuthHarness('auth_key_reload', { AUTH_JWT_RELOAD_MS: '100' });
  });
  afterAll(() => h.close());

  const jwks = async () =>
    (await request(h.url).get('/.well-known/jwks.json')).body as { keys: JWK[] };

  it('When a later-named key file appears, then auth signs with it and still accepts tokens of the old key; when the old file goes, its kid leaves the JWKS', async () => {
    const before = await tokenFor(h.url, ADMIN);
    const oldKid = kidOf(before);

    await h.keys.add('2099-01-01');
    await waitFor(async () => (await jwks()).keys.length === 2, { what: 'the new key published' });
    const after = await tokenFor(h.url, ADMIN);

    expect(kidOf(after)).not.toBe(oldKid);
    expect((await jwks()).keys[0]!.kid).toBe(kidOf(after));
    const users = (token: string) =>
      request(h.url).get('/api/users').set('authorization', `Bearer ${token}`);
    expect((await users(before)).status).toBe(200);
    expect((await users(after)).status).toBe(200);
    await expect(jwtVerify(after, createLocalJWKSet(await jwks()))).resolves.toBeDefined();

    await rm(`${h.keys.dir}/2026-01-01.pem`);
    await waitFor(async () => (await jwks()).keys.length === 1, { what: 'the old key retired' });
    expect((await users(before)).status).toBe(401);
    expect((await users(after)).status).toBe(200);
  });
});
