import {
  createTestDatabase,
  startFreezableProxy,
  waitFor,
  type FreezableProxy,
  type TestDatabase,
} from '@micromesh/kit/testing';
import {
  checkHealth,
  createHealthClient,
  LOG_SERVICE_NAME,
  type HealthClient,
} from '@micromesh/proto';
import { loadLoggerConfig } from '../src/config';
import { startTestLogger, type TestLogger } from './start-test-logger';

/**
 * One long-lived HTTP/2 connection per client would pin every client to the logger pod it first
 * reached: pods the autoscaler adds behind the Service would get nothing. The server ages
 * connections out (GOAWAY), and the client's next call opens a new one — through the Service, to
 * any pod. The proxy in between counts the connections the client opened.
 */
describe('logger gRPC connection age', () => {
  let db: TestDatabase;
  let logger: TestLogger;
  let proxy: FreezableProxy;
  let client: HealthClient;

  beforeAll(async () => {
    db = await createTestDatabase('logger_conn_age');
    logger = await startTestLogger(db.url, {
      GRPC_MAX_CONNECTION_AGE_MS: '300',
      GRPC_MAX_CONNECTION_AGE_GRACE_MS: '200',
    });
    const [host = '127.0.0.1', port] = logger.service.grpcAddress.split(/:(?=\d+$)/);
    proxy = await startFreezableProxy({ host, port: Number(port) });
    client = createHealthClient(`127.0.0.1:${proxy.port}`);
  });
  afterAll(async () => {
    client.close();
    await proxy.close();
    await logger.stop();
    await db.drop();
  });

  it('When a client keeps calling past the maximum connection age, then it is made to reconnect and every call still succeeds', async () => {
    const statuses: string[] = [];

    await waitFor(
      async () => {
        statuses.push(String(await checkHealth(client, LOG_SERVICE_NAME, 2_000)));
        return proxy.connections >= 3;
      },
      { timeoutMs: 5_000, intervalMs: 50, what: 'the client to open a third connection' },
    );

    expect(new Set(statuses)).toEqual(new Set(['SERVING']));
  });

  it('When the defaults are read, then connections are aged out within a minute, with a grace for calls in flight', () => {
    // The defaults are what the Deployment runs with (its ConfigMap does not override them).
    const defaults = loadLoggerConfig({ LOG_STORE_URL: 'postgres://x@localhost/db' });

    expect(defaults.GRPC_MAX_CONNECTION_AGE_MS).toBeGreaterThan(0);
    expect(defaults.GRPC_MAX_CONNECTION_AGE_MS).toBeLessThanOrEqual(60_000);
    expect(defaults.GRPC_MAX_CONNECTION_AGE_GRACE_MS).toBeGreaterThan(0);
  });
});
