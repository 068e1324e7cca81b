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
import { levelSchema } from './levels';

/**
 * A log entry as any producer may send it (the logger's HTTP JSON, a gRPC `Log` after its empty
 * strings are dropped, the broker's `log` action). Only `name` and `data` are required; the logger
 * fills the rest (a fresh event_id, INFO, service "unknown", the receive time). Unknown fields are
 * refused: use `.shape` to build a lenient edge schema.
 */
export const logEntryInputSchema = z.strictObject({
  name: nameSchema,
  data: dataSchema,
  level: levelSchema.optional(),
  service: serviceSchema.optional(),
  event_id: eventIdSchema.optional(),
  trace_id: traceIdSchema.optional(),
  span_id: spanIdSchema.optional(),
  metadata: metadataSchema.optional(),
  timestamp: timestampSchema.optional(),
});

/** What a producer writes (level spelled any accepted way). */
export type LogEntryInput = z.input<typeof logEntryInputSchema>;
/** The same after validation (level normalised, event_id lower case). */
export type ValidLogEntryInput = z.output<typeof logEntryInputSchema>;
