import { AppError } from '@micromesh/kit';
import { z } from 'zod';
import {
  LIMITS,
  levelSchema,
  serviceSchema,
  storeSafeString,
  traceIdSchema,
  type Level,
} from '@micromesh/contracts';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** Keyset position: the last entry of the previous page in (timestamp desc, event_id desc). */
export interface CursorPosition {
  timestamp: Date;
  event_id: string;
}

export interface LogFilter {
  service?: string;
  level?: Level;
  /** Words that must all occur in name or data (the search of domain/search-terms.ts). */
  text?: string;
  trace_id?: string;
}

export interface LogQuery extends LogFilter {
  from?: Date;
  to?: Date;
  limit: number;
  after?: CursorPosition;
}

export interface LogPage<T> {
  entries: T[];
  next_cursor: string | null;
}

const isoDate = z.iso.datetime({ offset: true }).transform((v) => new Date(v));

export const filterSchema = z.object({
  service: serviceSchema.optional(),
  level: levelSchema.optional(),
  // Searched text is passed to the store like stored text, so it obeys the same rules.
  text: storeSafeString().trim().min(1).max(LIMITS.nameLength).optional(),
  trace_id: traceIdSchema.optional(),
});

export const querySchema = filterSchema.extend({
  from: isoDate.optional(),
  to: isoDate.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1).max(200).optional(),
});

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(
    JSON.stringify([position.timestamp.toISOString(), position.event_id]),
  ).toString('base64url');
}

const cursorTuple = z.tuple([z.iso.datetime(), z.uuid()]);

/** Cursors are opaque to clients; anything not made by encodeCursor is a 400. */
export function decodeCursor(cursor: string): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = cursorTuple.safeParse(parsed);
  if (!result.success) {
    throw AppError.badRequest('invalid cursor', [{ path: 'cursor', message: 'not a cursor' }]);
  }
  return { timestamp: new Date(result.data[0]), event_id: result.data[1] };
}

export function toLogQuery(input: z.output<typeof querySchema>): LogQuery {
  if (input.from && input.to && input.from >= input.to) {
    throw AppError.badRequest('invalid request', [
      { path: 'to', message: 'to must be after from' },
    ]);
  }
  const { cursor, ...rest } = input;
  return { ...stripUndefined(rest), ...(cursor ? { after: decodeCursor(cursor) } : {}) };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
