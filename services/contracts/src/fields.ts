import { z } from 'zod';
import { LIMITS } from './limits';
import { metadataIssues, textProblem } from './store-safety';

/** A string every store can hold: no NUL characters, no unpaired surrogates. */
export function storeSafeString() {
  return z.string().superRefine((value, ctx) => {
    const problem = textProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
  });
}

const hex = (length: number, what: string) =>
  z
    .string()
    .regex(
      new RegExp(`^[0-9a-f]{${length}}$`),
      `${what} must be ${length} lower-case hex characters`,
    );

/** W3C trace-context ids (lower-case hex). */
export const traceIdSchema = hex(32, 'trace_id');
export const spanIdSchema = hex(16, 'span_id');

export const nameSchema = storeSafeString()
  .trim()
  .min(1, 'name is required')
  .max(LIMITS.nameLength, `name is at most ${LIMITS.nameLength} characters`);

export const dataSchema = storeSafeString().max(
  LIMITS.dataLength,
  `data is at most ${LIMITS.dataLength} characters`,
);

export const serviceSchema = storeSafeString()
  .trim()
  .min(1, 'service must not be empty')
  .max(LIMITS.serviceLength, `service is at most ${LIMITS.serviceLength} characters`);

/** A JSON object of context; see metadataIssues for what a store refuses in it. */
export const metadataSchema = z
  .record(z.string(), z.unknown(), 'metadata must be a JSON object')
  .superRefine((metadata, ctx) => {
    if (Object.keys(metadata).length > LIMITS.metadataKeys) {
      ctx.addIssue({
        code: 'custom',
        message: `at most ${LIMITS.metadataKeys} metadata keys`,
        input: metadata,
      });
      return;
    }
    for (const issue of metadataIssues(metadata)) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path, input: metadata });
    }
  });

export const eventIdSchema = z.uuid('event_id must be a UUID').transform((v) => v.toLowerCase());

export const timestampSchema = z.iso.datetime({
  offset: true,
  error: 'timestamp must be RFC 3339 with an offset, e.g. 2026-11-22T03:40:17.123Z',
});
