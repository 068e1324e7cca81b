import { randomBytes } from 'node:crypto';
import { captureLogs, createTestDatabase } from '@micromesh/kit/testing';
import { MongoClient } from 'mongodb';
import { createTraceStore } from '../src/data-access/create-trace-store';
import type { TraceStore } from '../src/domain/trace-store';

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

/** Only when MONGO_URL points at a MongoDB (compose/CI or FerretDB), as for the log store. */
function mongodb(baseUrl: string): TraceBackend {
  return {
    name: 'mongodb',
    async create() {
      const url = new URL(baseUrl);
      url.pathname = `/logger_traces_${randomBytes(5).toString('hex')}`;
      const store = createTraceStore(settings(url.toString()));
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

/** PostgreSQL always, MongoDB with MONGO_URL. */
export function configuredTraceBackends(): TraceBackend[] {
  const mongoUrl = process.env.MONGO_URL;
  return mongoUrl ? [postgres, mongodb(mongoUrl)] : [postgres];
}
