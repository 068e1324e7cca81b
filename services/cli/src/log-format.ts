import { colors, level } from './output';

/** A stored log entry as the broker's /api/logs answers it. */
export interface LogEntry {
  event_id: string;
  name: string;
  data: string;
  level: string;
  service: string;
  timestamp: string;
  trace_id?: string;
}

/** One line per entry, as `logs --follow` and `trace` print them. */
export function formatEntry(e: LogEntry): string {
  const time = e.timestamp.replace('T', ' ').slice(0, 23);
  const trace = e.trace_id ? colors.dim(` trace=${e.trace_id}`) : '';
  return `${colors.dim(time)} ${level(e.level)} ${colors.cyan(e.service.padEnd(9))} ${colors.bold(e.name)}  ${e.data}${trace}`;
}
