import request from 'supertest';
import { Pool } from 'pg';
import type { StartedHttpService } from '@micromesh/kit';
import {
  captureLogs,
  createJwtKeysDir,
  createTestDatabase,
  type CapturedLogs,
  type JwtKeysDir,
  type TestDatabase,
} from '@micromesh/kit/testing';
import { startAuth } from '../../src/app';
import { loadAuthConfig } from '../../src/config';

export const ADMIN = { email: 'admin@example.com', password: 'verysecret' };

/** Low bcrypt cost keeps suites quick; one suite checks that the default really is 12. */
const FAST_ENV = {
  AUTH_BCRYPT_COST: '4',
  AUTH_SEED_ADMIN_EMAIL: ADMIN.email,
  AUTH_SEED_ADMIN_PASSWORD: ADMIN.password,
};

/** A real auth service on a fresh database, a temp keys dir, and a pg pool to inspect state. */
export interface AuthHarness {
  url: string;
  db: TestDatabase;
  pool: Pool;
  keys: JwtKeysDir;
  logs: CapturedLogs;
  auth: StartedHttpService;
  /** Stops and starts the service again with the same database and keys (plus env changes). */
  restart(env?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export async function startAuthHarness(
  prefix: string,
  env: Record<string, string> = {},
): Promise<AuthHarness> {
  const db = await createTestDatabase(prefix);
  const keys = await createJwtKeysDir('2026-01-01');
  const logs = captureLogs('auth', 'debug');
  let currentEnv = env;
  const start = () =>
    startAuth(
      loadAuthConfig({
        PORT: '0',
        AUTH_DATABASE_URL: db.url,
        AUTH_JWT_KEYS_DIR: keys.dir,
        ...FAST_ENV,
        ...currentEnv,
      }),
      { logger: logs.logger },
    );
  const harness: AuthHarness = {
    url: '',
    db,
    pool: new Pool({ connectionString: db.url, max: 2 }),
    keys,
    logs,
    auth: await start(),
    async restart(more = {}) {
      await harness.auth.stop();
      currentEnv = { ...currentEnv, ...more };
      harness.auth = await start();
      harness.url = harness.auth.address.url;
    },
    async close() {
      await harness.auth.stop();
      await harness.pool.end();
      await db.drop();
      await keys.remove();
    },
  };
  harness.url = harness.auth.address.url;
  // A suite that drops its database on purpose must not crash on the idle clients' errors.
  harness.pool.on('error', () => undefined);
  return harness;
}

/** Logs in through the API and returns the bearer token. */
export async function tokenFor(
  url: string,
  credentials: { email: string; password: string },
): Promise<string> {
  const res = await request(url).post('/authenticate').send(credentials);
  if (res.status !== 202)
    throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { data: { token: { access_token: string } } }).data.token.access_token;
}

/** Creates a user through the admin API; returns its public shape. */
export async function createUser(
  url: string,
  adminToken: string,
  body: Record<string, unknown>,
): Promise<{ id: string; email: string; role: string }> {
  const res = await request(url)
    .post('/api/users')
    .set('authorization', `Bearer ${adminToken}`)
    .send(body);
  if (res.status !== 201)
    throw new Error(`create user failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { data: { user: { id: string; email: string; role: string } } }).data.user;
}
