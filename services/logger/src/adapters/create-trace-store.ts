import type { Logger } from '@micromesh/kit';
import type { TraceStore } from '../domain/ports';
import { MongoTraceStore } from './mongo/mongo-trace-store';
import { PostgresTraceStore } from './postgres/postgres-trace-store';
import { storeBackend } from './store-url';

export interface TraceStoreSettings {
  url: string;
  /** MongoDB only: the database (else the URL's path), the logs' own. */
  database?: string;
  logger: Logger;
  poolSize: number;
  connectTimeoutMs: number;
  retentionDays: number;
}

/** Spans go to the same database as the logs: the URL scheme picks the adapter. */
export function createTraceStore(settings: TraceStoreSettings): TraceStore {
  return storeBackend(settings.url) === 'postgres'
    ? new PostgresTraceStore(settings)
    : new MongoTraceStore(settings);
}
