import { type Command } from 'commander';
import { globals, signedIn } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { formatEntry, type LogEntry } from '../log-format';
import { colors, printJson } from '../output';
import { printable } from '../printable';
import { waterfall, type Span } from '../waterfall';

interface TraceData {
  trace_id: string;
  spans: Span[];
  logs: LogEntry[];
}

export function traceCommand(program: Command): void {
  program
    .command('trace')
    .description('draw one trace as a waterfall, with its log lines')
    .argument('<trace-id>', '32 hex characters (the Trace column of `micromesh logs`)')
    .addHelpText(
      'after',
      '\nExamples:\n  micromesh trace 4bf92f3577b34da6a3ce929d0e0e4736\n  micromesh trace 4bf92f3577b34da6a3ce929d0e0e4736 --json',
    )
    .action(async (traceId: string, _o: unknown, command: Command) => {
      if (!/^[0-9a-f]{32}$/.test(traceId)) {
        throw new CliError('a trace id is 32 lower-case hex characters', EXIT.usage);
      }
      const { client } = signedIn(command);
      const { body } = await client.call<TraceData>(`/api/traces/${traceId}`);
      const data = body.data;
      if (globals(command).json) return printJson(data);
      if (!data || !data.spans.length) {
        console.log(`no spans stored for trace ${traceId}`);
        return;
      }
      const t0 = Math.min(...data.spans.map((s) => Date.parse(s.start)));
      const t1 = Math.max(...data.spans.map((s) => Date.parse(s.start) + s.duration_ms));
      console.log(
        `${colors.bold(`trace ${traceId}`)}  ${data.spans.length} spans, ` +
          `${printable([...new Set(data.spans.map((s) => s.service))].join(' → '))}, ${(t1 - t0).toFixed(1)} ms`,
      );
      for (const line of waterfall(
        data.spans,
        Math.max(20, Math.min(60, (process.stdout.columns ?? 120) - 80)),
      )) {
        console.log(line);
      }
      if (data.logs.length) {
        console.log(`\n${colors.bold('logs')}`);
        for (const entry of data.logs) console.log(formatEntry(entry));
      }
    });
}
