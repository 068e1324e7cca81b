import type { Logger } from '@micromesh/kit';
import {
  MongoBulkWriteError,
  MongoClient,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  type Collection,
} from 'mongodb';
import { mongoDatabaseName } from './database-name';
import type { SpanKindName, SpanRecord, SpanStatus } from '../../domain/span-record';
import {
  StoreUnavailableError,
  type TraceListQuery,
  type TraceStore,
  type TraceSummary,
} from '../../domain/ports';

export interface MongoTraceStoreOptions {
  url: string;
  /** The logs' database (LOG_STORE_DB), else the URL's path names it. */
  database?: string;
  logger: Logger;
  poolSize: number;
  connectTimeoutMs: number;
  retentionDays: number;
}

/**
 * `_id` is `<trace_id>:<span_id>`, so a re-sent span is stored once. Attributes are kept as JSON
 * text: their keys are dotted (`http.route`), which MongoDB field names handle badly.
 */
interface SpanDocument {
  _id: string;
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  service: string;
  name: string;
  kind: SpanKindName;
  start_us: number;
  duration_us: number;
  start_time: Date;
  status: SpanStatus;
  status_message?: string;
  attributes: string;
  links: { trace_id: string; span_id: string }[];
}

const DUPLICATE_KEY = 11000;
/** Most spans one trace list reads (newest first); older traces of the window are left out. */
const LIST_SCAN_LIMIT = 50_000;

interface Group {
  trace_id: string;
  start_us: number;
  end_us: number;
  span_count: number;
  error: boolean;
  services: Set<string>;
  root?: { service: string; name: string; start_us: number; isRoot: boolean };
}

const newGroup = (traceId: string): Group => ({
  trace_id: traceId,
  start_us: Number.POSITIVE_INFINITY,
  end_us: Number.NEGATIVE_INFINITY,
  span_count: 0,
  error: false,
  services: new Set(),
});
const INDEX_OPTIONS_CONFLICT = 85;
/** FerretDB and other wire-compatible servers without TTL indexes. */
const NOT_IMPLEMENTED = 238;
const DAY_SECONDS = 24 * 60 * 60;

/** MongoDB adapter of the TraceStore (compose/k8s, beside the logs); TTL index for retention. */
export class MongoTraceStore implements TraceStore {
  private readonly client: MongoClient;
  private readonly spans: Collection<SpanDocument>;

  constructor(private readonly options: MongoTraceStoreOptions) {
    this.client = new MongoClient(options.url, {
      appName: 'micromesh-logger-traces',
      maxPoolSize: options.poolSize,
      serverSelectionTimeoutMS: options.connectTimeoutMs,
      connectTimeoutMS: options.connectTimeoutMs,
      waitQueueTimeoutMS: options.connectTimeoutMs,
      // Spans are diagnostics, not records: acknowledged by the primary is enough.
      writeConcern: { w: 1 },
    });
    this.spans = this.client
      .db(mongoDatabaseName(options.url, options.database))
      .collection<SpanDocument>('spans');
  }

  async init(): Promise<void> {
    await this.guard(async () => {
      await this.client.connect();
      await this.spans.createIndexes([
        { key: { trace_id: 1, start_us: 1 }, name: 'trace_start' },
        { key: { start_time: -1 }, name: 'start_time_desc' },
      ]);
      await this.ensureTtlIndex();
    });
  }

  async insertSpans(spans: readonly SpanRecord[]): Promise<number> {
    if (spans.length === 0) return 0;
    const docs = spans.map(toDocument);
    try {
      const result = await this.guard(() => this.spans.insertMany(docs, { ordered: false }));
      return result.insertedCount;
    } catch (error) {
      // Duplicates only: the others were written.
      if (
        error instanceof MongoBulkWriteError &&
        Array.isArray(error.writeErrors) &&
        error.writeErrors.every((e) => e.code === DUPLICATE_KEY)
      ) {
        return error.result.insertedCount;
      }
      throw error;
    }
  }

  async getTrace(traceId: string): Promise<SpanRecord[]> {
    const docs = await this.guard(() =>
      this.spans.find({ trace_id: traceId }).sort({ start_us: 1, span_id: 1 }).toArray(),
    );
    return docs.map(toRecord);
  }

