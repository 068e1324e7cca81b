import { AppError } from '@micromesh/kit';
import { MongoBulkWriteError, type Collection } from 'mongodb';
import { StoreUnavailableError, type InsertOutcome } from '../../domain/ports';
import { whyUnstorable } from './document-check';
import {
  ACCESS_DENIED_CODES,
  OUTAGE_CODES,
  StoreAccessDeniedError,
  toStoreError,
} from './mongo-errors';
import type { LogDocument } from './log-document';

const DUPLICATE_KEY = 11000;

/**
 * One unordered insertMany, classified per document:
 * - written → `inserted`; duplicate key (11000) → neither (already stored: idempotent redelivery);
 * - a document MongoDB cannot hold → `refused` with the reason: found before sending (see
 *   document-check.ts) or reported by the server as that document's write error;
 * - the store not answering, a write error that is about the server's state (a step-down, a
 *   shutdown, a full disk) or the logger's access, or an unconfirmed write concern → StoreUnavailableError for the whole call: which
 *   documents are durable is then unknown, and a retry is safe because `_id` is the event_id.
 */
export async function insertDocuments(
  logs: Collection<LogDocument>,
  docs: readonly LogDocument[],
): Promise<InsertOutcome> {
  const refused = new Map<string, string>();
  const sendable: LogDocument[] = [];
  for (const doc of docs) {
    const problem = whyUnstorable(doc);
    if (problem) refused.set(doc._id, problem);
    else sendable.push(doc);
  }
  const inserted = new Set(sendable.map((d) => d._id));
  if (sendable.length === 0) return { inserted, refused };
  try {
    // ordered:false: one refused or duplicate document must not stop the rest of the batch.
    await logs.insertMany(sendable, { ordered: false });
    return { inserted, refused };
  } catch (error) {
    if (!(error instanceof MongoBulkWriteError)) throw toStoreError(error);
    // A bulk error without write errors wraps a failure of the driver or the connection (network,
    // server selection, closed client, timeout): some documents may be written, none confirmed.
    const writeErrors = error.result.getWriteErrors();
    const ownWriteErrors = [error.writeErrors].flat();
    // (Client-side refusals were taken out above, so what is left is an outage — or refused
    // credentials, which must not pass for one.)
    if (ownWriteErrors.length === 0) {
      const mapped = toStoreError(error);
      throw mapped instanceof AppError ? mapped : new StoreUnavailableError(error);
    }
    if (error.result.getWriteConcernError()) throw new StoreUnavailableError(error);
    if (error.insertedCount + writeErrors.length !== sendable.length) {
      throw new StoreUnavailableError(error);
    }
    for (const writeError of writeErrors) {
      const id = sendable[writeError.index]?._id;
      if (id === undefined) throw new StoreUnavailableError(error);
      inserted.delete(id);
      if (writeError.code === DUPLICATE_KEY) continue;
      if (OUTAGE_CODES.has(writeError.code)) throw new StoreUnavailableError(error);
      if (ACCESS_DENIED_CODES.has(writeError.code)) throw new StoreAccessDeniedError(error);
      refused.set(
        id,
        `MongoDB refused the entry: ${writeError.errmsg ?? `code ${writeError.code}`}`,
      );
    }
    return { inserted, refused };
  }
}
