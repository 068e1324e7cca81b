import { type Command, Option } from 'commander';
import { refusal, unreachable, type Envelope } from '../broker-client';
import { globals, signedIn } from '../context';
import { sinceToIso } from '../duration';
import { CliError, EXIT } from '../exit-codes';
import { formatEntry, type LogEntry } from '../log-format';
import { colors, level, printJson, printTable } from '../output';
import { printable } from '../printable';
import { readEvents } from '../sse';

interface LogsOptions {
  service?: string;
  level?: string;
  text?: string;
  traceId?: string;
  since?: string;
  until?: string;
  limit: string;
  cursor?: string;
  follow?: boolean;
}

const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'FATAL'];

function filters(o: LogsOptions): URLSearchParams {
  const params = new URLSearchParams();
  if (o.service) params.set('service', o.service);
  if (o.level) params.set('level', o.level);
  if (o.text) params.set('text', o.text);
  if (o.traceId) params.set('trace_id', o.traceId);
  return params;
}

export function logsCommand(program: Command): void {
  program
    .command('logs')
    .description("query stored logs (the explorer's filters, cursor paging), or follow them live")
    .option('--service <name>', 'only this service')
    .addOption(new Option('--level <level>', 'only this level').choices(LEVELS))
    .option('--text <words>', 'every word must occur in name or data')
    .option('--trace-id <id>', 'only this trace (32 hex characters)')
    .option('--since <when>', 'from this long ago (15m, 2h, 7d) or an ISO date')
    .option('--until <when>', 'up to this time (same forms)')
    .option('--limit <n>', 'entries per page (1–500)', '50')
    .option('--cursor <cursor>', 'the next page, as printed after a page')
    .option('-f, --follow', 'keep printing entries as they are stored (live tail)')
    .addHelpText(
      'after',
      `
Examples:
  micromesh logs --level ERROR --since 1h
  micromesh logs --text "card declined" --service broker --limit 100
  micromesh logs --follow --level WARNING
  micromesh logs --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).entries.length))'`,
    )
    .action(async (o: LogsOptions, command: Command) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
        throw new CliError('--limit takes a whole number from 1 to 500', EXIT.usage);
      }
      if (o.follow) return follow(command, o);
      const { client } = signedIn(command);
      const params = filters(o);
      params.set('limit', String(limit));
      if (o.since) params.set('from', sinceToIso(o.since));
      if (o.until) params.set('to', sinceToIso(o.until));
      if (o.cursor) params.set('cursor', o.cursor);
      const { body } = await client.call<{ entries: LogEntry[]; next_cursor: string | null }>(
        `/api/logs?${params}`,
      );
      const entries = body.data?.entries ?? [];
      const next = body.data?.next_cursor ?? null;
      if (globals(command).json) return printJson({ entries, next_cursor: next });
      if (!entries.length) {
        console.log('no entries match');
        return;
      }
      printTable(
        ['time', 'level', 'service', 'name', 'data', 'trace'],
        entries.map((e) => [
          e.timestamp.replace('T', ' ').slice(0, 19),
          { text: e.level, paint: (s) => level(s).trim() },
          e.service,
          e.name,
          e.data.length > 60 ? `${e.data.slice(0, 59)}…` : e.data,
          e.trace_id ?? '',
        ]),
      );
      if (next) console.log(colors.dim(`more: micromesh logs … --cursor ${printable(next)}`));
    });
}

async function follow(command: Command, o: LogsOptions): Promise<void> {
  const { client, session } = signedIn(command);
  const json = globals(command).json;
  const params = filters(o);
  let res: Response;
  try {
    res = await fetch(client.url(`/api/logs/stream?${params}`), {
      headers: client.headers({ accept: 'text/event-stream' }),
    });
  } catch (err) {
    throw unreachable(client.baseUrl, err);
  }
  if (!res.ok || !res.body) {
    const body = (await res
      .json()
      .catch(() => ({ error: true, message: `HTTP ${res.status}` }))) as Envelope<unknown>;
    throw refusal(res.status, body, res.headers.get('retry-after'));
  }
  for await (const event of readEvents(res.body)) {
    if (event.event === 'ready') {
      process.stderr.write(colors.dim('following… (Ctrl-C to stop)\n'));
    } else if (event.event === 'log') {
      const entry = JSON.parse(event.data) as LogEntry;
      if (json) process.stdout.write(`${JSON.stringify(entry)}\n`);
      else console.log(formatEntry(entry));
    }
  }
  // The broker ends a tail when the token expires or is revoked, or the logger shuts down.
  const expired =
    session.expires_at !== undefined && session.expires_at * 1000 <= Date.now() + 1_000;
  throw expired
    ? new CliError(
        'the live tail ended: your session has expired (run `micromesh login` again)',
        EXIT.auth,
      )
    : new CliError(
        'the live tail ended (session revoked, or the logger went away)',
        EXIT.unavailable,
      );
}
