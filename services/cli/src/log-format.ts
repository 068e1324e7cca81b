import { colors, level } from './output';
import { printable } from './printable';

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

/**
 * One line per entry, as `logs --follow` and `trace` print them. Every field is the mesh's (any
 * `logs:write` caller's), so each is made printable: one entry stays one line, and none of it can
 * drive the terminal.
 */
export function formatEntry(e: LogEntry): string {
  const time = printable(e.timestamp.replace('T', ' ').slice(0, 23));
  const trace = e.trace_id ? colors.dim(` trace=${printable(e.trace_id)}`) : '';
  const data = printable(e.data, { keepTabs: true });
  return `${colors.dim(time)} ${level(e.level)} ${colors.cyan(printable(e.service).padEnd(9))} ${colors.bold(printable(e.name))}  ${data}${trace}`;
}
