import request from 'supertest';
import { setTestDatabaseReadOnly } from '@micromesh/kit/testing';
import { ADMIN, startAuthHarness, tokenFor, type AuthHarness } from './support/auth-harness';
import { aUser } from './support/factories';

describe('POST /authenticate while PostgreSQL is gone', () => {
  let h: AuthHarness;

  beforeAll(async () => {
    h = await startAuthHarness('auth_outage');
    await request(h.url).post('/authenticate').send(ADMIN).expect(202);
    // Dropping the suite's own database terminates auth's connections and refuses new ones.
    await h.db.drop();
  });
  afterAll(() => h.close());

  it('When a user logs in, then 503 "database unavailable" instead of a 500', async () => {
    const res = await request(h.url).post('/authenticate').send(ADMIN);

    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: true, message: 'database unavailable' });
  });

  it('When a key is introspected, then 503 as well', async () => {
    const res = await request(h.url)
      .post('/internal/keys/introspect')
      .send({ key: `mmk_${'A'.repeat(43)}` });

    expect(res.status).toBe(503);
  });

  it('When readiness is probed, then /readyz is 503 naming postgres', async () => {
    const res = await request(h.url).get('/readyz');

    expect(res.status).toBe(503);
    expect(res.body.data.checks.postgres.ok).toBe(false);
  });
});

describe('POST /api/users while the database refuses every write (read-only after a failover)', () => {
  let h: AuthHarness;
  let adminToken: string;

  beforeAll(async () => {
    h = await startAuthHarness('auth_read_only');
    adminToken = await tokenFor(h.url, ADMIN);
    // The suite's own database: every session is read-only, like a demoted primary's.
    await setTestDatabaseReadOnly(h.db.name, true);
  });
  afterAll(() => h.close());

  it('When an admin creates a user, then 503 "database unavailable" (25006 is the store\'s state), not a 500', async () => {
    const res = await request(h.url)
      .post('/api/users')
      .set('authorization', `Bearer ${adminToken}`)
      .send(aUser());

    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: true, message: 'database unavailable' });
  });
});
