import { type z } from 'zod';
import { ConfigChecked, isCheckingConfig } from './config-check';

/** Thrown when the environment does not satisfy a service's schema; `message` is one line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly variables: readonly string[],
  ) {
    super(message);
  }
}

type Env = Record<string, string | undefined>;

/**
 * Parses the environment once against a zod object schema and returns a frozen, typed result.
 * Empty strings count as unset, so `FOO=` in a .env file falls back to the default.
 * Under `--check-config` (runMain) a valid result is thrown as ConfigChecked instead.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Env = process.env,
): Readonly<z.infer<S>> {
  const cleaned: Env = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '(root)');
      const missing = issue.code === 'invalid_type' && cleaned[name] === undefined;
      return { name, text: missing ? `${name} is required` : `${name}: ${issue.message}` };
    });
    throw new ConfigError(
      `invalid configuration: ${problems.map((p) => p.text).join('; ')}`,
      problems.map((p) => p.name),
    );
  }
  const config = deepFreeze(result.data);
  if (isCheckingConfig()) throw new ConfigChecked(config);
  return config;
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
