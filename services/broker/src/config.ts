import { baseEnvShape, env, loadConfig } from '@micromesh/kit';
import { z } from 'zod';

export const brokerConfigSchema = z.object({
  ...baseEnvShape,
  PORT: env.port(8080),
});

export type BrokerConfig = z.infer<typeof brokerConfigSchema>;

export function loadBrokerConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(brokerConfigSchema, source);
}
