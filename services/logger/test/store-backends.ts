import { randomBytes } from 'node:crypto';
import { captureLogs, createTestDatabase } from '@micromesh/kit/testing';
import { MongoClient } from 'mongodb';
import { createLogStore } from '../src/data-access/create-log-store';
import type { LogStore } from '../src/domain/log-store';

export interface StoreBackend {
  name: 'postgres' | 'mongodb';
  /** A store on a fresh, empty database, initialised; `drop` removes the database. */
  create(): Promise<{ store: LogStore; drop(): Promise<void> }>;
}

const { logger } = captureLogs('logger', 'silent');

const storeSettings = (url: string) => ({
  url,
  logger,
  poolSize: 5,
  connectTimeoutMs: 2_000,
  retentionDays: 30,
});

const postgres: StoreBackend = {
  name: 'postgres',
  async create() {
    const db = await createTestDatabase('logger_contract');
    const store = createLogStore(storeSettings(db.url));
    await store.init();
    return {
      store,
      async drop() {
        await store.close();
        await db.drop();
      },
    };
  },
};

/** Only when MONGO_URL points at a MongoDB replica set (compose/CI); none can run on this host. */
function mongodb(baseUrl: string): StoreBackend {
  return {
    name: 'mongodb',
    async create() {
      const url = new URL(baseUrl);
      url.pathname = `/logger_contract_${randomBytes(5).toString('hex')}`;
      const store = createLogStore(storeSettings(url.toString()));
      await store.init();
      return {
        store,
        async drop() {
          await store.close();
          const admin = new MongoClient(url.toString());
          try {
            await admin.db().dropDatabase();
          } finally {
            await admin.close();
          }
        },
      };
    },
  };
}

/** Every backend configured in this environment: PostgreSQL always, MongoDB with MONGO_URL. */
export function configuredBackends(): StoreBackend[] {
  const mongoUrl = process.env.MONGO_URL;
  return mongoUrl ? [postgres, mongodb(mongoUrl)] : [postgres];
}
