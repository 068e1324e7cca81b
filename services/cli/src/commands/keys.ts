import { type Command } from 'commander';
import { globals, signedIn } from '../context';
import { colors, printJson, printTable } from '../output';
import { printable } from '../printable';

interface ApiKey {
  id: string;
  name: string;
  prefix?: string;
  scopes?: string[];
  role?: string;
  created_at?: string;
  expires_at?: string | null;
  revoked_at?: string | null;
  last_used_at?: string | null;
}

export function keysCommands(program: Command): void {
  const keys = program.command('keys').description("API keys: yours, or everyone's as an admin");

  keys
    .command('create')
    .description('create a key; its secret is shown once')
    .requiredOption('-n, --name <name>', 'what the key is for')
    .option('-s, --scopes <list>', 'comma-separated subset of your scopes (default: all of yours)')
    .option('--expires <iso>', 'expiry (ISO date)')
    .addHelpText(
      'after',
      '\nExamples:\n  micromesh keys create -n ci -s logs:write,events:publish\n  micromesh keys create -n reporting -s logs:read --expires 2027-01-01T00:00:00Z',
    )
    .action(async (o: { name: string; scopes?: string; expires?: string }, command: Command) => {
      const { client } = signedIn(command);
      const { body } = await client.call<{ api_key: ApiKey; key?: string; secret?: string }>(
        '/api/keys',
        {
          body: {
            name: o.name,
            ...(o.scopes
              ? {
                  scopes: o.scopes
                    .split(',')
                    .map((s) => s.trim())
                    .filter(Boolean),
                }
              : {}),
            ...(o.expires ? { expires_at: o.expires } : {}),
          },
        },
      );
      if (globals(command).json) return printJson(body.data);
      const secret = body.data?.key ?? body.data?.secret;
      console.log(
        `${colors.green('✓')} created key ${printable(`${body.data?.api_key.id} (${body.data?.api_key.name})`)}`,
      );
      if (secret)
        console.log(`secret (shown once, keep it now): ${colors.bold(printable(secret))}`);
    });

  keys
    .command('list')
    .description('list keys')
    .addHelpText('after', '\nExamples:\n  micromesh keys list\n  micromesh keys list --json')
    .action(async (_o: unknown, command: Command) => {
      const { client } = signedIn(command);
      const { body } = await client.call<{ api_keys?: ApiKey[]; keys?: ApiKey[] } | ApiKey[]>(
        '/api/keys',
      );
      const data = body.data;
      const list = Array.isArray(data) ? data : (data?.api_keys ?? data?.keys ?? []);
      if (globals(command).json) return printJson(list);
      if (!list.length) return console.log('no keys');
      printTable(
        ['id', 'name', 'scopes', 'created', 'state'],
        list.map((k) => [
          k.id,
          k.name,
          (k.scopes ?? []).join(' ') || (k.role ?? ''),
          (k.created_at ?? '').slice(0, 19).replace('T', ' '),
          k.revoked_at
            ? { text: 'revoked', paint: colors.red }
            : { text: 'active', paint: colors.green },
        ]),
      );
    });

  keys
    .command('revoke')
    .description('revoke a key (refused everywhere within a second)')
    .argument('<id>', 'the key id from `micromesh keys list`')
    .addHelpText('after', '\nExample:\n  micromesh keys revoke 5f0c…')
    .action(async (id: string, _o: unknown, command: Command) => {
      const { client } = signedIn(command);
      const { body } = await client.call(`/api/keys/${encodeURIComponent(id)}`, {
        method: 'DELETE',
      });
      if (globals(command).json) return printJson(body.data);
      console.log(`${colors.green('✓')} ${printable(body.message)}`);
    });
}
