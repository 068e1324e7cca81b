import type { AppError } from '@micromesh/kit';
import { captureLogs, freePort, waitFor } from '@micromesh/kit/testing';
import { MongoClient, MongoServerError } from 'mongodb';
import { StoreAccessDeniedError, toStoreError } from '../src/adapters/mongo/mongo-errors';
import { mongoDatabaseName } from '../src/adapters/mongo/database-name';
import { MongoLogStore } from '../src/adapters/mongo/mongo-log-store';
import { TTL_INDEX } from '../src/adapters/mongo/ttl-index';
import type { LogEntry } from '../src/domain/log-entry';
import { StoreUnavailableError } from '../src/domain/ports';
import { aLogEntry, aServiceName } from './factories';
import { FERRETDB_REPLICA_SET } from './support/ferretdb';
import { describeOnRealMongo, freshMongoUrl, mongoServer } from './support/mongo-server';
import { startTestLogger } from './start-test-logger';

/**
 * The MongoDB adapter's own guarantees, below the LogStore contract (log-store.contract.test.ts)
 * and below the entry schema: on the run's MongoDB server (FerretDB unless MONGO_URL names a real
 * MongoDB). What FerretDB cannot do is in the blocks titled "needs a real MongoDB".
 */
const { logger, lines } = captureLogs('logger', 'warn');

async function openStore(settings: { retentionDays?: number } = {}) {
  const { url, database } = freshMongoUrl('logger_mongo');
  const store = new MongoLogStore({
    url,
    logger,
    poolSize: 3,
    connectTimeoutMs: 2_000,
    operationTimeoutMs: 5_000,
    retentionDays: settings.retentionDays ?? 30,
    tailPollMs: 100,
  });
  await store.init();
  const client = new MongoClient(url);
  return {
    store,
    url,
    database,
    logs: client.db(database).collection('logs'),
    async drop() {
      await store.close();
      await client.db(database).dropDatabase();
      await client.close();
    },
  };
}

const deeplyNested = (levels: number) => {
  const root: Record<string, unknown> = {};
  let node = root;
  for (let i = 0; i < levels; i += 1) {
    const child: Record<string, unknown> = {};
    node.n = child;
    node = child;
  }
  return root;
};

