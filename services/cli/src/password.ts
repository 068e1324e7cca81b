import { CliError, EXIT } from './exit-codes';

/**
 * Reads one line from the terminal; with `echo: false` nothing typed is shown. Needs a terminal
 * for a hidden password: without one, say how to pass it (`--password-stdin`).
 */
export async function readPassword(prompt: string, { echo }: { echo: boolean }): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    throw new CliError(
      echo ? 'no terminal to ask on: pass --email' : 'no terminal to ask on: use --password-stdin',
      EXIT.usage,
    );
  }
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new CliError('cancelled', EXIT.usage));
        if (ch === '\u007f' || ch === '\b') {
          if (value.length) {
            value = value.slice(0, -1);
            if (echo) process.stderr.write('\b \b');
          }
          continue;
        }
        value += ch;
        if (echo) process.stderr.write(ch);
      }
    };
    input.on('data', onData);
  });
}
