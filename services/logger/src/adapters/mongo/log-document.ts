import type { Level } from '@micromesh/contracts';
import type { LogEntry } from '../../domain/log-entry';
import { indexTerms } from '../../domain/search-terms';

/** `_id` is the event_id: the primary key itself makes every write idempotent. */
export interface LogDocument {
  _id: string;
  name: string;
  data: string;
  level: Level;
  service: string;
  trace_id?: string;
  span_id?: string;
  metadata?: Record<string, unknown>;
  timestamp: Date;
  /** When this logger wrote it (its clock): the polling tail reads new documents by it. */
  received_at: Date;
  /** The search terms of name + data (domain/search-terms.ts), multikey-indexed. */
  terms: string[];
}

/** Fields read back: everything but the adapter's own bookkeeping. */
export const ENTRY_PROJECTION = { received_at: 0, terms: 0 } as const;

export function toDocument(entry: LogEntry, receivedAt: Date): LogDocument {
  const { event_id, ...rest } = entry;
  return {
    _id: event_id,
    ...rest,
    received_at: receivedAt,
    terms: indexTerms(entry.name, entry.data),
  };
}

export function toEntry(doc: Omit<LogDocument, 'received_at' | 'terms'>): LogEntry {
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
