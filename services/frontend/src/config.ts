import { baseEnvShape, env, loadConfig } from '@micromesh/kit';
import { z } from 'zod';

export const frontendConfigSchema = z.object({
  ...baseEnvShape,
  PORT: env.port(8081),
});

export type FrontendConfig = z.infer<typeof frontendConfigSchema>;

export function loadFrontendConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(frontendConfigSchema, source);
}
