import type { Logger } from '@micromesh/kit';
import {
  MongoBulkWriteError,
  MongoClient,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  type ChangeStream,
  type Collection,
  type Filter,
} from 'mongodb';
import type { Level } from '@micromesh/contracts';
import type { LogEntry } from '../../domain/log-entry';
import type { LogQuery } from '../../domain/log-query';
import { StoreUnavailableError, type InsertOutcome, type LogStore } from '../../domain/log-store';

export interface MongoLogStoreOptions {
  url: string;
  logger: Logger;
  poolSize: number;
  connectTimeoutMs: number;
  retentionDays: number;
}

/** `_id` is the event_id: the primary key itself makes every write idempotent. */
interface LogDocument {
  _id: string;
  name: string;
  data: string;
  level: Level;
  service: string;
  trace_id?: string;
  span_id?: string;
  metadata?: Record<string, unknown>;
  timestamp: Date;
  received_at: Date;
}

const DUPLICATE_KEY = 11000;
const INDEX_OPTIONS_CONFLICT = 85;
const DAY_SECONDS = 24 * 60 * 60;

/**
 * MongoDB adapter (compose/k8s default). Writes use w:'majority', j:true: acknowledged means on a
 * majority's journal. The live tail uses a change stream, so MongoDB must run as a replica set.
 */
export class MongoLogStore implements LogStore {
  readonly kind = 'mongodb' as const;
  private readonly client: MongoClient;
  private readonly logs: Collection<LogDocument>;
  private closed = false;
  private reconnecting?: Promise<unknown>;

  constructor(private readonly options: MongoLogStoreOptions) {
    this.client = new MongoClient(options.url, {
      appName: 'micromesh-logger',
      maxPoolSize: options.poolSize,
      serverSelectionTimeoutMS: options.connectTimeoutMs,
      connectTimeoutMS: options.connectTimeoutMs,
      waitQueueTimeoutMS: options.connectTimeoutMs,
      writeConcern: { w: 'majority', journal: true },
    });
    this.logs = this.client.db().collection<LogDocument>('logs');
  }

  async init(): Promise<void> {
    await this.guard(async () => {
      // Connect explicitly: a failed implicit first connect leaves the client closed for good.
      await this.client.connect();
      await this.logs.createIndexes([
        { key: { timestamp: -1, _id: -1 }, name: 'timestamp_desc' },
        { key: { service: 1, timestamp: -1, _id: -1 }, name: 'service_timestamp' },
        { key: { level: 1, timestamp: -1, _id: -1 }, name: 'level_timestamp' },
        { key: { trace_id: 1 }, name: 'trace_id', sparse: true },
        { key: { name: 'text', data: 'text' }, name: 'text_search', default_language: 'none' },
      ]);
      await this.ensureTtlIndex();
    });
  }

  // Per-entry refusals (InsertOutcome.refused) are not classified here yet: any write error other
  // than a duplicate still fails the whole call as unavailable.
  async insertMany(entries: readonly LogEntry[]): Promise<InsertOutcome> {
    if (entries.length === 0) return { inserted: new Set(), refused: new Map() };
    const now = new Date();
    const docs = entries.map((e) => toDocument(e, now));
    const inserted = new Set(docs.map((d) => d._id));
    try {
      // ordered:false: one duplicate must not stop the rest of the batch.
      await this.guard(() => this.logs.insertMany(docs, { ordered: false }));
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const writeErrors = Array.isArray(error.writeErrors)
        ? error.writeErrors
        : [error.writeErrors];
      // Only "some documents were duplicates, every other one was written" is a success. A bulk
      // error without write errors (e.g. "Topology is closed"), any other code, or a write
      // concern error means nothing may be reported as stored.
      const onlyDuplicates =
        writeErrors.length > 0 &&
        writeErrors.every((w) => w.code === DUPLICATE_KEY) &&
        !error.writeConcernError &&
        error.insertedCount === docs.length - writeErrors.length;
      if (!onlyDuplicates) throw new StoreUnavailableError(error);
      for (const writeError of writeErrors) {
        const id = docs[writeError.index]?._id;
        if (id) inserted.delete(id); // already stored: an idempotent redelivery
      }
    }
    return { inserted, refused: new Map() };
  }

