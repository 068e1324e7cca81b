import { randomUUID } from 'node:crypto';
import { metadataSchema, spanIdSchema, traceIdSchema } from '@micromesh/kit';
import { z } from 'zod';

/** The reference's five levels; AMQP events use the INFO/WARNING/ERROR subset. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'FATAL'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const logLevelSchema = z
  .string()
  .transform((v) => v.trim().toUpperCase())
  .transform((v) => (v === 'WARN' ? 'WARNING' : v))
  .pipe(z.enum(LOG_LEVELS, { error: `level must be one of ${LOG_LEVELS.join(', ')} (or WARN)` }));

/** A stored log entry. `event_id` is its identity: writing it twice stores it once. */
export interface LogEntry {
  event_id: string;
  name: string;
  data: string;
  level: LogLevel;
  service: string;
  trace_id?: string;
  span_id?: string;
  metadata?: Record<string, unknown>;
  /** Millisecond precision everywhere, so cursors compare exactly across both stores. */
  timestamp: Date;
}

export const MAX_DATA_LENGTH = 65_536;

/** What a producer may send (HTTP JSON or a gRPC Log after empty strings are dropped). */
export const newLogEntrySchema = z.strictObject({
  name: z.string().trim().min(1, 'name is required').max(200),
  data: z.string().max(MAX_DATA_LENGTH),
  level: logLevelSchema.optional(),
  service: z.string().trim().min(1).max(64).optional(),
  event_id: z
    .uuid()
    .transform((v) => v.toLowerCase())
    .optional(),
  trace_id: traceIdSchema.optional(),
  span_id: spanIdSchema.optional(),
  metadata: metadataSchema.optional(),
  timestamp: z.iso.datetime({ offset: true }).optional(),
});

export type NewLogEntry = z.input<typeof newLogEntrySchema>;

/** Fills the defaults: a fresh event_id, INFO, service "unknown", the receive time. */
export function toLogEntry(input: z.output<typeof newLogEntrySchema>, now = new Date()): LogEntry {
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
