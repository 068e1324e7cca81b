import request from 'supertest';
import {
  ADMIN,
  createUser,
  startAuthHarness,
  tokenFor,
  type AuthHarness,
} from './support/auth-harness';
import { aUser } from './support/factories';

const INJECTION = "Robert'); DROP TABLE users;--";
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

describe('/api/users', () => {
  let h: AuthHarness;
  let adminToken: string;
  let adminId: string;

  beforeAll(async () => {
    h = await startAuthHarness('auth_users');
    const res = await request(h.url).post('/authenticate').send(ADMIN);
    adminToken = res.body.data.token.access_token;
    adminId = res.body.data.user.id;
  });
  afterAll(() => h.close());

  const as = (token: string) => ({
    get: (path: string) => request(h.url).get(path).set('authorization', `Bearer ${token}`),
    post: (path: string, body: unknown) =>
      request(h.url)
        .post(path)
        .set('authorization', `Bearer ${token}`)
        .send(body as object),
    patch: (path: string, body: unknown) =>
      request(h.url)
        .patch(path)
        .set('authorization', `Bearer ${token}`)
        .send(body as object),
    delete: (path: string) => request(h.url).delete(path).set('authorization', `Bearer ${token}`),
  });
  const storedUser = async (id: string) =>
    (await h.pool.query('SELECT * FROM users WHERE id = $1', [id])).rows[0];

  describe('POST /api/users', () => {
    it('When an admin creates a user, then 201 with the public user and a bcrypt hash stored', async () => {
      const body = aUser({ role: 'user' });

      const res = await as(adminToken).post('/api/users', body);

      expect(res.status).toBe(201);
      expect(res.body.data.user).toMatchObject({ email: body.email, role: 'user', active: true });
      expect(res.body.data.user).not.toHaveProperty('password_hash');
      const row = await storedUser(res.body.data.user.id);
      expect(row.password_hash).toMatch(/^\$2b\$04\$/);
      expect(row.password_hash).not.toContain(body.password);
    });

    it('When names hold SQL-injection strings, then they are stored literally and the table survives', async () => {
      const body = aUser({ first_name: INJECTION, last_name: "' OR 1=1 --" });

      const res = await as(adminToken).post('/api/users', body);

      expect(res.status).toBe(201);
      const row = await storedUser(res.body.data.user.id);
      expect(row).toMatchObject({ first_name: INJECTION, last_name: "' OR 1=1 --" });
      expect(
        (await h.pool.query('SELECT count(*)::int AS n FROM users')).rows[0].n,
      ).toBeGreaterThan(1);
    });

    it('When the email is taken in another case, then 409', async () => {
      const body = aUser();
      await as(adminToken).post('/api/users', body).expect(201);

      const res = await as(adminToken).post('/api/users', {
        ...body,
        email: body.email.toUpperCase(),
      });

      expect(res.status).toBe(409);
      expect(res.body).toEqual({ error: true, message: 'email is already taken' });
    });

    it.each([
      ['an object as email', { email: { $ne: null } }, 'email'],
      ['a malformed email', { email: 'not-an-email' }, 'email'],
      ['a short password', { password: 'short' }, 'password'],
      ['a password over 72 bytes', { password: 'x'.repeat(73) }, 'password'],
      ['a NUL in a name', { first_name: 'A\u0000B' }, 'first_name'],
      ['an unknown role', { role: 'root' }, 'role'],
      ['a string as active', { active: 'yes' }, 'active'],
      ['an unknown field', { roles: ['admin'] }, '(body)'],
    ])(
      'When the body has %s, then 400 naming the field and nothing is stored',
      async (_n, patch, field) => {
        const body = aUser(patch);

        const res = await as(adminToken).post('/api/users', body);

        expect(res.status).toBe(400);
        expect(res.body.details.map((d: { path: string }) => d.path)).toContain(field);
        const { rows } = await h.pool.query('SELECT 1 FROM users WHERE email = $1', [
          String(body.email),
        ]);
        expect(rows).toHaveLength(0);
      },
    );

    it('When a non-admin creates a user, then 403', async () => {
      const body = aUser();
      await createUser(h.url, adminToken, body);
      const userToken = await tokenFor(h.url, body);

      const res = await as(userToken).post('/api/users', aUser());

      expect(res.status).toBe(403);
    });

    it('When there is no token, then 401 with WWW-Authenticate', async () => {
      const res = await request(h.url).post('/api/users').send(aUser());

      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    });
  });

  describe('GET /api/users', () => {
    it('When an admin lists with limit and offset, then one page and the total', async () => {
      for (let i = 0; i < 3; i++) await createUser(h.url, adminToken, aUser());
      const total = (await h.pool.query('SELECT count(*)::int AS n FROM users')).rows[0].n;

      const first = await as(adminToken).get('/api/users?limit=2&offset=0');
      const second = await as(adminToken).get('/api/users?limit=2&offset=2');

      expect(first.status).toBe(200);
      expect(first.body.data).toMatchObject({ total, limit: 2, offset: 0 });
      expect(first.body.data.users).toHaveLength(2);
      expect(first.body.data.users[0].id).toBe(adminId);
      const ids = [...first.body.data.users, ...second.body.data.users].map(
        (u: { id: string }) => u.id,
      );
      expect(new Set(ids).size).toBe(ids.length);
    });

    it.each([['limit=0'], ['limit=101'], ['offset=-1'], ['limit=abc']])(
      'When the query has %s, then 400',
      async (query) => {
        const res = await as(adminToken).get(`/api/users?${query}`);

        expect(res.status).toBe(400);
        expect(res.body.details).toBeDefined();
      },
    );
  });

  describe('GET /api/users/:id', () => {
    it('When the id exists, then 200 with the user', async () => {
      const created = await createUser(h.url, adminToken, aUser());

      const res = await as(adminToken).get(`/api/users/${created.id}`);

      expect(res.status).toBe(200);
      expect(res.body.data.user.id).toBe(created.id);
    });

    it('When the id is unknown, then 404; when it is not a UUID, then 400', async () => {
      expect((await as(adminToken).get(`/api/users/${MISSING_ID}`)).status).toBe(404);
      expect((await as(adminToken).get("/api/users/1' OR '1'='1")).status).toBe(400);
    });

    it('When a user reads itself, then 200; another user, then 403', async () => {
      const body = aUser();
      const me = await createUser(h.url, adminToken, body);
      const token = await tokenFor(h.url, body);

      expect((await as(token).get(`/api/users/${me.id}`)).status).toBe(200);
      expect((await as(token).get(`/api/users/${adminId}`)).status).toBe(403);
    });
  });

  describe('PATCH /api/users/:id', () => {
    it('When an admin changes names, role and password, then they are stored and the new password works', async () => {
      const body = aUser();
      const user = await createUser(h.url, adminToken, body);

      const res = await as(adminToken).patch(`/api/users/${user.id}`, {
        first_name: 'Grace',
        role: 'admin',
        password: 'a brand new password',
      });

      expect(res.status).toBe(200);
      expect(res.body.data.user).toMatchObject({ first_name: 'Grace', role: 'admin' });
      expect((await storedUser(user.id)).role).toBe('admin');
      const login = await request(h.url)
        .post('/authenticate')
        .send({ email: body.email, password: 'a brand new password' });
      expect(login.status).toBe(202);
    });

    it('When a user tries to raise its own role, then 403 and the role is unchanged', async () => {
      const body = aUser();
      const me = await createUser(h.url, adminToken, body);
      const token = await tokenFor(h.url, body);

      const res = await as(token).patch(`/api/users/${me.id}`, { role: 'admin' });

      expect(res.status).toBe(403);
      expect((await storedUser(me.id)).role).toBe('user');
    });

    it('When a user edits its own name, then 200', async () => {
      const body = aUser();
      const me = await createUser(h.url, adminToken, body);
      const token = await tokenFor(h.url, body);

      const res = await as(token).patch(`/api/users/${me.id}`, { last_name: 'Hopper' });

      expect(res.status).toBe(200);
      expect((await storedUser(me.id)).last_name).toBe('Hopper');
    });

    it('When an admin tries to deactivate itself, then 403', async () => {
      const res = await as(adminToken).patch(`/api/users/${adminId}`, { active: false });

      expect(res.status).toBe(403);
      expect((await storedUser(adminId)).active).toBe(true);
    });

    it('When the body is empty, has an object as name or a taken email, then 400/400/409', async () => {
      const a = await createUser(h.url, adminToken, aUser());
      const b = await createUser(h.url, adminToken, aUser());

      expect((await as(adminToken).patch(`/api/users/${a.id}`, {})).status).toBe(400);
      expect(
        (await as(adminToken).patch(`/api/users/${a.id}`, { first_name: { x: 1 } })).status,
      ).toBe(400);
      expect((await as(adminToken).patch(`/api/users/${a.id}`, { email: b.email })).status).toBe(
        409,
      );
    });

    it('When the id is unknown, then 404', async () => {
      const res = await as(adminToken).patch(`/api/users/${MISSING_ID}`, { first_name: 'X' });

      expect(res.status).toBe(404);
    });
  });

  describe('DELETE /api/users/:id', () => {
    it('When an admin deletes a user, then 200, the row and its API keys are gone', async () => {
      const body = aUser();
      const user = await createUser(h.url, adminToken, body);
      const userToken = await tokenFor(h.url, body);
      await as(userToken).post('/api/keys', { name: 'ci' }).expect(201);

      const res = await as(adminToken).delete(`/api/users/${user.id}`);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ error: false, message: 'user deleted', data: { id: user.id } });
      expect(await storedUser(user.id)).toBeUndefined();
      const keys = await h.pool.query('SELECT 1 FROM api_keys WHERE user_id = $1', [user.id]);
      expect(keys.rows).toHaveLength(0);
      expect((await as(userToken).get(`/api/users/${user.id}`)).status).toBe(401);
    });

    it('When the id is unknown, then 404; when it is the admin itself, then 403', async () => {
      expect((await as(adminToken).delete(`/api/users/${MISSING_ID}`)).status).toBe(404);
      expect((await as(adminToken).delete(`/api/users/${adminId}`)).status).toBe(403);
    });
  });
});
