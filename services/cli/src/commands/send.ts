import { type Command, Option } from 'commander';
import { globals, signedIn } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { colors, printJson } from '../output';
import { printable } from '../printable';

const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'FATAL'];

function keyHeader(key?: string): Record<string, string> {
  return key ? { 'idempotency-key': key } : {};
}

function parseMetadata(text?: string): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new CliError('--metadata must be a JSON object, e.g. \'{"order":42}\'', EXIT.usage);
}

async function send(
  command: Command,
  action: string,
  payload: Record<string, unknown>,
  key?: string,
) {
  const { client } = signedIn(command);
  const { status, body } = await client.call<Record<string, unknown>>('/handle', {
    body: { action, [action]: payload },
    headers: keyHeader(key),
  });
  if (globals(command).json) return printJson({ status, ...body });
  const data = body.data ?? {};
  const id = data.event_id ?? data.id ?? data.message_id;
  console.log(
    `${colors.green('✓')} ${status} ${printable(body.message)}${id ? `  ${colors.dim(printable(String(id)))}` : ''}` +
      `${data.status ? `  (${printable(String(data.status))})` : ''}`,
  );
}

const keyOption = () =>
  new Option('-k, --idempotency-key <key>', 'retry-safe: the same key and body are stored once');

export function sendCommands(program: Command): void {
  const sendCmd = program
    .command('send')
    .description('send a log, an event or a mail through the broker');

  sendCmd
    .command('log')
    .description('write a log entry (gRPC to the logger)')
    .requiredOption('-n, --name <name>', 'entry name')
    .requiredOption('-d, --data <text>', 'entry text')
    .addOption(new Option('-l, --level <level>', 'level').choices(LEVELS).default('INFO'))
    .option('-m, --metadata <json>', 'a JSON object stored with the entry')
    .addOption(keyOption())
    .addHelpText(
      'after',
      `
Examples:
  micromesh send log -n checkout -d "order 42 paid"
  micromesh send log -n checkout -d "card declined" -l ERROR -m '{"order":42}' -k order-42-declined`,
    )
    .action(
      async (
        o: {
          name: string;
          data: string;
          level: string;
          metadata?: string;
          idempotencyKey?: string;
        },
        c: Command,
      ) =>
        send(
          c,
          'log',
          {
            name: o.name,
            data: o.data,
            level: o.level,
            ...(o.metadata ? { metadata: parseMetadata(o.metadata) } : {}),
          },
          o.idempotencyKey,
        ),
    );

  sendCmd
    .command('event')
    .description('publish an event to RabbitMQ (stored by the listener and the logger)')
    .requiredOption('-n, --name <name>', 'event name')
    .requiredOption('-d, --data <text>', 'event text')
    .addOption(
      new Option('-l, --level <level>', 'level (routing key log.<LEVEL>)')
        .choices(LEVELS)
        .default('INFO'),
    )
    .addOption(keyOption())
    .addHelpText(
      'after',
      '\nExamples:\n  micromesh send event -n signup -d "user 42"\n  micromesh send event -n payment -d "retry" -l WARNING -k pay-42-1',
    )
    .action(
      async (
        o: { name: string; data: string; level: string; idempotencyKey?: string },
        c: Command,
      ) => send(c, 'event', { name: o.name, data: o.data, level: o.level }, o.idempotencyKey),
    );

  sendCmd
    .command('mail')
    .description('queue a mail (delivered in the background; the answer carries its id)')
    .requiredOption('-t, --to <address>', 'recipient')
    .requiredOption('-s, --subject <subject>', 'subject')
    .requiredOption('-b, --message <text>', 'body text')
    .option('-f, --from <address>', 'sender (must be the configured sender or on its allowlist)')
    .addOption(keyOption())
    .addHelpText(
      'after',
      '\nExample:\n  micromesh send mail -t you@example.com -s Hello -b "Hello world" -k hello-1',
    )
    .action(
      async (
        o: { to: string; subject: string; message: string; from?: string; idempotencyKey?: string },
        c: Command,
      ) =>
        send(
          c,
          'mail',
          { to: o.to, subject: o.subject, message: o.message, ...(o.from ? { from: o.from } : {}) },
          o.idempotencyKey,
        ),
    );
}
