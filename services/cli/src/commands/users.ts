import { type Command, Option } from 'commander';
import { globals, signedIn } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { colors, printJson, printTable } from '../output';
import { readPassword } from '../password';
import { printable } from '../printable';

interface User {
  id: string;
  email: string;
  role: string;
  active: boolean;
  first_name?: string;
  last_name?: string;
  created_at?: string;
}

export function usersCommands(program: Command): void {
  const users = program.command('users').description('accounts (admin)');

  users
    .command('list')
    .description('list accounts')
    .option('--limit <n>', 'how many', '20')
    .option('--offset <n>', 'skip this many', '0')
    .addHelpText(
      'after',
      '\nExamples:\n  micromesh users list\n  micromesh users list --json --limit 100',
    )
    .action(async (o: { limit: string; offset: string }, command: Command) => {
      const { client } = signedIn(command);
      const { body } = await client.call<{ users: User[] } | User[]>(
        `/api/users?limit=${encodeURIComponent(o.limit)}&offset=${encodeURIComponent(o.offset)}`,
      );
      const list = Array.isArray(body.data) ? body.data : (body.data?.users ?? []);
      if (globals(command).json) return printJson(list);
      printTable(
        ['id', 'email', 'role', 'state', 'created'],
        list.map((u) => [
          u.id,
          u.email,
          u.role,
          u.active
            ? { text: 'active', paint: colors.green }
            : { text: 'disabled', paint: colors.red },
          (u.created_at ?? '').slice(0, 19).replace('T', ' '),
        ]),
      );
    });

  users
    .command('create')
    .description('create an account (the password is asked for, or read from stdin)')
    .requiredOption('-e, --email <email>', 'email')
    .addOption(new Option('-r, --role <role>', 'role').choices(['user', 'admin']).default('user'))
    .option('--password-stdin', 'read the new password from standard input')
    .addHelpText(
      'after',
      '\nExample:\n  printf \'%s\' "$PW" | micromesh users create -e ana@example.com --password-stdin',
    )
    .action(
      async (o: { email: string; role: string; passwordStdin?: boolean }, command: Command) => {
        const { client } = signedIn(command);
        let password: string;
        if (o.passwordStdin) {
          const chunks: Buffer[] = [];
          for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
          password = Buffer.concat(chunks)
            .toString('utf8')
            .replace(/\r?\n$/, '');
        } else password = await readPassword('new password: ', { echo: false });
        if (!password) throw new CliError('a password is required', EXIT.usage);
        const { body } = await client.call<{ user: User }>('/api/users', {
          body: { email: o.email, password, role: o.role },
        });
        if (globals(command).json) return printJson(body.data);
        console.log(
          `${colors.green('✓')} created ${printable(`${body.data?.user.email} (${body.data?.user.role})`)} ${colors.dim(printable(body.data?.user.id ?? ''))}`,
        );
      },
    );

  users
    .command('disable')
    .description('disable an account: its tokens stop working at once')
    .argument('<id>', 'the user id from `micromesh users list`')
    .addHelpText('after', '\nExample:\n  micromesh users disable 3c1d…')
    .action(async (id: string, _o: unknown, command: Command) => {
      const { client } = signedIn(command);
      const { body } = await client.call<{ user: User }>(`/api/users/${encodeURIComponent(id)}`, {
        method: 'PATCH',
        body: { active: false },
      });
      if (globals(command).json) return printJson(body.data);
      console.log(`${colors.green('✓')} disabled ${printable(body.data?.user.email ?? id)}`);
    });
}
