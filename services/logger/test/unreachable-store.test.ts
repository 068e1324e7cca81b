import { freePort } from '@micromesh/kit/testing';
import { captureLogs } from '@micromesh/kit/testing';
import { createLogStore } from '../src/adapters/create-log-store';
import { StoreUnavailableError, type LogStore } from '../src/domain/ports';
import { aLogEntry } from './factories';

/**
 * Adapter selection by LOG_STORE_URL scheme, and both adapters' failure mode against a closed
 * port (which needs no server, so the MongoDB adapter is exercised here too).
 */
describe('createLogStore', () => {
  const { logger } = captureLogs('logger', 'silent');
  let closedPort: number;
  const opened: LogStore[] = [];

  beforeAll(async () => {
    closedPort = await freePort();
  });
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
  });

  const storeAt = (url: string) => {
    const store = createLogStore({
      url,
      logger,
      poolSize: 2,
      connectTimeoutMs: 500,
      operationTimeoutMs: 500,
      retentionDays: 30,
    });
    opened.push(store);
    return store;
  };

  it.each([
    ['postgres://u:p@127.0.0.1:5432/db', 'postgres'],
    ['postgresql://u:p@127.0.0.1:5432/db', 'postgres'],
    ['mongodb://127.0.0.1:27017/logs', 'mongodb'],
    [
      'mongodb://u:p@a-0.rs:27017,a-1.rs:27017,a-2.rs:27017/logs?replicaSet=rs&authSource=admin',
      'mongodb',
    ],
    ['mongodb+srv://u:p@cluster.example.com/logs', 'mongodb'],
  ])('When LOG_STORE_URL is %s, then the %s adapter is chosen', (url, kind) => {
    expect(storeAt(url).kind).toBe(kind);
  });

  it('When the scheme is unknown, then it refuses to start', () => {
    expect(() => storeAt('mysql://127.0.0.1/db')).toThrow('unsupported LOG_STORE_URL scheme');
  });

  it.each([
    ['postgres', (port: number) => `postgres://u:p@127.0.0.1:${port}/db`],
    ['mongodb', (port: number) => `mongodb://127.0.0.1:${port}/logs?directConnection=true`],
  ])(
    'When nothing listens at the %s URL, then ping and writes fail StoreUnavailableError without waiting on a statement timeout',
    async (_kind, urlFor) => {
      const store = storeAt(urlFor(closedPort));
      const started = Date.now();

      const ping = await store.ping().catch((e: unknown) => e);
      const write = await store.insertMany([aLogEntry()]).catch((e: unknown) => e);

      expect(ping).toBeInstanceOf(StoreUnavailableError);
      expect(write).toBeInstanceOf(StoreUnavailableError);
      // Generous: the bound is the 500 ms connect timeout, not the 10 s statement timeout.
      expect(Date.now() - started).toBeLessThan(8_000);
    },
  );
});
