import { randomUUID } from 'node:crypto';
import type { Level, ValidLogEntryInput } from '@micromesh/contracts';

/**
 * A stored log entry. `event_id` is its identity: writing it twice stores it once. What a producer
 * may send is @micromesh/contracts' `logEntryInputSchema`; this is the same after the defaults.
 */
export interface LogEntry {
  event_id: string;
  name: string;
  data: string;
  level: Level;
  service: string;
  trace_id?: string;
  span_id?: string;
  metadata?: Record<string, unknown>;
  /** Millisecond precision everywhere, so cursors compare exactly across both stores. */
  timestamp: Date;
}

/** Fills the defaults: a fresh event_id, INFO, service "unknown", the receive time. */
export function toLogEntry(input: ValidLogEntryInput, now = new Date()): LogEntry {
  return {
    event_id: input.event_id ?? randomUUID(),
    name: input.name,
    data: input.data,
    level: input.level ?? 'INFO',
    service: input.service ?? 'unknown',
    ...(input.trace_id ? { trace_id: input.trace_id } : {}),
    ...(input.span_id ? { span_id: input.span_id } : {}),
    ...(input.metadata && Object.keys(input.metadata).length > 0
      ? { metadata: input.metadata }
      : {}),
    timestamp: input.timestamp ? new Date(input.timestamp) : now,
  };
}