describe(`MongoDB adapter on ${mongoServer.kind}`, () => {
  let opened: Awaited<ReturnType<typeof openStore>>;

  beforeAll(async () => {
    opened = await openStore();
  });
  afterAll(async () => {
    await opened.drop();
  });

  describe('insertMany: one refused document fails only itself', () => {
    it.each([
      ['a NUL character in a metadata key', { 'bad\u0000key': 1 }, 'NUL'],
      ['metadata nested past 100 levels', deeplyNested(120), '100 levels'],
      ['an unpaired surrogate in a metadata value', { note: 'broken \ud800 text' }, 'surrogate'],
    ])(
      'When a batch holds one entry with %s, then the others are stored and only that one is refused',
      async (_what, metadata, reason) => {
        const service = aServiceName();
        const good = [aLogEntry({ service }), aLogEntry({ service })];
        const bad = aLogEntry({ service, metadata });

        const outcome = await opened.store.insertMany([good[0]!, bad, good[1]!]);

        expect([...outcome.inserted].sort()).toEqual(good.map((e) => e.event_id).sort());
        expect([...outcome.refused.keys()]).toEqual([bad.event_id]);
        expect(outcome.refused.get(bad.event_id)).toContain(reason);
        expect(await opened.logs.countDocuments({ service })).toBe(2);
      },
    );

    it('When the server refuses one document of a batch, then the others are stored and that one is refused with its reason', async () => {
      const service = aServiceName();
      let bad: LogEntry;
      if (mongoServer.kind === 'ferretdb') {
        // FerretDB refuses `$`-prefixed keys anywhere in a document, per document.
        bad = aLogEntry({ service, metadata: { $where: 'x' } });
      } else {
        // MongoDB stores `$` keys in sub-documents; a validator makes it refuse one document.
        await opened.logs.db.command({
          collMod: 'logs',
          validator: { 'metadata.poison': { $exists: false } },
        });
        bad = aLogEntry({ service, metadata: { poison: true } });
      }
      const good = [aLogEntry({ service }), aLogEntry({ service })];

      const outcome = await opened.store.insertMany([good[0]!, bad, good[1]!]);

      expect([...outcome.inserted].sort()).toEqual(good.map((e) => e.event_id).sort());
      expect([...outcome.refused.keys()]).toEqual([bad.event_id]);
      expect(outcome.refused.get(bad.event_id)).toMatch(/^MongoDB refused the entry: /);
      expect(await opened.store.get(good[1]!.event_id)).toEqual(good[1]);
    });

    it('When a batch mixes a stored entry, a new one and a refused one, then each gets its own outcome', async () => {
      const service = aServiceName();
      const stored = aLogEntry({ service });
      await opened.store.insertMany([stored]);
      const fresh = aLogEntry({ service });
      const bad = aLogEntry({ service, metadata: { 'k\u0000': 1 } });

      const outcome = await opened.store.insertMany([stored, fresh, bad]);

      expect([...outcome.inserted]).toEqual([fresh.event_id]);
      expect([...outcome.refused.keys()]).toEqual([bad.event_id]);
    });
  });

  describe('live tail', () => {
    it('When the server cannot stream changes, then the tail says so and still delivers new entries', async () => {
      const service = aServiceName();
      const delivered: LogEntry[] = [];
      lines.length = 0;
      const tail = await opened.store.watch((entries) =>
        delivered.push(...entries.filter((e) => e.service === service)),
      );
      try {
        const entry = aLogEntry({ service });
        await opened.store.insertMany([entry]);

        await waitFor(() => delivered.length === 1, { what: 'the entry on the tail' });
        expect(delivered[0]).toEqual(entry);
        expect(tail.delivery).toBe(mongoServer.kind === 'ferretdb' ? 'polling' : 'push');
        const saidPolling = lines.some((l) => String(l.msg).includes('cannot stream changes'));
        expect(saidPolling).toBe(mongoServer.kind === 'ferretdb');
      } finally {
        await tail.close();
      }
    });

    it('When a tail is closed, then it delivers nothing more (no timer or stream left running)', async () => {
      const service = aServiceName();
      const delivered: LogEntry[] = [];
      const tail = await opened.store.watch((entries) =>
        delivered.push(...entries.filter((e) => e.service === service)),
      );
      await tail.close();

      await opened.store.insertMany([aLogEntry({ service })]);

      // Absence can only be shown by waiting: five polling intervals (tailPollMs 100).
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(delivered).toEqual([]);
    });
  });

  describe('retention', () => {
    it('When retention is 0, then init leaves no TTL index (everything is kept)', async () => {
      const kept = await openStore({ retentionDays: 0 });
      try {
        const names = (await kept.logs.listIndexes().toArray()).map((i) => i.name);
        expect(names).not.toContain(TTL_INDEX);
      } finally {
        await kept.drop();
      }
    });
  });
});

describeOnRealMongo('TTL index and change streams', () => {
  it('When LOG_RETENTION_DAYS changes and then becomes 0, then the TTL index follows and is dropped', async () => {
    const first = await openStore({ retentionDays: 30 });
    const reopen = async (retentionDays: number) => {
      const again = new MongoLogStore({ ...storeOptions(first.url), retentionDays });
      await again.init();
      await again.close();
    };
    try {
      const ttl = async () =>
        (await first.logs.listIndexes().toArray()).find((i) => i.name === TTL_INDEX);
      expect((await ttl())?.expireAfterSeconds).toBe(30 * 86_400);

      await reopen(7);
      expect((await ttl())?.expireAfterSeconds).toBe(7 * 86_400);

      await reopen(0);
      expect(await ttl()).toBeUndefined();
    } finally {
      await first.drop();
    }
  });

  it('When entries are inserted right after watch() resolves, then the change stream delivers every one', async () => {
    const own = await openStore();
    const delivered: string[] = [];
    const tail = await own.store.watch((entries) =>
      delivered.push(...entries.map((e) => e.event_id)),
    );
    try {
      const entries = [aLogEntry(), aLogEntry(), aLogEntry()];
      await own.store.insertMany(entries);

      await waitFor(() => delivered.length === 3, { what: 'three change events' });
      expect(tail.delivery).toBe('push');
      expect(delivered.sort()).toEqual(entries.map((e) => e.event_id).sort());
      expect(lines.some((l) => String(l.msg).includes('cannot stream changes'))).toBe(false);
    } finally {
      await tail.close();
      await own.drop();
    }
  });
});

describeOnRealMongo('change stream recovery', () => {
  it('When the collection is dropped under an open change stream (invalidate), then the tail reopens and delivers later inserts', async () => {
    const own = await openStore();
    const delivered = new Set<string>();
    const tail = await own.store.watch((entries) =>
      entries.forEach((e) => delivered.add(e.event_id)),
    );
    try {
      await own.logs.drop();

      // A fresh entry per attempt: one inserted before the stream reopened is rightly not replayed.
      await waitFor(
        async () => {
          const entry = aLogEntry();
          await own.store.insertMany([entry]);
          await new Promise((resolve) => setTimeout(resolve, 200));
          return delivered.has(entry.event_id);
        },
        { timeoutMs: 20_000, what: 'a delivery after the invalidate' },
      );
    } finally {
      await tail.close();
      await own.drop();
    }
  });
});

