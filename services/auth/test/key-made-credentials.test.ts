import request from 'supertest';
import {
  ADMIN,
  createUser,
  startAuthHarness,
  tokenFor,
  type AuthHarness,
} from './support/auth-harness';
import { aUser } from './support/factories';

/**
 * A credential's rights must not outlive it: whatever an API key could make or hand out (another
 * key, a user, a password, a role, a reactivation) would survive the key's expiry and revocation.
 */
describe('what an API key may not make', () => {
  let h: AuthHarness;
  let adminToken: string;
  let adminKey: string;

  beforeAll(async () => {
    h = await startAuthHarness('auth_key_made');
    adminToken = await tokenFor(h.url, ADMIN);
    adminKey = await newKey(adminToken, { name: 'admin automation' });
  });
  afterAll(() => h.close());

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  async function newKey(token: string, body: object): Promise<string> {
    const res = await request(h.url).post('/api/keys').set(bearer(token)).send(body);
    expect(res.status).toBe(201);
    return res.body.data.key as string;
  }
  const keyCount = async (userId: string) =>
    (await h.pool.query('SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1', [userId]))
      .rows[0].n as number;
  const storedUser = async (id: string) =>
    (await h.pool.query('SELECT * FROM users WHERE id = $1', [id])).rows[0];

  describe('POST /api/keys', () => {
    it('When a short-lived key asks for a new key (X-API-Key or Bearer mmk_), then 400 and no key is made; the owner’s token still may', async () => {
      const body = aUser();
      const user = await createUser(h.url, adminToken, body);
      const token = await tokenFor(h.url, body);
      const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
      const parent = await newKey(token, { name: 'ci', expires_at: inAnHour });

      const viaHeader = await request(h.url)
        .post('/api/keys')
        .set('x-api-key', parent)
        .send({ name: 'child' });
      const viaBearer = await request(h.url)
        .post('/api/keys')
        .set(bearer(parent))
        .send({ name: 'child', expires_at: inAnHour });

      for (const res of [viaHeader, viaBearer]) {
        expect(res.status).toBe(400);
        expect(res.body.message).toBe('only a token session can create an API key, not an API key');
        expect(res.body.data).toBeUndefined();
      }
      expect(await keyCount(user.id)).toBe(1);
      await newKey(token, { name: 'by a session' });
      expect(await keyCount(user.id)).toBe(2);
    });
  });

  describe('/api/users with a users:admin key', () => {
    it('When the key creates a user, then 400 and no account exists', async () => {
      const body = aUser({ role: 'admin' });

      const res = await request(h.url).post('/api/users').set('x-api-key', adminKey).send(body);

      expect(res.status).toBe(400);
      expect(res.body.message).toBe('only a token session can create a user, not an API key');
      const { rows } = await h.pool.query('SELECT 1 FROM users WHERE lower(email) = lower($1)', [
        body.email,
      ]);
      expect(rows).toHaveLength(0);
    });

    it.each([
      ['a new password', { password: 'taken-over-password' }],
      ['a new role', { role: 'admin' }],
      ['a reactivation', { active: true }],
    ])('When the key gives another user %s, then 400 and nothing changes', async (_, change) => {
      const body = aUser();
      const target = await createUser(h.url, adminToken, body);
      const before = await storedUser(target.id);

      const res = await request(h.url)
        .patch(`/api/users/${target.id}`)
        .set('x-api-key', adminKey)
        .send(change);

      expect(res.status).toBe(400);
      expect(res.body.message).toContain('only a token session can');
      expect(await storedUser(target.id)).toEqual(before);
    });

    it('When the key renames or deactivates another user, then 200: taking rights away is allowed', async () => {
      const target = await createUser(h.url, adminToken, aUser());

      const renamed = await request(h.url)
        .patch(`/api/users/${target.id}`)
        .set('x-api-key', adminKey)
        .send({ first_name: 'Renamed' });
      const deactivated = await request(h.url)
        .patch(`/api/users/${target.id}`)
        .set('x-api-key', adminKey)
        .send({ active: false });

      expect(renamed.status).toBe(200);
      expect(deactivated.status).toBe(200);
      expect(await storedUser(target.id)).toMatchObject({ first_name: 'Renamed', active: false });
    });
  });
});
