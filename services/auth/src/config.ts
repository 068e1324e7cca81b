import { baseEnvShape, env, loadConfig } from '@micromesh/kit';
import { z } from 'zod';

export const authConfigSchema = z.object({
  ...baseEnvShape,
  PORT: env.port(8082),
  /** PostgreSQL holding users and API keys. */
  AUTH_DATABASE_URL: z.url(),
});

export type AuthConfig = z.infer<typeof authConfigSchema>;

export function loadAuthConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(authConfigSchema, source);
}
