import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** What `login` keeps between commands. */
export interface Session {
  broker: string;
  email: string;
  access_token: string;
  /** Seconds since the epoch (the token's `exp`). */
  expires_at?: number;
}

/** `$XDG_CONFIG_HOME/micromesh` (or ~/.config/micromesh); MICROMESH_CONFIG_DIR overrides it. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MICROMESH_CONFIG_DIR) return env.MICROMESH_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || path.join(homedir(), '.config');
  return path.join(base, 'micromesh');
}

const sessionFile = () => path.join(configDir(), 'session.json');

export function loadSession(): Session | undefined {
  try {
    const parsed = JSON.parse(readFileSync(sessionFile(), 'utf8')) as Partial<Session>;
    if (typeof parsed.access_token !== 'string' || typeof parsed.broker !== 'string')
      return undefined;
    return parsed as Session;
  } catch {
    return undefined;
  }
}

/** Written with mode 0600 in a 0700 folder: the token is a credential. */
export function saveSession(session: Session): string {
  const dir = configDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = sessionFile();
  writeFileSync(file, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

export function clearSession(): boolean {
  const file = sessionFile();
  try {
    rmSync(file);
    return true;
  } catch {
    return false;
  }
}

/** The claims of a JWT, read without verifying it (the broker verifies; this is for display). */
export function tokenClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    return {};
  }
}
