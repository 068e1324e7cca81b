import request from 'supertest';
import { startAuthHarness, type AuthHarness } from './support/auth-harness';

describe('GET /readyz', () => {
  let h: AuthHarness;

  beforeAll(async () => {
    h = await startAuthHarness('auth_health');
  });
  afterAll(() => h.close());

  it('When PostgreSQL answers, then /readyz reports the postgres check ready', async () => {
    const res = await request(h.url).get('/readyz');

    expect(res.status).toBe(200);
    expect(res.body.data.checks.postgres.ok).toBe(true);
  });

  it('When no RabbitMQ is configured, then readiness does not depend on it', async () => {
    const res = await request(h.url).get('/readyz');

    expect(Object.keys(res.body.data.checks)).toEqual(['postgres']);
  });
});
