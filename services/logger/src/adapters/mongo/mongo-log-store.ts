import type { Logger } from '@micromesh/kit';
import {
  MongoClient,
  MongoServerError,
  MongoTopologyClosedError,
  type Collection,
  type Db,
  type Filter,
} from 'mongodb';
import type { LogEntry } from '../../domain/log-entry';
import type { LogQuery } from '../../domain/log-query';
import type { InsertOutcome, LogStore, StoreWatch } from '../../domain/ports';
import { indexTerms, queryTerms } from '../../domain/search-terms';
import { openChangeStreamTail, type TailHandle } from './change-stream-tail';
import { mongoDatabaseName } from './database-name';
import { insertDocuments } from './insert-documents';
import { ENTRY_PROJECTION, toDocument, toEntry, type LogDocument } from './log-document';
import { toStoreError } from './mongo-errors';
import { openPollingTail } from './polling-tail';
import { syncTtlIndex } from './ttl-index';

export interface MongoLogStoreOptions {
  url: string;
  /** LOG_STORE_DB; else the URL's path names the database (see database-name.ts). */
  database?: string;
  logger: Logger;
  poolSize: number;
  connectTimeoutMs: number;
  /**
   * Budget of one call to the store, within the callers' deadlines (the broker gives the logger
   * 2 s): server selection (a primary to write to), `wtimeoutMS` of the majority write concern and
   * `maxTimeMS` of reads. Past it the call fails UNAVAILABLE and the caller retries.
   */
  operationTimeoutMs: number;
  retentionDays: number;
  /** Interval of the polling tail used where the server has no change streams. */
  tailPollMs?: number;
}

const INDEXES = [
  { key: { timestamp: -1, _id: -1 }, name: 'timestamp_desc' },
  { key: { service: 1, timestamp: -1, _id: -1 }, name: 'service_timestamp' },
  { key: { level: 1, timestamp: -1, _id: -1 }, name: 'level_timestamp' },
  { key: { trace_id: 1 }, name: 'trace_id', sparse: true },
  { key: { terms: 1 }, name: 'terms' },
  { key: { received_at: 1, _id: 1 }, name: 'received_at' },
] as const;
const OLD_TEXT_INDEX = 'text_search';
const INDEX_NOT_FOUND = 27;
const NAMESPACE_NOT_FOUND = 26;
const BACKFILL_CHUNK = 1_000;

/**
 * MongoDB adapter (compose/k8s default). Writes use w:'majority', j:true with a wtimeout:
 * acknowledged means on a majority's journal. Text search uses the logger's own terms (a multikey
 * index on `terms`), so it answers as the PostgreSQL adapter does and works on FerretDB. The live
 * tail is a change stream on a replica set, a polling tail elsewhere (see watch()).
 */
export class MongoLogStore implements LogStore {
  readonly kind = 'mongodb' as const;
  private readonly client: MongoClient;
  private readonly db: Db;
  private readonly logs: Collection<LogDocument>;
  private closed = false;
  private reconnecting?: Promise<unknown>;
  private readonly tails = new Set<TailHandle>();

  constructor(private readonly options: MongoLogStoreOptions) {
    const timeout = options.operationTimeoutMs;
    this.client = new MongoClient(options.url, {
      appName: 'micromesh-logger',
      maxPoolSize: options.poolSize,
      // Finding a writable primary is part of a call's budget: a short failover (a step-down, a
      // fast election) completes within it; a longer one answers UNAVAILABLE and callers retry.
      serverSelectionTimeoutMS: timeout,
      connectTimeoutMS: options.connectTimeoutMs,
      waitQueueTimeoutMS: options.connectTimeoutMs,
      // Last resort against a socket that stops answering (reads carry maxTimeMS, writes wtimeout).
      socketTimeoutMS: Math.max(10_000, timeout * 4),
      writeConcern: { w: 'majority', journal: true, wtimeoutMS: timeout },
    });
    this.db = this.client.db(mongoDatabaseName(options.url, options.database));
    this.logs = this.db.collection<LogDocument>('logs');
  }

  get databaseName(): string {
    return this.db.databaseName;
  }

  async init(): Promise<void> {
    await this.guard(async () => {
      // Connect explicitly: a failed implicit first connect leaves the client closed for good.
      await this.client.connect();
      await this.createMissingIndexes();
      await this.dropOldTextIndex();
      await this.backfillTerms();
      await syncTtlIndex(this.db, this.logs, this.options.retentionDays, this.options.logger);
    });
  }

