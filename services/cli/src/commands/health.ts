import { type Command } from 'commander';
import { globals, signedIn } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { colors, printJson, printTable } from '../output';

interface ServiceHealth {
  ok: boolean;
  ms?: number;
  status?: number;
  error?: string;
}

export function healthCommand(program: Command): void {
  program
    .command('health')
    .description('readiness of every service and dependency; exits 5 when something is not ready')
    .addHelpText(
      'after',
      '\nExamples:\n  micromesh health\n  micromesh health --json && echo all ready',
    )
    .action(async (_o: unknown, command: Command) => {
      const { client } = signedIn(command);
      const { body } = await client.call<{
        ready: boolean;
        services: Record<string, ServiceHealth>;
      }>('/api/health');
      const data = body.data ?? { ready: false, services: {} };
      if (globals(command).json) printJson(data);
      else {
        printTable(
          ['service', 'state', 'time', 'detail'],
          Object.entries(data.services).map(([name, h]) => [
            name,
            h.ok
              ? { text: 'ready', paint: colors.green }
              : { text: 'NOT READY', paint: colors.red },
            h.ms === undefined ? '' : `${h.ms} ms`,
            h.error ?? (h.status && !h.ok ? `HTTP ${h.status}` : ''),
          ]),
        );
        console.log(data.ready ? colors.green('all ready') : colors.red('not everything is ready'));
      }
      if (!data.ready) {
        process.exitCode = EXIT.notReady;
        if (globals(command).json) return;
        throw new CliError('some services are not ready', EXIT.notReady);
      }
    });
}
