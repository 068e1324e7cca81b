import type { Logger } from '@micromesh/kit';
import type { LogStore } from '../domain/log-store';
import { MongoLogStore } from './mongo/mongo-log-store';
import { PostgresLogStore } from './postgres/postgres-log-store';

export interface LogStoreSettings {
  url: string;
  logger: Logger;
  poolSize: number;
  connectTimeoutMs: number;
  retentionDays: number;
}

/** The URL scheme picks the adapter: postgres(ql):// or mongodb(+srv)://. */
export function createLogStore(settings: LogStoreSettings): LogStore {
  const scheme = new URL(settings.url).protocol;
  if (scheme === 'postgres:' || scheme === 'postgresql:') return new PostgresLogStore(settings);
  if (scheme === 'mongodb:' || scheme === 'mongodb+srv:') return new MongoLogStore(settings);
  throw new Error(`unsupported LOG_STORE_URL scheme: ${scheme}`);
}
