import { captureLogs, createTestDatabase } from '@micromesh/kit/testing';
import { MongoClient } from 'mongodb';
import { createTraceStore } from '../src/adapters/create-trace-store';
import type { TraceStore } from '../src/domain/ports';
import { freshMongoUrl } from './support/mongo-server';

export interface TraceBackend {
  name: 'postgres' | 'mongodb';
  /** A trace store on a fresh, empty database, initialised; `drop` removes the database. */
  create(): Promise<{ store: TraceStore; drop(): Promise<void> }>;
}

const { logger } = captureLogs('logger', 'silent');

const settings = (url: string) => ({
  url,
  logger,
  poolSize: 2,
  connectTimeoutMs: 2_000,
  retentionDays: 7,
});

const postgres: TraceBackend = {
  name: 'postgres',
  async create() {
    const db = await createTestDatabase('logger_traces');
    const store = createTraceStore(settings(db.url));
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
const mongodb: TraceBackend = {
  name: 'mongodb',
  async create() {
    const { url, database } = freshMongoUrl('logger_traces');
    const store = createTraceStore(settings(url));
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

/** Every backend of this run, as for the log store: PostgreSQL and MongoDB. */
export function configuredTraceBackends(): TraceBackend[] {
  return [postgres, mongodb];
}
