import request from 'supertest';
import { captureLogs, createTestDatabase, type TestDatabase } from '@micromesh/kit/testing';
import { startAuth } from '../src/app';
import { loadAuthConfig } from '../src/config';

describe('auth health', () => {
  const { logger } = captureLogs('auth', 'silent');
  let db: TestDatabase;
  let auth: Awaited<ReturnType<typeof startAuth>>;

  beforeAll(async () => {
    db = await createTestDatabase('auth_health');
    auth = await startAuth(loadAuthConfig({ PORT: '0', AUTH_DATABASE_URL: db.url }), { logger });
  });
  afterAll(async () => {
    await auth.stop();
    await db.drop();
  });

  it('When PostgreSQL answers, then /readyz reports the postgres check ready', async () => {
    const res = await request(auth.address.url).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.data.checks.postgres.ok).toBe(true);
  });
});
