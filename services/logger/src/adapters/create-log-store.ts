import type { Logger } from '@micromesh/kit';
import type { LogStore } from '../domain/log-store';
import { MongoLogStore } from './mongo/mongo-log-store';
import { PostgresLogStore } from './postgres/postgres-log-store';

export interface LogStoreSettings {
  url: string;
  /** MongoDB only: the database (else the URL's path). */
  database?: string;
  logger: Logger;
  poolSize: number;
  connectTimeoutMs: number;
  operationTimeoutMs: number;
  retentionDays: number;
}

/** The URL scheme picks the adapter: postgres(ql):// or mongodb(+srv)://. */
export function createLogStore(settings: LogStoreSettings): LogStore {
  // Not new URL(): a replica set's connection string names several hosts, which URL rejects.
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(settings.url)?.[0].toLowerCase();
  if (scheme === 'postgres:' || scheme === 'postgresql:') return new PostgresLogStore(settings);
  if (scheme === 'mongodb:' || scheme === 'mongodb+srv:') return new MongoLogStore(settings);
  throw new Error(`unsupported LOG_STORE_URL scheme: ${scheme ?? '(none)'}`);
}
