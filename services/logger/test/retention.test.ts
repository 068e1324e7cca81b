import { createTestDatabase, type TestDatabase } from '@micromesh/kit/testing';
import { aLogEntry, aServiceName } from './factories';
import { startTestLogger, type TestLogger } from './start-test-logger';

describe('logger retention', () => {
  let db: TestDatabase;
  let logger: TestLogger;

  beforeAll(async () => {
    db = await createTestDatabase('logger_retention');
    logger = await startTestLogger(db.url, { LOG_RETENTION_DAYS: '7' });
  });
  afterAll(async () => {
    await logger.stop();
    await db.drop();
  });

  it('When retention runs with LOG_RETENTION_DAYS=7, then entries older than 7 days are deleted and newer ones kept', async () => {
    const service = aServiceName();
    const day = 24 * 60 * 60 * 1000;
    const old = aLogEntry({ service, timestamp: new Date(Date.now() - 8 * day) });
    const recent = aLogEntry({ service, timestamp: new Date(Date.now() - 6 * day) });
    await logger.service.store.insertMany([old, recent]);

    await logger.service.runRetention();

    // State, not the returned count: the start-up pass may race this one for the same row.
    const left = await logger.service.store.query({ service, limit: 10 });
    expect(left.map((e) => e.event_id)).toEqual([recent.event_id]);
  });
});
