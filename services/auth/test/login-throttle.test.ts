import request from 'supertest';
import {
  ADMIN,
  createUser,
  startAuthHarness,
  tokenFor,
  type AuthHarness,
} from './support/auth-harness';
import { aUser, anIp } from './support/factories';

describe('POST /authenticate brute-force limits', () => {
  let h: AuthHarness;
  let adminToken: string;

  beforeAll(async () => {
    h = await startAuthHarness('auth_throttle', {
      AUTH_LOGIN_MAX_FAILS_PER_EMAIL_IP: '3',
      AUTH_LOGIN_MAX_FAILS_PER_IP: '6',
      AUTH_LOGIN_FAIL_WINDOW_SECONDS: '600',
    });
    adminToken = await tokenFor(h.url, ADMIN);
  });
  afterAll(() => h.close());

  const login = (body: object, ip: string) =>
    request(h.url).post('/authenticate').set('x-forwarded-for', ip).send(body);

  it('When one email fails 3 times from one IP, then the 4th attempt is 429 with Retry-After even with the right password', async () => {
    const user = aUser();
    await createUser(h.url, adminToken, user);
    const ip = anIp();
    for (let i = 0; i < 3; i++) {
      expect((await login({ email: user.email, password: 'wrong-password' }, ip)).status).toBe(401);
    }

    const res = await login({ email: user.email, password: user.password }, ip);

    expect(res.status).toBe(429);
    expect(res.body).toEqual({ error: true, message: 'too many failed logins, try again later' });
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(500);
    expect(retryAfter).toBeLessThanOrEqual(600);
  });

  it('When one email is locked for one IP, then the same email from another IP still logs in', async () => {
    const user = aUser();
    await createUser(h.url, adminToken, user);
    const attacker = anIp();
    for (let i = 0; i < 4; i++)
      await login({ email: user.email, password: 'wrong-password' }, attacker);

    const res = await login({ email: user.email, password: user.password }, anIp());

    expect(res.status).toBe(202);
  });

  it('When one IP fails across many emails, then the per-IP limit answers 429', async () => {
    const ip = anIp();
    for (let i = 0; i < 6; i++) {
      expect(
        (await login({ email: `spray${i}@example.com`, password: 'guess-1234' }, ip)).status,
      ).toBe(401);
    }

    const res = await login({ email: 'spray-next@example.com', password: 'guess-1234' }, ip);

    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('When a login succeeds, then earlier failures of that email and IP are forgiven', async () => {
    const user = aUser();
    await createUser(h.url, adminToken, user);
    const ip = anIp();
    await login({ email: user.email, password: 'wrong-password' }, ip);
    await login({ email: user.email, password: 'wrong-password' }, ip);
    expect((await login(user, ip)).status).toBe(202);

    const again = [];
    for (let i = 0; i < 2; i++)
      again.push((await login({ email: user.email, password: 'wrong-password' }, ip)).status);

    expect(again).toEqual([401, 401]);
    expect((await login(user, ip)).status).toBe(202);
  });

  it('When attempts are limited, then the counters live in PostgreSQL and the metric counts them', async () => {
    const ip = anIp();
    for (let i = 0; i < 4; i++)
      await login({ email: 'counted@example.com', password: 'nope-nope' }, ip);

    const { rows } = await h.pool.query<{ key: string; points: number }>(
      'SELECT key, points FROM login_limits WHERE key LIKE $1',
      [`%${ip}`],
    );
    const metrics = (await request(h.url).get('/metrics')).text;

    expect(rows).toEqual(
      expect.arrayContaining([{ key: `login_email_ip:counted@example.com|${ip}`, points: 4 }]),
    );
    expect(metrics).toMatch(/auth_login_attempts_total\{result="rate_limited"[^}]*\} [1-9]/);
  });
});
