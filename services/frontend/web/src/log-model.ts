import { levelNamed, type Level } from '@micromesh/contracts/level-names';

export type { Level } from '@micromesh/contracts/level-names';

/** Log entries as the explorer shows them, whatever spelling the API used for each field. */
export interface LogEntry {
  id: string;
  timestamp: Date;
  level: Level;
  service: string;
  name: string;
  data: string;
  traceId?: string;
  raw: unknown;
}

export interface LogPage {
  entries: LogEntry[];
  nextCursor?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function pick(obj: Json, ...keys: string[]): unknown {
  for (const key of keys) if (obj[key] !== undefined && obj[key] !== null) return obj[key];
  return undefined;
}

function str(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** An entry whose level the explorer cannot read is shown as INFO. */
export function normalizeLevel(value: unknown): Level {
  return levelNamed(str(value)) ?? 'INFO';
}

let fallbackId = 0;

export function toLogEntry(raw: unknown): LogEntry | null {
  if (!isObject(raw)) return null;
  const time = pick(raw, 'timestamp', 'created_at', 'createdAt', 'time');
  const parsed = typeof time === 'number' || typeof time === 'string' ? new Date(time) : null;
  const timestamp = parsed && !Number.isNaN(parsed.getTime()) ? parsed : new Date();
  return {
    id: str(pick(raw, 'event_id', 'eventId', 'id', '_id')) || `local-${++fallbackId}`,
    timestamp,
    level: normalizeLevel(pick(raw, 'level', 'severity')),
    service: str(pick(raw, 'service', 'source')) || '—',
    name: str(pick(raw, 'name', 'event')),
    data: str(pick(raw, 'data', 'message', 'msg')),
    traceId: str(pick(raw, 'trace_id', 'traceId')) || undefined,
    raw,
  };
}

/** Reads a page from a response body: an envelope around {items|logs|entries, next_cursor}. */
export function toLogPage(body: unknown): LogPage {
  const data = isObject(body) && 'data' in body ? body.data : body;
  const list = Array.isArray(data)
    ? data
    : isObject(data)
      ? pick(data, 'items', 'logs', 'entries', 'results')
      : undefined;
  const entries = (Array.isArray(list) ? list : [])
    .map(toLogEntry)
    .filter((e): e is LogEntry => e !== null);
  const cursorSource = isObject(data) ? data : isObject(body) ? body : {};
  const cursor = pick(cursorSource, 'next_cursor', 'nextCursor', 'cursor', 'next');
  return { entries, nextCursor: typeof cursor === 'string' && cursor ? cursor : undefined };
}
