import type { Logger } from '@micromesh/kit';
import type { LogStore } from '../domain/ports';
import { MongoLogStore } from './mongo/mongo-log-store';
import { PostgresLogStore } from './postgres/postgres-log-store';
import { storeBackend } from './store-url';

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
  return storeBackend(settings.url) === 'postgres'
    ? new PostgresLogStore(settings)
    : new MongoLogStore(settings);
}
