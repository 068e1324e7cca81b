#!/usr/bin/env node
/**
 * micromesh — the mesh from a terminal. Every command talks only to the broker's public API.
 */
import { Command, CommanderError } from 'commander';
import { completionCommand } from './commands/completion';
import { dlqCommands } from './commands/dlq';
import { healthCommand } from './commands/health';
import { keysCommands } from './commands/keys';
import { logsCommand } from './commands/logs';
import { sendCommands } from './commands/send';
import { sessionCommands } from './commands/session';
import { traceCommand } from './commands/trace';
import { usersCommands } from './commands/users';
import { DEFAULT_BROKER } from './context';
import { CliError, EXIT, EXIT_CODES_HELP } from './exit-codes';
import { errColors } from './output';
import { printable } from './printable';

function buildProgram(): Command {
  const program = new Command('micromesh')
    .description(
      'micromesh from a terminal: log in, send actions, query and follow logs, traces, health, keys, users, dead letters',
    )
    .option(
      '--broker <url>',
      `broker URL (default: $MICROMESH_URL, the logged-in broker, or ${DEFAULT_BROKER})`,
    )
    .option('--json', 'machine-readable output (every read command)')
    .option('--no-color', 'no colours (also NO_COLOR=1; colour is used on a terminal only)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  micromesh login --email admin@example.com
  micromesh send event -n signup -d "user 42" -k signup-42
  micromesh logs --follow --level ERROR
  micromesh health || echo "something is down"
${EXIT_CODES_HELP}`,
    )
    .exitOverride();
  // Usage errors quote what was typed (a pasted argument may hold escapes too), line by line.
  program.configureOutput({
    outputError: (text, write) =>
      write(
        errColors.red(
          text
            .split('\n')
            .map((line) => printable(line))
            .join('\n'),
        ),
      ),
  });
  sessionCommands(program);
  sendCommands(program);
  logsCommand(program);
  traceCommand(program);
  healthCommand(program);
  keysCommands(program);
  usersCommands(program);
  dlqCommands(program);
  completionCommand(program);
  // Exit-overrides apply to subcommands too, so usage errors reach the handler below.
  const override = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(override);
  };
  override(program);
  return program;
}

async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every other parse error is a usage error (its text is printed).
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    if (err instanceof CliError) {
      process.stderr.write(`${errColors.red('error:')} ${printable(err.message)}\n`);
      process.exitCode = err.code;
      return;
    }
    // Never a stack trace: one line, and the hint to report it.
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${errColors.red('error:')} ${printable(message)}\n`);
    process.exitCode = EXIT.failed;
  }
}

void main();