  async query(query: LogQuery): Promise<LogEntry[]> {
    const filter: Filter<LogDocument> = {};
    if (query.service) filter.service = query.service;
    if (query.level) filter.level = query.level;
    if (query.trace_id) filter.trace_id = query.trace_id;
    if (query.text) filter.$text = { $search: toAllWordsSearch(query.text) };
    if (query.from || query.to) {
      filter.timestamp = {
        ...(query.from ? { $gte: query.from } : {}),
        ...(query.to ? { $lt: query.to } : {}),
      };
    }
    if (query.after) {
      const { timestamp, event_id } = query.after;
      filter.$or = [{ timestamp: { $lt: timestamp } }, { timestamp, _id: { $lt: event_id } }];
    }
    const docs = await this.guard(() =>
      this.logs.find(filter).sort({ timestamp: -1, _id: -1 }).limit(query.limit).toArray(),
    );
    return docs.map(toEntry);
  }

  async get(eventId: string): Promise<LogEntry | undefined> {
    const doc = await this.guard(() => this.logs.findOne({ _id: eventId }));
    return doc ? toEntry(doc) : undefined;
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    // The TTL index does this continuously; an explicit run keeps both adapters to one contract.
    const result = await this.guard(() => this.logs.deleteMany({ timestamp: { $lt: cutoff } }));
    return result.deletedCount;
  }

  async ping(): Promise<void> {
    await this.guard(() => this.client.db().command({ ping: 1 }));
  }

  async watch(onEntries: (entries: LogEntry[]) => void): Promise<{ close(): Promise<void> }> {
    let stream: ChangeStream<LogDocument> | undefined;
    let closed = false;
    const open = () => {
      stream = this.logs.watch<LogDocument>([{ $match: { operationType: 'insert' } }]);
      stream.on('change', (change) => {
        if (change.operationType === 'insert') onEntries([toEntry(change.fullDocument)]);
      });
      stream.on('error', (err) => {
        this.options.logger.warn({ err }, 'live tail: change stream failed; reopening');
        void stream?.close().catch(() => {});
        if (!closed) setTimeout(open, 1_000).unref();
      });
    };
    await this.ping();
    open();
    return {
      close: async () => {
        closed = true;
        await stream?.close();
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client.close();
  }

  private async ensureTtlIndex(): Promise<void> {
    const expireAfterSeconds = this.options.retentionDays * DAY_SECONDS;
    if (expireAfterSeconds <= 0) return;
    try {
      await this.logs.createIndex({ timestamp: 1 }, { name: 'timestamp_ttl', expireAfterSeconds });
    } catch (error) {
      // Retention changed since the index was made: adjust it in place.
      if (!(error instanceof MongoServerError) || error.code !== INDEX_OPTIONS_CONFLICT)
        throw error;
      await this.client.db().command({
        collMod: 'logs',
        index: { name: 'timestamp_ttl', expireAfterSeconds },
      });
    }
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof MongoTopologyClosedError && !this.closed) {
        // The driver gave up on its topology (it does after a failed first connect): reopen it
        // in the background so the store recovers, and answer "unavailable" meanwhile.
        this.reconnecting ??= this.client
          .connect()
          .catch(() => {})
          .finally(() => (this.reconnecting = undefined));
        throw new StoreUnavailableError(error);
      }
      if (
        error instanceof MongoServerSelectionError ||
        error instanceof MongoNetworkError ||
        error instanceof MongoNotConnectedError
      ) {
        throw new StoreUnavailableError(error);
      }
      throw error;
    }
  }
}

/** $text ORs words by default; quoting each one makes it "all words", like websearch_to_tsquery. */
function toAllWordsSearch(text: string): string {
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => `"${word.replace(/"/g, '')}"`)
    .join(' ');
}

function toDocument(entry: LogEntry, receivedAt: Date): LogDocument {
  const { event_id, ...rest } = entry;
  return { _id: event_id, ...rest, received_at: receivedAt };
}

function toEntry(doc: LogDocument): LogEntry {
  return {
    event_id: doc._id,
    name: doc.name,
    data: doc.data,
    level: doc.level,
    service: doc.service,
    ...(doc.trace_id ? { trace_id: doc.trace_id } : {}),
    ...(doc.span_id ? { span_id: doc.span_id } : {}),
    ...(doc.metadata ? { metadata: doc.metadata } : {}),
    timestamp: doc.timestamp,
  };
}
