import { baseEnvShape } from './env-types';

/** The command-line flag: load the configuration from the environment, report it, start nothing. */
export const CHECK_CONFIG_FLAG = '--check-config';

let checking = false;

/**
 * Thrown by loadConfig once the environment has parsed, while a `--check-config` run is on: it
 * carries the result out of the service's start function before that opens anything. runMain
 * turns the mode on, so every service gets the flag without a change to its main.ts.
 */
export class ConfigChecked extends Error {
  override readonly name = 'ConfigChecked';
  constructor(readonly config: Readonly<Record<string, unknown>>) {
    super('configuration checked');
  }
}

export function startConfigCheck(): void {
  checking = true;
}

export function isCheckingConfig(): boolean {
  return checking;
}

/** The settings a check reports: the kit's own (port, host, shutdown times), never a URL or a secret. */
const REPORTED = ['PORT', ...Object.keys(baseEnvShape)];

/** One line for the operator: `<service>: configuration ok {"PORT":8082,…}`. */
export function configCheckLine(
  service: string,
  config: Readonly<Record<string, unknown>>,
): string {
  const settings = Object.fromEntries(
    REPORTED.filter((key) => config[key] !== undefined).map((key) => [key, config[key]]),
  );
  return `${service}: configuration ok ${JSON.stringify(settings)}`;
}
