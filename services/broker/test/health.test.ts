import request from 'supertest';
import { captureLogs, createTestDatabase, type TestDatabase } from '@micromesh/kit/testing';
import { startBroker } from '../src/app';
import { loadBrokerConfig } from '../src/config';

describe('broker health', () => {
  const { logger } = captureLogs('broker', 'silent');
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('broker_health');
    broker = await startBroker(
      loadBrokerConfig({
        PORT: '0',
        // Any free port: a mesh started by scripts/up may hold the default 9080.
        METRICS_PORT: '0',
        AMQP_START_WAIT_MS: '0',
        AMQP_URL: 'amqp://user:pass@127.0.0.1:1',
        BROKER_DATABASE_URL: db.url,
      }),
      {
        logger,
      },
    );
  });
  afterAll(async () => {
    await broker?.stop();
    await db.drop();
  });

  it('When the broker is up, then /livez, /readyz and POST / answer', async () => {
    const http = request(broker.address.url);
    expect((await http.get('/livez')).status).toBe(200);
    expect((await http.get('/readyz')).status).toBe(200);
    const hit = await http.post('/');
    expect(hit.status).toBe(200);
    expect(hit.body).toEqual({ error: false, message: 'Hit the broker' });
  });
});
