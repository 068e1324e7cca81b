import request from 'supertest';
import { captureLogs, createTestDatabase, type TestDatabase } from '@micromesh/kit/testing';
import { startLogger } from '../src/app';
import { loadLoggerConfig } from '../src/config';

describe('logger health', () => {
  const { logger } = captureLogs('logger', 'silent');
  let db: TestDatabase;
  let service: Awaited<ReturnType<typeof startLogger>>;

  beforeAll(async () => {
    db = await createTestDatabase('logger_health');
    service = await startLogger(
      loadLoggerConfig({ PORT: '0', GRPC_PORT: '0', LOG_STORE_URL: db.url }),
      {
        logger,
      },
    );
  });
  afterAll(async () => {
    await service.stop();
    await db.drop();
  });

  it('When the store answers, then /readyz is 200', async () => {
    const res = await request(service.address.url).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.data.checks.store.ok).toBe(true);
  });
});
