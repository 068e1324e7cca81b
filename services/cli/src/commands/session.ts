import { type Command } from 'commander';
import { BrokerClient } from '../broker-client';
import { brokerUrl, globals, signedIn } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { colors, printJson } from '../output';
import { readPassword } from '../password';
import { printable } from '../printable';
import { clearSession, loadSession, saveSession, tokenClaims } from '../session-store';

interface AuthData {
  user: { id: string; email: string; role: string };
  token: { access_token: string; expires_in?: number };
}

export function sessionCommands(program: Command): void {
  program
    .command('login')
    .description('log in and keep the token for later commands (mode 0600 in your config folder)')
    .option('-e, --email <email>', 'account email (asked for when omitted)')
    .option('--password-stdin', 'read the password from standard input instead of prompting')
    .addHelpText(
      'after',
      `
Examples:
  micromesh login --email admin@example.com
  printf '%s' "$PASSWORD" | micromesh login --email admin@example.com --password-stdin
  MICROMESH_URL=http://broker:8080 micromesh login`,
    )
    .action(async (opts: { email?: string; passwordStdin?: boolean }, command: Command) => {
      const options = globals(command);
      const email = opts.email ?? (await readPassword('email: ', { echo: true }));
      if (!email) throw new CliError('an email is required (--email)', EXIT.usage);
      const password = opts.passwordStdin
        ? await readStdin()
        : await readPassword('password: ', { echo: false });
      if (!password) throw new CliError('a password is required', EXIT.usage);
      const broker = brokerUrl(options, loadSession());
      const client = new BrokerClient(broker);
      const { body } = await client.call<AuthData>('/handle', {
        body: { action: 'auth', auth: { email, password } },
        anonymous: true,
      });
      const token = body.data?.token.access_token;
      if (!token) throw new CliError('the broker answered without a token', EXIT.failed);
      const exp = tokenClaims(token).exp;
      const file = saveSession({
        broker,
        email,
        access_token: token,
        ...(typeof exp === 'number' ? { expires_at: exp } : {}),
      });
      if (options.json)
        printJson({ email, role: body.data?.user.role, broker, session_file: file });
      else
        console.log(
          `${colors.green('✓')} logged in to ${printable(`${broker} as ${email} (${body.data?.user.role})`)}`,
        );
    });

  program
    .command('logout')
    .description('end the session at the broker (the token stops working everywhere) and forget it')
    .action(async (_opts: unknown, command: Command) => {
      const session = loadSession();
      if (!session) {
        console.log('not logged in');
        return;
      }
      const { client } = signedIn(command);
      try {
        await client.call('/api/auth/logout', { method: 'POST', body: {} });
      } catch (err) {
        // An expired or already revoked token is as good as logged out; say anything else.
        if (!(err instanceof CliError && err.code === EXIT.auth)) {
          clearSession();
          throw err;
        }
      }
      clearSession();
      console.log(`${colors.green('✓')} logged out`);
    })
    .addHelpText('after', '\nExample:\n  micromesh logout');

  program
    .command('whoami')
    .description('who the stored token says you are, and until when')
    .addHelpText('after', '\nExamples:\n  micromesh whoami\n  micromesh whoami --json')
    .action((_opts: unknown, command: Command) => {
      const { session, client } = signedIn(command);
      const claims = tokenClaims(session.access_token);
      const info = {
        email: session.email,
        subject: claims.sub,
        role: claims.role,
        scopes: typeof claims.scope === 'string' ? claims.scope.split(' ') : claims.scope,
        broker: client.baseUrl,
        expires_at:
          typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : undefined,
      };
      if (globals(command).json) return printJson(info);
      // The claims are the token's, i.e. the mesh's words: printable like the rest.
      console.log(
        `${colors.bold(printable(info.email))} ${printable(`(${String(info.role ?? '?')}) at ${info.broker}`)}`,
      );
      if (Array.isArray(info.scopes)) console.log(`scopes:  ${printable(info.scopes.join(' '))}`);
      if (info.expires_at) console.log(`expires: ${info.expires_at}`);
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
