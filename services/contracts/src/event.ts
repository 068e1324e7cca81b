import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  dataSchema,
  eventIdSchema,
  metadataSchema,
  nameSchema,
  serviceSchema,
  spanIdSchema,
  timestampSchema,
  traceIdSchema,
} from './fields';
import { levelSchema, type Level } from './levels';

/**
 * The JSON body of every message on `logs_topic` (DESIGN.md "Event contract"). Producers build it
 * with `createEvent`; the listener validates with this schema and dead-letters what does not parse.
 * It holds to the same store-safety rules as a log entry, so what is published can be stored.
 */
export const eventSchema = z.object({
  event_id: eventIdSchema,
  name: nameSchema,
  data: dataSchema,
  level: levelSchema,
  service: serviceSchema,
  trace_id: traceIdSchema.optional(),
  span_id: spanIdSchema.optional(),
  metadata: metadataSchema.optional(),
  timestamp: timestampSchema,
});

export type LogEvent = z.output<typeof eventSchema>;

export interface NewEvent {
  name: string;
  data: string;
  level?: Level;
  service: string;
  event_id?: string;
  trace_id?: string;
  span_id?: string;
  metadata?: Record<string, unknown>;
}

/** An event stamped now, with a fresh event_id unless one is given. Not validated: parse it. */
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
