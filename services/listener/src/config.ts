import { baseEnvShape, env, loadConfig } from '@micromesh/kit';
import { z } from 'zod';

export const listenerConfigSchema = z.object({
  ...baseEnvShape,
  PORT: env.port(8085),
});

export type ListenerConfig = z.infer<typeof listenerConfigSchema>;

export function loadListenerConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(listenerConfigSchema, source);
}
