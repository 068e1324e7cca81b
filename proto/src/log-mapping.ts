import { encodeMetadata } from './metadata-json';
import type { Log } from './generated/logs/Log';

/**
 * A log entry or event as every service holds it (the contract's fields, after defaults): what
 * `toLogMessage` puts on the wire. `timestamp` is RFC 3339 text (events) or a Date (stored entries).
 */
export interface LogMessageSource {
  name: string;
  data: string;
  level: string;
  service: string;
  event_id: string;
  trace_id?: string | undefined;
  span_id?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  timestamp: string | Date;
}

/**
 * An entry → the proto `Log`, the one spelling of the wire for every producer (broker, listener)
 * and for the logger's answers: proto3 strings have no absence, so absent ids are "", metadata is
 * JSON object text ("" when empty), the timestamp RFC 3339.
 */
export function toLogMessage(entry: LogMessageSource): Log {
  return {
    name: entry.name,
    data: entry.data,
    level: entry.level,
    service: entry.service,
    event_id: entry.event_id,
    trace_id: entry.trace_id ?? '',
    span_id: entry.span_id ?? '',
    metadata: encodeMetadata(entry.metadata),
    timestamp:
      typeof entry.timestamp === 'string' ? entry.timestamp : entry.timestamp.toISOString(),
  };
}
