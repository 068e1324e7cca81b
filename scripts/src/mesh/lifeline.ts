/**
 * `node lifeline.js COMMAND ARGS…`: runs COMMAND and ends it when this process's stdin ends. The
 * launcher starts programs that are not ours (the SMTP sink) through it, so that when the
 * supervisor dies, even by SIGKILL, they stop with it instead of running on as orphans. Our own
 * services do the same by themselves (MICROMESH_LIFELINE=stdin, read by the kit's runMain).
 */
import { spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: lifeline COMMAND [ARGS…]');
  process.exit(2);
}

const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const end = (signal: NodeJS.Signals) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
child.once('error', (err) => {
  console.error(`lifeline: cannot start ${command}: ${err.message}`);
  process.exit(1);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => end(signal));
process.stdin.on('error', () => undefined);
process.stdin.once('end', () => {
  end('SIGTERM');
  setTimeout(() => end('SIGKILL'), 5_000).unref();
});
process.stdin.resume();
