import request from 'supertest';
import { loadAuthConfig } from '../src/config';
import {
  ADMIN,
  createUser,
  startAuthHarness,
  tokenFor,
  type AuthHarness,
} from './support/auth-harness';
import { aUser, anIp } from './support/factories';

describe('POST /authenticate: per-account delay across addresses', () => {
  let h: AuthHarness;
  let adminToken: string;

  beforeAll(async () => {
    h = await startAuthHarness('auth_account_delay', {
      AUTH_LOGIN_ACCOUNT_FREE_FAILS: '3',
      AUTH_LOGIN_ACCOUNT_BASE_DELAY_MS: '60000',
      AUTH_LOGIN_ACCOUNT_MAX_DELAY_MS: '600000',
    });
    adminToken = await tokenFor(h.url, ADMIN);
  });
  afterAll(() => h.close());

  const login = (body: object, ip = anIp()) =>
    request(h.url).post('/authenticate').set('x-forwarded-for', ip).send(body);

  it('When guesses for one account come from a new address each time, then after the free failures the next attempt waits, with Retry-After, even with the right password', async () => {
    const user = aUser();
    await createUser(h.url, adminToken, user);
    for (let i = 0; i < 3; i++) {
      expect((await login({ email: user.email, password: `guess-${i}` })).status).toBe(401);
    }

    const res = await login(user);

    expect(res.status).toBe(429);
    expect(res.body.message).toBe('too many failed logins for this account, try again later');
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('When the delay has passed and the guess fails again, then the next wait is twice as long (growing, never a lockout)', async () => {
    const user = aUser();
    await createUser(h.url, adminToken, user);
    for (let i = 0; i < 3; i++) await login({ email: user.email, password: `guess-${i}` });
    // Let the first wait pass without sleeping: move the last failure a minute back.
    await h.pool.query(
      `UPDATE login_account_failures SET last_failure_at = now() - interval '61 seconds'
       WHERE email_key = $1`,
      [user.email.toLowerCase()],
    );
    expect((await login({ email: user.email, password: 'guess-3' })).status).toBe(401);

    const res = await login(user);

    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(110);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(120);
  });

  it('When the owner logs in after the wait, then it succeeds and the counter is cleared', async () => {
    const user = aUser();
    await createUser(h.url, adminToken, user);
    for (let i = 0; i < 3; i++) await login({ email: user.email, password: `guess-${i}` });
    await h.pool.query(
      `UPDATE login_account_failures SET last_failure_at = now() - interval '61 seconds'
       WHERE email_key = $1`,
      [user.email.toLowerCase()],
    );

    expect((await login(user)).status).toBe(202);
    const { rowCount } = await h.pool.query(
      'SELECT 1 FROM login_account_failures WHERE email_key = $1',
      [user.email.toLowerCase()],
    );
    expect(rowCount).toBe(0);
  });

  it('When the email is unknown, then its failures count the same way (the answers do not reveal which accounts exist)', async () => {
    const email = aUser().email;
    for (let i = 0; i < 3; i++) {
      expect((await login({ email, password: `guess-${i}` })).status).toBe(401);
    }

    expect((await login({ email, password: 'guess-4' })).status).toBe(429);
  });
});

describe('POST /authenticate: whose X-Forwarded-For is believed', () => {
  it('When the peer is not a trusted proxy, then its X-Forwarded-For is ignored and the per-IP budget is the peer’s own', async () => {
    // Loopback is not trusted here, so every request counts against 127.0.0.1 whatever it claims.
    const h = await startAuthHarness('auth_untrusted_xff', {
      AUTH_TRUST_PROXY: '10.0.0.1',
      AUTH_LOGIN_MAX_FAILS_PER_IP: '3',
    });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await request(h.url)
          .post('/authenticate')
          .set('x-forwarded-for', anIp())
          .send({ email: aUser().email, password: 'nope' });
        expect(res.status).toBe(401);
      }
      const res = await request(h.url)
        .post('/authenticate')
        .set('x-forwarded-for', anIp())
        .send({ email: aUser().email, password: 'nope' });
      expect(res.status).toBe(429);
    } finally {
      await h.close();
    }
  });

  it('When AUTH_TRUST_PROXY is unset, then only loopback is trusted', async () => {
    const config = loadAuthConfig({
      AUTH_DATABASE_URL: 'postgres://u:p@127.0.0.1/db',
      AUTH_JWT_KEYS_DIR: '/tmp',
    });
    expect(config.AUTH_TRUST_PROXY).toBe('loopback');
  });
});
