import { type Command } from 'commander';
import { BrokerClient } from './broker-client';
import { CliError, EXIT } from './exit-codes';
import { loadSession, tokenClaims, type Session } from './session-store';

export const DEFAULT_BROKER = 'http://127.0.0.1:8080';

/** Global options every command sees (set on the root program). */
export interface GlobalOptions {
  broker?: string;
  json?: boolean;
}

export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** --broker, else MICROMESH_URL, else the broker the session was made with, else the default. */
export function brokerUrl(options: GlobalOptions, session?: Session): string {
  const url = options.broker ?? process.env.MICROMESH_URL ?? session?.broker ?? DEFAULT_BROKER;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new CliError(`not a broker URL: ${url} (expected http://host:port)`, EXIT.usage);
  }
  return url.replace(/\/+$/, '');
}

/** A client for a command that needs a signed-in session; refuses early when there is none. */
export function signedIn(command: Command): { client: BrokerClient; session: Session } {
  const options = globals(command);
  const session = loadSession();
  if (!session) throw new CliError('not logged in: run `micromesh login`', EXIT.auth);
  const exp = tokenClaims(session.access_token).exp;
  if (typeof exp === 'number' && exp * 1000 <= Date.now()) {
    throw new CliError('your session has expired: run `micromesh login` again', EXIT.auth);
  }
  return { client: new BrokerClient(brokerUrl(options, session), session.access_token), session };
}
