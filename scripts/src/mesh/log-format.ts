const COLORS = [36, 32, 35, 33, 34, 96, 92, 95];
const LEVEL_WIDTH = 5;

/** `auth     │ 12:00:01 INFO  message {…}` from a pino JSON line; other lines pass as they are. */
export function formatLine(name: string, index: number, line: string, color: boolean): string {
  const label = name.padEnd(9);
  const prefix = color ? `\x1b[${COLORS[index % COLORS.length]}m${label}│\x1b[0m ` : `${label}│ `;
  if (!line.startsWith('{')) return prefix + line;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const { time, level, msg, service: _service, pid: _pid, hostname: _host, ...rest } = entry;
    const clock = typeof time === 'string' ? time.slice(11, 19) : '';
    const lvl = String(level ?? '')
      .toUpperCase()
      .padEnd(LEVEL_WIDTH);
    const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    return `${prefix}${clock} ${lvl} ${String(msg ?? '')}${extra}`;
  } catch {
    return prefix + line;
  }
}
