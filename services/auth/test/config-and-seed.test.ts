import request from 'supertest';
import { availableCpus, ConfigError } from '@micromesh/kit';
import { createJwtKeysDir } from '@micromesh/kit/testing';
import { ADMIN, startAuthHarness, type AuthHarness } from './support/auth-harness';
import { authMigrations } from '../src/adapters/migrations';
import { startAuth } from '../src/app';
import { defaultHashConcurrency, loadAuthConfig } from '../src/config';

const REQUIRED = {
  AUTH_DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  AUTH_JWT_KEYS_DIR: '/tmp/keys',
};

describe('configuration', () => {
  it('When only the required variables are set, then bcrypt cost 12, 900 s tokens and the documented limits apply', () => {
    const config = loadAuthConfig(REQUIRED);

    expect(config).toMatchObject({
      PORT: 8082,
      AUTH_BCRYPT_COST: 12,
      AUTH_TOKEN_TTL_SECONDS: 900,
      AUTH_JWT_ISSUER: 'micromesh-auth',
      AUTH_JWT_AUDIENCE: 'micromesh',
      AUTH_LOGIN_MAX_FAILS_PER_EMAIL_IP: 5,
      AUTH_LOGIN_MAX_FAILS_PER_IP: 50,
      AUTH_LOGIN_FAIL_WINDOW_SECONDS: 900,
    });
  });

  it('When AUTH_HASH_CONCURRENCY is unset, then it is the CPUs the container may use but one (from the cgroup CPU limit), at least one', () => {
    // The CPU count itself (cgroup v1/v2 limits against the node's cores) is tested in kit.
    expect(loadAuthConfig(REQUIRED).AUTH_HASH_CONCURRENCY).toBe(Math.max(1, availableCpus() - 1));
    expect(defaultHashConcurrency(1)).toBe(1);
    expect(defaultHashConcurrency(4)).toBe(3);
  });

  it.each([
    ['a token TTL over 15 minutes', { AUTH_TOKEN_TTL_SECONDS: '3600' }, 'AUTH_TOKEN_TTL_SECONDS'],
    [
      'a seed email without a password',
      { AUTH_SEED_ADMIN_EMAIL: 'a@b.co' },
      'AUTH_SEED_ADMIN_PASSWORD',
    ],
    ['no keys directory', { AUTH_JWT_KEYS_DIR: '' }, 'AUTH_JWT_KEYS_DIR'],
    ['a bcrypt cost of 3', { AUTH_BCRYPT_COST: '3' }, 'AUTH_BCRYPT_COST'],
  ])(
    'When the environment has %s, then start-up fails naming the variable',
    (_n, env, variable) => {
      expect(() => loadAuthConfig({ ...REQUIRED, ...env })).toThrow(ConfigError);
      expect(() => loadAuthConfig({ ...REQUIRED, ...env })).toThrow(variable);
    },
  );
});

describe('signing keys at start-up', () => {
  it('When the keys directory holds no PEM file, then auth refuses to start', async () => {
    const empty = await createJwtKeysDir();
    try {
      const config = loadAuthConfig({ ...REQUIRED, AUTH_JWT_KEYS_DIR: empty.dir, PORT: '0' });

      await expect(startAuth(config)).rejects.toThrow(/no \*\.pem signing key/);
    } finally {
      await empty.remove();
    }
  });
});

describe('seed admin at the default bcrypt cost', () => {
  let h: AuthHarness;

  beforeAll(async () => {
    // Empty = unset: the service runs with its default cost, as in production.
    h = await startAuthHarness('auth_seed', { AUTH_BCRYPT_COST: '' });
  });
  afterAll(() => h.close());

  it('When auth first starts, then the seed admin exists with a cost-12 hash and can log in', async () => {
    const { rows } = await h.pool.query('SELECT role, active, password_hash FROM users');

    expect(rows).toEqual([
      { role: 'admin', active: true, password_hash: expect.stringMatching(/^\$2b\$12\$/) },
    ]);
    const res = await request(h.url).post('/authenticate').send(ADMIN);
    expect(res.status).toBe(202);
    expect(res.body.data.user.role).toBe('admin');
  });

  it('When auth restarts with another seed password, then the existing admin is left untouched', async () => {
    const before = (await h.pool.query('SELECT password_hash FROM users')).rows[0].password_hash;

    await h.restart({ AUTH_SEED_ADMIN_PASSWORD: 'another-password' });

    const { rows } = await h.pool.query('SELECT password_hash FROM users');
    expect(rows).toEqual([{ password_hash: before }]);
    expect((await request(h.url).post('/authenticate').send(ADMIN)).status).toBe(202);
  });

  it('When auth restarts, then migrations are not applied twice', async () => {
    const { rows } = await h.pool.query(
      'SELECT version FROM auth_schema_migrations ORDER BY version',
    );

    expect(rows.map((r) => r.version)).toEqual(authMigrations.map((m) => m.version));
    expect(new Set(rows.map((r) => r.version)).size).toBe(authMigrations.length);
  });
});
