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
  type Document,
} from 'mongodb';
import { StoreUnavailableError } from '../../domain/log-store';
import type { SpanKindName, SpanRecord, SpanStatus } from '../../domain/span-record';
import type { TraceListQuery, TraceStore, TraceSummary } from '../../domain/trace-store';

export interface MongoTraceStoreOptions {
  url: string;
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
const INDEX_OPTIONS_CONFLICT = 85;
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
    this.spans = this.client.db().collection<SpanDocument>('spans');
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

  async listTraces(query: TraceListQuery): Promise<TraceSummary[]> {
    const having: Document = {};
    if (query.service) having.services = query.service;
    if (query.minDurationUs !== undefined) having.duration_us = { $gte: query.minDurationUs };
    if (query.error !== undefined) having.error = query.error;
    const sort: Document =
      query.sort === 'slowest' ? { duration_us: -1, start_us: -1 } : { start_us: -1, _id: 1 };
    const traces = await this.guard(() =>
      this.spans
        .aggregate<{
          _id: string;
          start_us: number;
          duration_us: number;
          span_count: number;
          error: boolean;
        }>([
          { $match: { start_time: { $gte: query.since } } },
          {
            $group: {
              _id: '$trace_id',
              start_us: { $min: '$start_us' },
              end_us: { $max: { $add: ['$start_us', '$duration_us'] } },
              span_count: { $sum: 1 },
              error: { $max: { $eq: ['$status', 'error'] } },
              services: { $addToSet: '$service' },
            },
          },
          { $addFields: { duration_us: { $subtract: ['$end_us', '$start_us'] } } },
          { $match: having },
          { $sort: sort },
          { $limit: query.limit },
          { $project: { services: 0, end_us: 0 } },
        ])
        .toArray(),
    );
    if (traces.length === 0) return [];
    const spans = await this.guard(() =>
      this.spans
        .find(
          { trace_id: { $in: traces.map((t) => t._id) } },
          { projection: { trace_id: 1, parent_span_id: 1, service: 1, name: 1, start_us: 1 } },
        )
        .toArray(),
    );
    const roots = new Map<
      string,
      Pick<SpanDocument, 'service' | 'name' | 'start_us'> & { isRoot: boolean }
    >();
    for (const span of spans) {
      const candidate = { ...span, isRoot: !span.parent_span_id };
      const current = roots.get(span.trace_id);
      if (
        !current ||
        (candidate.isRoot && !current.isRoot) ||
        (candidate.isRoot === current.isRoot && candidate.start_us < current.start_us)
      ) {
        roots.set(span.trace_id, candidate);
      }
    }
    return traces.map((t) => ({
      trace_id: t._id,
      root_service: roots.get(t._id)?.service ?? 'unknown',
      root_name: roots.get(t._id)?.name ?? '',
      start_us: t.start_us,
      duration_us: t.duration_us,
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

  private async ensureTtlIndex(): Promise<void> {
    const expireAfterSeconds = this.options.retentionDays * DAY_SECONDS;
    if (expireAfterSeconds <= 0) return;
    try {
      await this.spans.createIndex(
        { start_time: 1 },
        { name: 'start_time_ttl', expireAfterSeconds },
      );
    } catch (error) {
      if (!(error instanceof MongoServerError) || error.code !== INDEX_OPTIONS_CONFLICT)
        throw error;
      await this.client.db().command({
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
