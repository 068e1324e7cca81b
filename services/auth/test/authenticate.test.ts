import request from 'supertest';
import { createLocalJWKSet, jwtVerify } from 'jose';
import {
  ADMIN,
  createUser,
  startAuthHarness,
  tokenFor,
  type AuthHarness,
} from './support/auth-harness';
import { aUser, anIp } from './support/factories';

describe('POST /authenticate', () => {
  let h: AuthHarness;
  let adminToken: string;

  beforeAll(async () => {
    h = await startAuthHarness('auth_login');
    adminToken = await tokenFor(h.url, ADMIN);
  });
  afterAll(() => h.close());

  const login = (body: unknown, ip = anIp()) =>
    request(h.url)
      .post('/authenticate')
      .set('x-forwarded-for', ip)
      .send(body as object);

  it('When the credentials are right, then 202 with the user and a Bearer token the JWKS verifies', async () => {
    const body = aUser();
    const created = await createUser(h.url, adminToken, body);

    const res = await login({ email: body.email, password: body.password });

    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      error: false,
      message: `Logged in user ${body.email}`,
      data: {
        user: {
          id: created.id,
          email: body.email,
          first_name: 'Ada',
          last_name: 'Lovelace',
          active: true,
          role: 'user',
          created_at: expect.any(String),
          updated_at: expect.any(String),
        },
        token: { access_token: expect.any(String), token_type: 'Bearer', expires_in: 900 },
      },
    });
    const jwks = (await request(h.url).get('/.well-known/jwks.json')).body;
    const { payload, protectedHeader } = await jwtVerify(
      res.body.data.token.access_token,
      createLocalJWKSet(jwks),
      { issuer: 'micromesh-auth', audience: 'micromesh' },
    );
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: jwks.keys[0].kid });
    expect(payload).toMatchObject({ sub: created.id, role: 'user', jti: expect.any(String) });
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  it('When the email differs only in case, then the login still succeeds', async () => {
    const body = aUser();
    await createUser(h.url, adminToken, body);

    const res = await login({ email: body.email.toUpperCase(), password: body.password });

    expect(res.status).toBe(202);
  });

  it('When the email is unknown or the password wrong or the user inactive, then the same 401', async () => {
    const active = aUser();
    await createUser(h.url, adminToken, active);
    const inactive = aUser();
    await createUser(h.url, adminToken, { ...inactive, active: false });

    const unknown = await login({ email: 'nobody@example.com', password: 'whatever-pass' });
    const wrong = await login({ email: active.email, password: 'wrong-password' });
    const disabled = await login({ email: inactive.email, password: inactive.password });

    for (const res of [unknown, wrong, disabled]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: true, message: 'invalid credentials' });
    }
    expect(unknown.headers['content-length']).toBe(wrong.headers['content-length']);
  });

  it('When the email is an SQL-injection string, then it is looked up literally and 401', async () => {
    const res = await login({ email: "' OR '1'='1' --", password: "' OR '1'='1' --" });

    expect(res.status).toBe(401);
    expect(res.body.message).toBe('invalid credentials');
    const { rows } = await h.pool.query('SELECT count(*)::int AS n FROM users');
    expect(rows[0].n).toBeGreaterThan(0);
  });

  describe('bad input', () => {
    it.each([
      ['an object as email', { email: { $gt: '' }, password: 'verysecret' }, 'email'],
      ['an array as password', { email: ADMIN.email, password: ['verysecret'] }, 'password'],
      ['a missing email', { password: 'verysecret' }, 'email'],
      ['a missing password', { email: ADMIN.email }, 'password'],
      ['a password over 72 bytes', { email: ADMIN.email, password: 'é'.repeat(37) }, 'password'],
      ['a NUL in the password', { email: ADMIN.email, password: 'very\u0000secret' }, 'password'],
      ['a NUL in the email', { email: 'admin\u0000@example.com', password: 'verysecret' }, 'email'],
    ])('When the body has %s, then 400 naming the field', async (_name, body, field) => {
      const res = await login(body);

      expect(res.status).toBe(400);
      expect(res.body.error).toBe(true);
      expect(res.body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: field })]),
      );
    });

    it('When the body is not JSON, then 415', async () => {
      const res = await request(h.url)
        .post('/authenticate')
        .set('content-type', 'text/plain')
        .send('email=admin');

      expect(res.status).toBe(415);
    });
  });

  it('When the user is deactivated after logging in, then the old token stops working on the API', async () => {
    const body = aUser();
    const user = await createUser(h.url, adminToken, body);
    const token = await tokenFor(h.url, body);
    await request(h.url)
      .patch(`/api/users/${user.id}`)
      .set('authorization', `Bearer ${adminToken}`)
      .send({ active: false })
      .expect(200);

    const res = await request(h.url)
      .get(`/api/users/${user.id}`)
      .set('authorization', `Bearer ${token}`);

    expect(res.status).toBe(401);
  });
});
