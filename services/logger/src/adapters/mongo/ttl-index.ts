import type { Logger } from '@micromesh/kit';
import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { LogDocument } from './log-document';

export const TTL_INDEX = 'timestamp_ttl';
const DAY_SECONDS = 24 * 60 * 60;
const UNAUTHORIZED = 13;
const INDEX_NOT_FOUND = 27;
/** FerretDB and other wire-compatible servers without TTL indexes or collMod. */
const NOT_IMPLEMENTED = 238;

const codeOf = (error: unknown) => (error instanceof MongoServerError ? error.code : undefined);

/**
 * Brings the TTL index on `timestamp` in line with LOG_RETENTION_DAYS: created when missing,
 * changed when the days changed, dropped when retention is 0 ("keep everything"). A change uses
 * `collMod` where the logger's role allows it (dbAdmin); with only readWrite it drops and recreates
 * the index instead (no documents expire in between; the retention pass keeps deleting). On a
 * server without TTL indexes it says so and leaves deletion to the retention pass.
 */
export async function syncTtlIndex(
  db: Db,
  logs: Collection<LogDocument>,
  retentionDays: number,
  logger: Logger,
): Promise<void> {
  const expireAfterSeconds = Math.max(0, retentionDays) * DAY_SECONDS;
  const current = (await logs.listIndexes().toArray()).find((index) => index.name === TTL_INDEX);
  if (expireAfterSeconds === 0) {
    if (current) await dropIfPresent(logs);
    return;
  }
  if (current?.expireAfterSeconds === expireAfterSeconds) return;
  const create = () => logs.createIndex({ timestamp: 1 }, { name: TTL_INDEX, expireAfterSeconds });
  try {
    if (!current) {
      await create();
      return;
    }
    try {
      await db.command({
        collMod: logs.collectionName,
        index: { name: TTL_INDEX, expireAfterSeconds },
      });
    } catch (error) {
      if (codeOf(error) !== UNAUTHORIZED) throw error;
      await dropIfPresent(logs);
      await create();
    }
  } catch (error) {
    if (codeOf(error) !== NOT_IMPLEMENTED) throw error;
    logger.warn(
      { retentionDays },
      'the MongoDB server has no TTL indexes (FerretDB?): only the retention pass deletes old entries',
    );
  }
}

async function dropIfPresent(logs: Collection<LogDocument>): Promise<void> {
  try {
    await logs.dropIndex(TTL_INDEX);
  } catch (error) {
    if (codeOf(error) !== INDEX_NOT_FOUND) throw error;
  }
}
