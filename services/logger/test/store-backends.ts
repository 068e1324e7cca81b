import { captureLogs, createTestDatabase } from '@micromesh/kit/testing';
import { MongoClient } from 'mongodb';
import { createLogStore } from '../src/adapters/create-log-store';
import type { LogStore } from '../src/domain/ports';
import { FERRETDB_VERSION } from './support/ferretdb';
import { freshMongoUrl, mongoServer } from './support/mongo-server';

export interface StoreBackend {
  name: 'postgres' | 'mongodb';
  /** Shown in test names: which server the adapter runs against. */
  label: string;
  /** A store on a fresh, empty database, initialised; `drop` removes the database. */
  create(settings?: {
    retentionDays?: number;
  }): Promise<{ store: LogStore; drop(): Promise<void> }>;
}

const { logger } = captureLogs('logger', 'silent');

const storeSettings = (url: string, retentionDays = 30) => ({
  url,
  logger,
  poolSize: 5,
  connectTimeoutMs: 2_000,
  operationTimeoutMs: 5_000,
  retentionDays,
});

export const postgresBackend: StoreBackend = {
  name: 'postgres',
  label: 'postgres (PostgreSQL)',
  async create(settings = {}) {
    const db = await createTestDatabase('logger_contract');
    const store = createLogStore(storeSettings(db.url, settings.retentionDays));
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

/** On the run's MongoDB server: a real one from MONGO_URL, else the run's own FerretDB. */
export const mongoBackend: StoreBackend = {
  name: 'mongodb',
  label:
    mongoServer.kind === 'mongodb'
      ? 'mongodb (a real MongoDB from MONGO_URL)'
      : `mongodb (FerretDB ${FERRETDB_VERSION})`,
  async create(settings = {}) {
    const { url, database } = freshMongoUrl('logger_contract');
    const store = createLogStore(storeSettings(url, settings.retentionDays));
    await store.init();
    return {
      store,
      async drop() {
        await store.close();
        const admin = new MongoClient(url);
        try {
          await admin.db(database).dropDatabase();
        } finally {
          await admin.close();
        }
      },
    };
  },
};

/** Every backend of this run: PostgreSQL and MongoDB (FerretDB, or MONGO_URL's server). */
export function configuredBackends(): StoreBackend[] {
  return [postgresBackend, mongoBackend];
}
