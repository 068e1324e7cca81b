import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CHECK_CONFIG_FLAG } from '@micromesh/kit';
import { repoRoot, type ServiceName } from './paths';

type Env = Record<string, string | undefined>;

/** The settings `--check-config` reports (the kit's own; never a URL or a secret). */
export interface CheckedSettings {
  PORT: number;
  HOST: string;
  SHUTDOWN_TIMEOUT_MS: number;
  SHUTDOWN_DELAY_MS: number;
  SHUTDOWN_DRAIN_MS: number;
  [key: string]: unknown;
}

type Verdict = { ok: true; settings: CheckedSettings } | { ok: false; error: string };

/** The variables each service requires, with placeholder values (every other one has a default). */
const REQUIRED: Record<ServiceName, Env> = {
  auth: { AUTH_DATABASE_URL: 'postgres://u:p@h/a', AUTH_JWT_KEYS_DIR: '/keys' },
  broker: { AMQP_URL: 'amqp://u:p@h', BROKER_DATABASE_URL: 'postgres://u:p@h/b' },
  frontend: {},
  listener: { AMQP_URL: 'amqp://u:p@h', LOGGER_GRPC_ADDRESS: 'logger:50051' },
  logger: { LOG_STORE_URL: 'postgres://u:p@h/l' },
  mail: { MAIL_DATABASE_URL: 'postgres://u:p@h/m', AMQP_URL: 'amqp://u:p@h' },
};

/** The smallest environment the service starts with: what its defaults give. */
export function minimalEnv(service: ServiceName): Env {
  return { ...REQUIRED[service] };
}

const CHECK_TIMEOUT_MS = 60_000;
const verdicts = new Map<string, Promise<Verdict>>();

/**
 * The built service judges the environment, as an operator would ask it:
 * `node services/<service>/dist/main.js --check-config` with exactly that environment.
 * Exit 0 prints `<service>: configuration ok {settings}`; exit 2 prints the configuration error.
 */
function check(service: ServiceName, env: Env): Promise<Verdict> {
  const key = `${service} ${JSON.stringify(env)}`;
  const known = verdicts.get(key);
  if (known) return known;
  const main = path.join(repoRoot, 'services', service, 'dist', 'main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: build first (pnpm build)`);
  const defined = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const verdict = new Promise<Verdict>((resolve, reject) => {
    execFile(
      process.execPath,
      [main, CHECK_CONFIG_FLAG],
      { env: defined, timeout: CHECK_TIMEOUT_MS, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? error.code : 0;
        const okLine = stdout.match(/^\S+: configuration ok (\{.*\})$/m);
        if (code === 0 && okLine) {
          resolve({ ok: true, settings: JSON.parse(okLine[1]!) as CheckedSettings });
        } else if (code === 2) {
          resolve({ ok: false, error: stderr.trim() });
        } else {
          reject(new Error(`${service} --check-config: exit ${String(code)}\n${stdout}${stderr}`));
        }
      },
    );
  });
  verdicts.set(key, verdict);
  return verdict;
}

/** The settings the service reports for an environment; rejects with its configuration error. */
export async function checkedSettings(service: ServiceName, env: Env): Promise<CheckedSettings> {
  const verdict = await check(service, env);
  if (!verdict.ok) throw new Error(verdict.error);
  return verdict.settings;
}

/** null when the service accepts the environment, else its one-line configuration error. */
export async function configError(service: ServiceName, env: Env): Promise<string | null> {
  const verdict = await check(service, env);
  return verdict.ok ? null : verdict.error;
}
