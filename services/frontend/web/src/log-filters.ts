import type { Level, LogEntry } from './log-model';

export const RANGES = [
  { id: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { id: '1h', label: 'Last hour', ms: 60 * 60_000 },
  { id: '6h', label: 'Last 6 hours', ms: 6 * 60 * 60_000 },
  { id: '24h', label: 'Last 24 hours', ms: 24 * 60 * 60_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 24 * 60 * 60_000 },
] as const;
export type RangeId = (typeof RANGES)[number]['id'];

export interface LogFilters {
  service: string;
  level: Level | '';
  text: string;
  traceId: string;
  range: RangeId;
}

export const DEFAULT_FILTERS: LogFilters = {
  service: '',
  level: '',
  text: '',
  traceId: '',
  range: '15m',
};

export function rangeMs(range: RangeId): number {
  return RANGES.find((r) => r.id === range)?.ms ?? 60 * 60_000;
}

/** Query string for the logger's GET /logs (through the broker's /api/logs). */
export function toQuery(filters: LogFilters, now: Date, limit: number, cursor?: string) {
  const q = new URLSearchParams();
  if (filters.service) q.set('service', filters.service);
  if (filters.level) q.set('level', filters.level);
  if (filters.text.trim()) q.set('text', filters.text.trim());
  if (filters.traceId.trim()) q.set('trace_id', filters.traceId.trim().toLowerCase());
  q.set('from', new Date(now.getTime() - rangeMs(filters.range)).toISOString());
  q.set('limit', String(limit));
  if (cursor) q.set('cursor', cursor);
  return q;
}

/** Whether a live-tail entry belongs in the current view (same rules the server applies). */
export function matches(filters: LogFilters, entry: LogEntry): boolean {
  if (filters.service && entry.service !== filters.service) return false;
  if (filters.level && entry.level !== filters.level) return false;
  const trace = filters.traceId.trim().toLowerCase();
  if (trace && entry.traceId !== trace) return false;
  const text = filters.text.trim().toLowerCase();
  if (text && !`${entry.name} ${entry.data}`.toLowerCase().includes(text)) return false;
  return true;
}