  /** One unordered insert; each entry's outcome is classified in insert-documents.ts. */
  async insertMany(entries: readonly LogEntry[]): Promise<InsertOutcome> {
    if (entries.length === 0) return { inserted: new Set(), refused: new Map() };
    const now = new Date();
    const docs = entries.map((e) => toDocument(e, now));
    return this.guard(() => insertDocuments(this.logs, docs));
  }

  async query(query: LogQuery): Promise<LogEntry[]> {
    const filter: Filter<LogDocument> = {};
    if (query.service) filter.service = query.service;
    if (query.level) filter.level = query.level;
    if (query.trace_id) filter.trace_id = query.trace_id;
    const terms = query.text ? queryTerms(query.text) : [];
    if (terms.length > 0) filter.terms = { $all: terms };
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
      this.logs
        .find(filter, {
          projection: ENTRY_PROJECTION,
          maxTimeMS: this.options.operationTimeoutMs,
        })
        .sort({ timestamp: -1, _id: -1 })
        .limit(query.limit)
        .toArray(),
    );
    return docs.map(toEntry);
  }

  async get(eventId: string): Promise<LogEntry | undefined> {
    const doc = await this.guard(() =>
      this.logs.findOne(
        { _id: eventId },
        { projection: ENTRY_PROJECTION, maxTimeMS: this.options.operationTimeoutMs },
      ),
    );
    return doc ? toEntry(doc) : undefined;
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    // The TTL index does this continuously where the server has one; an explicit run keeps both
    // adapters to one contract and is the only deletion on servers without TTL (FerretDB).
    const result = await this.guard(() => this.logs.deleteMany({ timestamp: { $lt: cutoff } }));
    return result.deletedCount;
  }

  async ping(): Promise<void> {
    await this.guard(() => this.db.command({ ping: 1 }));
  }

  /**
   * A change stream where the server has them (a replica set); otherwise — a standalone server,
   * FerretDB — a polling tail on `received_at` (every `tailPollMs`, default 500 ms), with a
   * warning in the log. Either way this resolves once the tail is live.
   */
  async watch(onEntries: (entries: LogEntry[]) => void): Promise<StoreWatch> {
    const { logger } = this.options;
    let delivery: StoreWatch['delivery'] = 'push';
    const tail = await this.guard(async () => {
      const stream = await openChangeStreamTail(this.logs, onEntries, logger);
      if (stream !== 'unsupported') return stream;
      delivery = 'polling';
      logger.warn(
        'live tail: this MongoDB server cannot stream changes (standalone or FerretDB); polling new entries instead',
      );
      return openPollingTail(this.logs, onEntries, logger, {
        intervalMs: this.options.tailPollMs ?? 500,
        windowMs: 10_000,
      });
    });
    this.tails.add(tail);
    return {
      delivery,
      close: async () => {
        this.tails.delete(tail);
        await tail.close();
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.tails].map((tail) => tail.close()));
    this.tails.clear();
    await this.client.close();
  }

  /**
   * One createIndex per missing index: FerretDB 1.24 drops the connection on a createIndexes
   * command naming several indexes of which some exist (every restart, every second replica).
   */
  private async createMissingIndexes(): Promise<void> {
    const indexes = await this.logs
      .listIndexes()
      .toArray()
      .catch((error: unknown) => {
        if (error instanceof MongoServerError && error.code === NAMESPACE_NOT_FOUND) return [];
        throw error;
      });
    const existing = new Set(indexes.map((index) => index.name));
    for (const { key, name, ...options } of INDEXES) {
      if (!existing.has(name)) await this.logs.createIndex(key, { name, ...options });
    }
  }

  private async dropOldTextIndex(): Promise<void> {
    try {
      await this.logs.dropIndex(OLD_TEXT_INDEX);
    } catch (error) {
      if (!(error instanceof MongoServerError) || error.code !== INDEX_NOT_FOUND) throw error;
    }
  }

  /** Documents written before search terms existed get them (once; a no-op afterwards). */
  private async backfillTerms(): Promise<void> {
    for (;;) {
      const docs = await this.logs
        .find({ terms: { $exists: false } }, { projection: { _id: 1, name: 1, data: 1 } })
        .limit(BACKFILL_CHUNK)
        .toArray();
      if (docs.length === 0) return;
      await this.logs.bulkWrite(
        docs.map((doc) => ({
          updateOne: {
            filter: { _id: doc._id },
            update: { $set: { terms: indexTerms(doc.name, doc.data) } },
          },
        })),
        { ordered: false },
      );
      if (docs.length < BACKFILL_CHUNK) return;
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
      }
      throw toStoreError(error);
    }
  }
}
