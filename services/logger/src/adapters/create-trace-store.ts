import type { Logger } from '@micromesh/kit';
import type { TraceStore } from '../domain/trace-store';
import { MongoTraceStore } from './mongo/mongo-trace-store';
import { PostgresTraceStore } from './postgres/postgres-trace-store';

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
  // Not new URL(): a replica set's connection string names several hosts, which URL rejects.
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(settings.url)?.[0].toLowerCase();
  if (scheme === 'postgres:' || scheme === 'postgresql:') return new PostgresTraceStore(settings);
  if (scheme === 'mongodb:' || scheme === 'mongodb+srv:') return new MongoTraceStore(settings);
  throw new Error(`unsupported LOG_STORE_URL scheme: ${scheme ?? '(none)'}`);
}
