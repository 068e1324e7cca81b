import { createHash } from 'node:crypto';
import request from 'supertest';
import {
  ADMIN,
  createUser,
  startAuthHarness,
  tokenFor,
  type AuthHarness,
} from './support/auth-harness';
import { aUser } from './support/factories';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('/api/keys and /internal/keys/introspect', () => {
  let h: AuthHarness;
  let adminToken: string;

  beforeAll(async () => {
    h = await startAuthHarness('auth_keys');
    adminToken = await tokenFor(h.url, ADMIN);
  });
  afterAll(() => h.close());

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const newUser = async (role: 'user' | 'admin' = 'user') => {
    const body = aUser({ role });
    const user = await createUser(h.url, adminToken, body);
    return { ...user, token: await tokenFor(h.url, body) };
  };
  const createKey = async (token: string, body: object = { name: 'ci' }) => {
    const res = await request(h.url).post('/api/keys').set(bearer(token)).send(body);
    expect(res.status).toBe(201);
    return res.body.data as { key: string; api_key: { id: string; prefix: string; role: string } };
  };
  const introspect = (key: unknown) =>
    request(h.url).post('/internal/keys/introspect').send({ key });

  describe('POST /api/keys', () => {
    it('When a user creates a key, then 201 shows it once with mmk_ prefix and only its SHA-256 is stored', async () => {
      const user = await newUser();

      const res = await request(h.url)
        .post('/api/keys')
        .set(bearer(user.token))
        .send({ name: 'deploy bot' });

      expect(res.status).toBe(201);
      const { key, api_key } = res.body.data;
      expect(key).toMatch(/^mmk_[A-Za-z0-9_-]{43}$/);
      expect(api_key).toMatchObject({
        name: 'deploy bot',
        role: 'user',
        user_id: user.id,
        active: true,
        prefix: key.slice(0, 12),
      });
      const { rows } = await h.pool.query('SELECT * FROM api_keys WHERE id = $1', [api_key.id]);
      expect(rows[0].key_hash).toBe(sha256(key));
      expect(JSON.stringify(rows[0])).not.toContain(key);
      const listed = await request(h.url).get('/api/keys').set(bearer(user.token));
      expect(JSON.stringify(listed.body)).not.toContain(key);
    });

    it('When a user asks for an admin key, then 403; bad bodies give 400', async () => {
      const user = await newUser();

      expect(
        (
          await request(h.url)
            .post('/api/keys')
            .set(bearer(user.token))
            .send({ name: 'x', role: 'admin' })
        ).status,
      ).toBe(403);
      for (const body of [
        {},
        { name: { a: 1 } },
        { name: 'x', expires_at: '2000-01-01T00:00:00Z' },
        { name: 'x', extra: 1 },
      ]) {
        const res = await request(h.url).post('/api/keys').set(bearer(user.token)).send(body);
        expect(res.status).toBe(400);
        expect(res.body.details.length).toBeGreaterThan(0);
      }
      expect(
        (await h.pool.query('SELECT 1 FROM api_keys WHERE user_id = $1', [user.id])).rows,
      ).toHaveLength(0);
    });

    it('When there is no credential, then 401', async () => {
      expect((await request(h.url).post('/api/keys').send({ name: 'x' })).status).toBe(401);
    });
  });

  describe('GET /api/keys', () => {
    it('When a user lists, then only its own keys; an admin sees everyone’s', async () => {
      const alice = await newUser();
      const bob = await newUser();
      const aliceKey = await createKey(alice.token);
      const bobKey = await createKey(bob.token);

      const own = await request(h.url).get('/api/keys').set(bearer(alice.token));
      const all = await request(h.url).get('/api/keys?limit=100').set(bearer(adminToken));
      const forbidden = await request(h.url)
        .get(`/api/keys?user_id=${bob.id}`)
        .set(bearer(alice.token));

      expect(own.status).toBe(200);
      expect(own.body.data.api_keys.map((k: { id: string }) => k.id)).toEqual([
        aliceKey.api_key.id,
      ]);
      const allIds = all.body.data.api_keys.map((k: { id: string }) => k.id);
      expect(allIds).toEqual(expect.arrayContaining([aliceKey.api_key.id, bobKey.api_key.id]));
      expect(forbidden.status).toBe(403);
    });

    it('When an API key is the credential, then it lists its owner’s keys', async () => {
      const user = await newUser();
      const { key, api_key } = await createKey(user.token);

      const viaHeader = await request(h.url).get('/api/keys').set('x-api-key', key);
      const viaBearer = await request(h.url).get('/api/keys').set(bearer(key));

      expect(viaHeader.status).toBe(200);
      expect(viaHeader.body.data.api_keys[0].id).toBe(api_key.id);
      expect(viaBearer.status).toBe(200);
    });
  });

  describe('DELETE /api/keys/:id', () => {
    it('When the owner revokes a key, then 200 with revoked_at and it introspects inactive', async () => {
      const user = await newUser();
      const { key, api_key } = await createKey(user.token);
      expect((await introspect(key)).body.data.active).toBe(true);

      const res = await request(h.url).delete(`/api/keys/${api_key.id}`).set(bearer(user.token));

      expect(res.status).toBe(200);
      expect(res.body.data.api_key).toMatchObject({
        id: api_key.id,
        active: false,
        revoked_at: expect.any(String),
      });
      expect((await introspect(key)).body).toEqual({
        error: false,
        message: 'key is not active',
        data: { active: false },
      });
      expect((await request(h.url).get('/api/keys').set('x-api-key', key)).status).toBe(401);
    });

    it('When someone else’s key is revoked by a user, then 404 and the key stays active; an admin may', async () => {
      const owner = await newUser();
      const other = await newUser();
      const { key, api_key } = await createKey(owner.token);

      const byOther = await request(h.url)
        .delete(`/api/keys/${api_key.id}`)
        .set(bearer(other.token));

      expect(byOther.status).toBe(404);
      expect((await introspect(key)).body.data.active).toBe(true);
      expect(
        (await request(h.url).delete(`/api/keys/${api_key.id}`).set(bearer(adminToken))).status,
      ).toBe(200);
      expect((await introspect(key)).body.data.active).toBe(false);
    });

    it('When the id is not a UUID or unknown, then 400 or 404', async () => {
      expect((await request(h.url).delete('/api/keys/abc').set(bearer(adminToken))).status).toBe(
        400,
      );
      expect(
        (
          await request(h.url)
            .delete('/api/keys/00000000-0000-4000-8000-000000000000')
            .set(bearer(adminToken))
        ).status,
      ).toBe(404);
    });
  });

  describe('POST /internal/keys/introspect', () => {
    it('When the key is active, then active with sub, role, scopes and key id, and last_used_at is recorded', async () => {
      const user = await newUser();
      const { key, api_key } = await createKey(user.token);

      const res = await introspect(key);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        error: false,
        message: 'key is active',
        data: {
          active: true,
          sub: user.id,
          role: 'user',
          scopes: ['logs:write', 'events:publish', 'mail:send'],
          email: user.email,
          key_id: api_key.id,
          name: 'ci',
          expires_at: null,
        },
      });
      const { rows } = await h.pool.query('SELECT last_used_at FROM api_keys WHERE id = $1', [
        api_key.id,
      ]);
      expect(rows[0].last_used_at).toBeInstanceOf(Date);
    });

    it('When the key has expired, then inactive', async () => {
      const user = await newUser();
      const { key, api_key } = await createKey(user.token, {
        name: 'short',
        expires_at: new Date(Date.now() + 60_000).toISOString(),
      });
      expect((await introspect(key)).body.data.active).toBe(true);
      await h.pool.query(
        "UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1",
        [api_key.id],
      );

      const res = await introspect(key);

      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ active: false });
    });

    it('When the owner is deactivated or demoted, then the key follows the owner', async () => {
      const admin = await newUser('admin');
      const { key } = await createKey(admin.token, { name: 'ops', role: 'admin' });
      expect((await introspect(key)).body.data.role).toBe('admin');

      await request(h.url)
        .patch(`/api/users/${admin.id}`)
        .set(bearer(adminToken))
        .send({ role: 'user' })
        .expect(200);
      expect((await introspect(key)).body.data.role).toBe('user');
      await request(h.url)
        .patch(`/api/users/${admin.id}`)
        .set(bearer(adminToken))
        .send({ active: false })
        .expect(200);
      expect((await introspect(key)).body.data).toEqual({ active: false });
    });

    it.each([
      ['unknown', `mmk_${'A'.repeat(43)}`],
      ['malformed', 'hello'],
      ['an SQL-injection string', "mmk_' OR '1'='1"],
    ])('When the key is %s, then 200 inactive', async (_n, key) => {
      const res = await introspect(key);

      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ active: false });
    });

    it.each([
      ['an object', { $ne: '' }],
      ['a number', 42],
      ['missing', undefined],
    ])('When the key is %s, then 400', async (_n, key) => {
      const res = await introspect(key);

      expect(res.status).toBe(400);
      expect(res.body.details[0].path).toBe('key');
    });
  });
});