(mongoServer.kind === 'ferretdb' ? describe : describe.skip)(
  'a replica-set connection string (FerretDB as the one live member)',
  () => {
    it('When LOG_STORE_URL names three replica-set hosts of which two are down, then the logger starts and stores', async () => {
      const [down1, down2] = await Promise.all([freePort(), freePort()]);
      const live = new URL(mongoServer.url).host;
      const { database } = freshMongoUrl('logger_three_hosts');
      const url = `mongodb://${live},127.0.0.1:${down1},127.0.0.1:${down2}/${database}?replicaSet=${FERRETDB_REPLICA_SET}`;

      const logger = await startTestLogger(url);
      try {
        const written = await logger.calls.writeLog(
          { name: 'three-hosts', data: 'ok' },
          {
            timeoutMs: 5_000,
          },
        );
        expect((await logger.service.store.get(written.event_id))?.name).toBe('three-hosts');
      } finally {
        await logger.stop();
        const client = new MongoClient(mongoServer.url);
        await client.db(database).dropDatabase();
        await client.close();
      }
    });
  },
);

function storeOptions(url: string) {
  return {
    url,
    logger,
    poolSize: 2,
    connectTimeoutMs: 2_000,
    operationTimeoutMs: 5_000,
    retentionDays: 30,
  };
}

describe('MongoDB error classification', () => {
  const serverError = (code: number) => new MongoServerError({ message: `code ${code}`, code });

  it.each([10107, 91, 11602, 189, 64, 50, 14031, 112, 24, 8000])(
    'When the server answers code %i (its state, not the request), then the call is StoreUnavailableError',
    (code) => {
      expect(toStoreError(serverError(code))).toBeInstanceOf(StoreUnavailableError);
    },
  );

  it('When the pool wait queue times out, then the call is StoreUnavailableError', () => {
    const error = new Error('Timed out while checking out a connection from connection pool');
    Object.defineProperty(error, 'name', { value: 'WaitQueueTimeoutError' });

    expect(toStoreError(error)).toBeInstanceOf(StoreUnavailableError);
  });

  it.each([18, 13])(
    'When the server refuses the logger (code %i), then the call is StoreAccessDeniedError: unavailable to every writer (503), naming LOG_STORE_URL',
    (code) => {
      const mapped = toStoreError(serverError(code));

      expect(mapped).toBeInstanceOf(StoreAccessDeniedError);
      expect(mapped).toBeInstanceOf(StoreUnavailableError);
      expect((mapped as AppError).status).toBe(503);
      expect((mapped as Error).message).toContain('LOG_STORE_URL');
    },
  );

  it('When the server refuses the request itself (code 2), then the error is not called an outage', () => {
    expect(toStoreError(serverError(2))).not.toBeInstanceOf(StoreUnavailableError);
  });
});

describe('MongoDB database name', () => {
  it.each([
    [
      'mongodb://u:p@a-0:27017,a-1:27017,a-2:27017/micromesh_logs?replicaSet=rs',
      undefined,
      'micromesh_logs',
    ],
    ['mongodb+srv://u:p@cluster.example.com/logs_db?retryWrites=true', undefined, 'logs_db'],
    [
      'mongodb://u:p@a-0:27017,a-1:27017,a-2:27017/admin?replicaSet=rs',
      'micromesh_logs',
      'micromesh_logs',
    ],
    ['mongodb://127.0.0.1:27017/from_url', 'from_env', 'from_env'],
  ])('When LOG_STORE_URL is %s and LOG_STORE_DB is %s, then the logs go to %s', (url, db, name) => {
    expect(mongoDatabaseName(url, db)).toBe(name);
  });

  it.each([
    ['mongodb://u:p@a-0:27017,a-1:27017,a-2:27017/admin?replicaSet=rs', 'system database'],
    ['mongodb://127.0.0.1:27017/', 'name the database'],
    ['mongodb://127.0.0.1:27017', 'name the database'],
  ])(
    'When LOG_STORE_URL is %s without LOG_STORE_DB, then the adapter refuses to start',
    (url, why) => {
      expect(() => mongoDatabaseName(url)).toThrow(why);
    },
  );
});