  /**
   * Grouped here rather than in an aggregation pipeline: wire-compatible servers (FerretDB) lack
   * `$min`/`$max` in `$group`. Reads the newest LIST_SCAN_LIMIT spans of the window at most.
   */
  async listTraces(query: TraceListQuery): Promise<TraceSummary[]> {
    const spans = await this.guard(() =>
      this.spans
        .find(
          { start_time: { $gte: query.since } },
          {
            projection: {
              trace_id: 1,
              parent_span_id: 1,
              service: 1,
              name: 1,
              start_us: 1,
              duration_us: 1,
              status: 1,
            },
          },
        )
        .sort({ start_time: -1 })
        .limit(LIST_SCAN_LIMIT)
        .toArray(),
    );
    const traces = new Map<string, Group>();
    for (const span of spans) {
      const group = traces.get(span.trace_id) ?? newGroup(span.trace_id);
      traces.set(span.trace_id, group);
      group.start_us = Math.min(group.start_us, span.start_us);
      group.end_us = Math.max(group.end_us, span.start_us + span.duration_us);
      group.span_count++;
      group.error ||= span.status === 'error';
      group.services.add(span.service);
      const isRoot = !span.parent_span_id;
      const root = group.root;
      if (
        !root ||
        (isRoot && !root.isRoot) ||
        (isRoot === root.isRoot && span.start_us < root.start_us)
      ) {
        group.root = { service: span.service, name: span.name, start_us: span.start_us, isRoot };
      }
    }
    const matching = [...traces.values()].filter(
      (t) =>
        (!query.service || t.services.has(query.service)) &&
        (query.minDurationUs === undefined || t.end_us - t.start_us >= query.minDurationUs) &&
        (query.error === undefined || t.error === query.error),
    );
    const duration = (t: Group) => t.end_us - t.start_us;
    matching.sort((a, b) =>
      query.sort === 'slowest'
        ? duration(b) - duration(a) || b.start_us - a.start_us
        : b.start_us - a.start_us || a.trace_id.localeCompare(b.trace_id),
    );
    return matching.slice(0, query.limit).map((t) => ({
      trace_id: t.trace_id,
      root_service: t.root?.service ?? 'unknown',
      root_name: t.root?.name ?? '',
      start_us: t.start_us,
      duration_us: duration(t),
      span_count: t.span_count,
      error: t.error,
    }));
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    const result = await this.guard(() => this.spans.deleteMany({ start_time: { $lt: cutoff } }));
    return result.deletedCount;
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /**
   * A TTL index deletes old spans continuously where the server has TTL indexes; elsewhere
   * (FerretDB) the retention pass, which runs either way, is the only deletion.
   */
  private async ensureTtlIndex(): Promise<void> {
    const expireAfterSeconds = this.options.retentionDays * DAY_SECONDS;
    if (expireAfterSeconds <= 0) return;
    try {
      await this.spans.createIndex(
        { start_time: 1 },
        { name: 'start_time_ttl', expireAfterSeconds },
      );
    } catch (error) {
      if (!(error instanceof MongoServerError)) throw error;
      if (error.code === NOT_IMPLEMENTED) {
        this.options.logger.info('spans: no TTL index on this server; the retention pass deletes');
        return;
      }
      if (error.code !== INDEX_OPTIONS_CONFLICT) throw error;
      await this.spans.db.command({
        collMod: 'spans',
        index: { name: 'start_time_ttl', expireAfterSeconds },
      });
    }
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (
        error instanceof MongoTopologyClosedError ||
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

function toDocument(span: SpanRecord): SpanDocument {
  return {
    _id: `${span.trace_id}:${span.span_id}`,
    trace_id: span.trace_id,
    span_id: span.span_id,
    ...(span.parent_span_id ? { parent_span_id: span.parent_span_id } : {}),
    service: span.service,
    name: span.name,
    kind: span.kind,
    start_us: span.start_us,
    duration_us: span.duration_us,
    start_time: new Date(span.start_us / 1000),
    status: span.status,
    ...(span.status_message ? { status_message: span.status_message } : {}),
    attributes: JSON.stringify(span.attributes),
    links: span.links,
  };
}

function toRecord(doc: SpanDocument): SpanRecord {
  return {
    trace_id: doc.trace_id,
    span_id: doc.span_id,
    ...(doc.parent_span_id ? { parent_span_id: doc.parent_span_id } : {}),
    service: doc.service,
    name: doc.name,
    kind: doc.kind,
    start_us: doc.start_us,
    duration_us: doc.duration_us,
    status: doc.status,
    ...(doc.status_message ? { status_message: doc.status_message } : {}),
    attributes: JSON.parse(doc.attributes) as Record<string, unknown>,
    links: doc.links,
  };
}
