import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { EVENT_LEVELS, type EventLevel } from './topology';

/** Accepts `info`, `Warn`, `WARNING`… and normalises to the routing-key spelling. */
export const levelSchema = z
  .string()
  .transform((v) => v.trim().toUpperCase())
  .transform((v) => (v === 'WARN' ? 'WARNING' : v))
  .pipe(z.enum(EVENT_LEVELS));

const hex = (length: number) => z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`));

/** W3C trace-context ids (lower-case hex). */
export const traceIdSchema = hex(32);
export const spanIdSchema = hex(16);

export const metadataSchema = z
  .record(z.string().max(128), z.unknown())
  .refine((m) => Object.keys(m).length <= 64, 'at most 64 metadata keys');

/**
 * The JSON body of every message on `logs_topic`. Producers build it with `createEvent`;
 * consumers validate with `eventSchema` and dead-letter what does not parse.
 */
export const eventSchema = z.object({
  event_id: z.uuid(),
  name: z.string().min(1).max(200),
  data: z.string().max(65_536),
  level: levelSchema,
  service: z.string().min(1).max(64),
  trace_id: traceIdSchema.optional(),
  span_id: spanIdSchema.optional(),
  metadata: metadataSchema.optional(),
  timestamp: z.iso.datetime({ offset: true }),
});

export type LogEvent = z.infer<typeof eventSchema>;

export interface NewEvent {
  name: string;
  data: string;
  level?: EventLevel;
  service: string;
  event_id?: string;
  trace_id?: string;
  span_id?: string;
  metadata?: Record<string, unknown>;
}

export function createEvent(input: NewEvent): LogEvent {
  return {
    event_id: input.event_id ?? randomUUID(),
    name: input.name,
    data: input.data,
    level: input.level ?? 'INFO',
    service: input.service,
    ...(input.trace_id ? { trace_id: input.trace_id } : {}),
    ...(input.span_id ? { span_id: input.span_id } : {}),
    ...(input.metadata ? { metadata: input.metadata } : {}),
    timestamp: new Date().toISOString(),
  };
}

/** W3C `traceparent` header value for an event, when it carries trace ids. */
export function traceparentFor(event: Pick<LogEvent, 'trace_id' | 'span_id'>): string | undefined {
  return event.trace_id && event.span_id ? `00-${event.trace_id}-${event.span_id}-01` : undefined;
}
