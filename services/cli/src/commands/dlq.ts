import type { DeadLetterPage } from '@micromesh/contracts';
import { type Command } from 'commander';
import { globals, signedIn } from '../context';
import { colors, printJson, printTable } from '../output';
import { printable } from '../printable';

export function dlqCommands(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('dead letters: what the mesh refused to store, and why (admin)');

  dlq
    .command('list')
    .description('list dead letters with their reason')
    .option('--limit <n>', 'how many', '50')
    .addHelpText(
      'after',
      '\nExamples:\n  micromesh dlq list\n  micromesh dlq list --json | node -e "…"',
    )
    .action(async (o: { limit: string }, command: Command) => {
      const { client } = signedIn(command);
      const { body } = await client.call<DeadLetterPage>(
        `/api/dead-letters?limit=${encodeURIComponent(o.limit)}`,
      );
      const data = body.data ?? { count: 0, items: [] };
      if (globals(command).json) return printJson(data);
      console.log(`${data.count} dead letter${data.count === 1 ? '' : 's'}`);
      if (!data.items.length) return;
      printTable(
        ['id', 'when', 'reason', 'routing key', 'preview'],
        data.items.map((d) => [
          d.id,
          (d.dead_lettered_at ?? '').slice(0, 19).replace('T', ' '),
          { text: d.reason, paint: colors.yellow },
          d.routing_key ?? '',
          (d.preview ?? '').replace(/\s+/g, ' ').slice(0, 50),
        ]),
      );
    });

  dlq
    .command('replay')
    .description('put a dead letter back on its way (same event id: stored once)')
    .argument('<id>', 'the id from `micromesh dlq list`')
    .addHelpText('after', '\nExample:\n  micromesh dlq replay 7e0b…')
    .action(async (id: string, _o: unknown, command: Command) => {
      const { client } = signedIn(command);
      const { body } = await client.call(`/api/dead-letters/${encodeURIComponent(id)}/replay`, {
        method: 'POST',
        body: {},
      });
      if (globals(command).json) return printJson(body.data ?? {});
      console.log(`${colors.green('✓')} ${printable(body.message)}`);
    });

  dlq
    .command('discard')
    .description('delete a dead letter for good')
    .argument('<id>', 'the id from `micromesh dlq list`')
    .addHelpText('after', '\nExample:\n  micromesh dlq discard 7e0b…')
    .action(async (id: string, _o: unknown, command: Command) => {
      const { client } = signedIn(command);
      const { body } = await client.call(`/api/dead-letters/${encodeURIComponent(id)}`, {
        method: 'DELETE',
      });
      if (globals(command).json) return printJson(body.data ?? {});
      console.log(`${colors.green('✓')} ${printable(body.message)}`);
    });
}
